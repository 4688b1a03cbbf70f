"""The analytics admin: the "Ask the workspace" page and its log (analytics/ask/admin.py)."""

from .ask import admin as ask_admin  # noqa: F401 - registers the page
