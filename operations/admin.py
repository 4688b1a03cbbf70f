"""Operations boards (jobs, dead letters, provider quota) come with their own issue."""
