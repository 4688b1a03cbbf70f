"""django-q2 entry points for analytics: ids in, a service call. The periodic jobs live in
operations.jobs (they record JobRuns)."""

from .reports.services import report_render as report_render_service


def report_render(report_id: int) -> str:
    """Render one report (queued on commit by analytics.reports.services)."""
    report = report_render_service(report_id)
    if report is None:
        return "taken by another delivery or done"
    return f"{report.status}{': ' + report.error if report.error else ''}"
