"""The analytics admin: best time to post, audience and mentions (admin_besttime.py), the "Ask
the workspace" page and its log (analytics/ask/admin.py), and reports (list, generate, download,
delete) and report schedules (admin_reports.py)."""

from . import (
    admin_besttime,  # noqa: F401  (best time, audience and mentions pages)
    admin_reports,  # noqa: F401  (reports and report schedules)
)
from .ask import admin as ask_admin  # noqa: F401 - registers the page
