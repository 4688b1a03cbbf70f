"""Writes and rules on accounts, one module per workflow: adding (by profile URL, editing),
tracking (profile refresh and new-post detection, the jobs' work)."""
