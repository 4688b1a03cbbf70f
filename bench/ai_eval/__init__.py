"""The "ask the workspace" evaluation set (see README.md in this folder)."""
