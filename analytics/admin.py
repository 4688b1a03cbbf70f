"""Analytics in the admin: best time, audience and mentions pages; reports (list, generate,
download, delete) and report schedules."""

from . import (
    admin_besttime,  # noqa: F401  (best time, audience and mentions pages)
    admin_reports,  # noqa: F401 (registers the report ModelAdmins)
)
