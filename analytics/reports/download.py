"""A report's PDF as an HTTP answer (the admin page and the API share it)."""

from django.http import FileResponse, Http404, HttpResponse

from ..choices import ReportStatus
from ..models import Report


def report_download_response(report: Report) -> HttpResponse:
    """The report's PDF as an attachment (the admin page and the API share it)."""
    if report.status != ReportStatus.COMPLETED or not report.file:
        raise Http404("This report has no file yet.")
    name = report.file.name.rsplit("/", 1)[-1]
    return FileResponse(
        report.file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf"
    )
