"""Analytics in the admin: reports (list, generate, download, delete) and report schedules."""

from . import admin_reports  # noqa: F401 (registers the ModelAdmins)
