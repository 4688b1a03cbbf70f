"""Writes and rules on posts, one module per workflow: adding, refresh, detection,
classification, trials."""
