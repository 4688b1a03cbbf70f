"""The analytics admin: best time to post, audience and mentions (admin_besttime.py), and the
"Ask the workspace" page and its log (analytics/ask/admin.py)."""

from . import admin_besttime  # noqa: F401  (best time, audience and mentions pages)
from .ask import admin as ask_admin  # noqa: F401 - registers the page
