"""Reports' writes: create (and queue the render), render (claimed by compare-and-set, retried
once on failure), e-mail when a scheduled one is ready, delete, and the daily pass that creates
the due scheduled reports. Views, the admin, the API and the jobs all call these."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_q.tasks import async_task

from core.jobs import WorkReport, error_text
from core.windows import last_calendar_month, last_calendar_week, local_date
from settings_app.models import Client, lines

from ..choices import Frequency, ReportKind, ReportStatus, ScopeKind
from ..models import Report, ReportSchedule
from .render import report_pdf
from .scope import ScopeNotFound, scope_get

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 2  # a failed render is retried once
MAX_DAYS = 731  # two years, as the analytics API


def report_render_on_commit(report_id: int) -> None:
    """Queue the render of `report_id` once the transaction that created it commits."""
    transaction.on_commit(
        partial(
            async_task,
            "analytics.tasks.report_render",
            report_id,
            task_name=f"report_render {report_id}",
        )
    )


def report_create(
    *,
    kind: str,
    scope_kind: str,
    scope_id: int,
    start: date,
    end: date,
    created_by=None,
    schedule: ReportSchedule | None = None,
) -> Report:
    """A pending report, its render queued on commit. Raises ValidationError naming the field:
    an unknown scope, an end before the start, a period over two years, a campaign report of
    something else than a campaign."""
    errors: dict[str, str] = {}
    try:
        scope = scope_get(scope_kind, scope_id)
    except ScopeNotFound as error:
        errors["scope_kind" if scope_kind not in ScopeKind.values else "scope_id"] = str(error)
        scope = None
    if kind not in ReportKind.values:
        errors["kind"] = f"Unknown kind {kind!r}; use {', '.join(ReportKind.values)}."
    if kind == ReportKind.CAMPAIGN and scope_kind != ScopeKind.CAMPAIGN:
        errors["kind"] = "A campaign report is about a campaign (scope_kind=campaign)."
    if start and end and end < start:
        errors["end"] = "The end date must be on or after the start date."
    elif start and end and (end - start).days + 1 > MAX_DAYS:
        errors["end"] = "A report covers at most two years."
    if errors:
        raise ValidationError(errors)
    report = Report(
        kind=kind,
        scope_kind=scope_kind,
        scope_id=scope_id,
        scope_name=scope.name[:200],
        start=start,
        end=end,
        created_by=created_by if getattr(created_by, "pk", None) else None,
        schedule=schedule,
    )
    report.full_clean(exclude=["schedule", "created_by"])
    with transaction.atomic():
        report.save()
        report_render_on_commit(report.pk)
    return report


def _claim(report_id: int, now: datetime) -> bool:
    """Take the report for rendering: pending, or generating for longer than the stale limit
    (its worker died). Exactly one delivery wins."""
    stale = now - timedelta(seconds=settings.REPORT_RENDER_STALE_SECONDS)
    return bool(
        Report.objects.filter(
            Q(status=ReportStatus.PENDING)
            | Q(status=ReportStatus.GENERATING, started_at__lt=stale),
            pk=report_id,
            attempts__lt=MAX_ATTEMPTS,
        ).update(status=ReportStatus.GENERATING, started_at=now, attempts=F("attempts") + 1)
    )


def report_render(report_id: int, *, now: datetime | None = None) -> Report | None:
    """Render the report's PDF into storage. A failure is recorded with its error; the first
    one sends the report back to pending and queues it again, the second leaves it failed.
    Returns the report, or None when another delivery holds it (or it is done)."""
    now = now or timezone.now()
    if not _claim(report_id, now):
        return None
    report = Report.objects.select_related("created_by").get(pk=report_id)
    try:
        pdf = report_pdf(report)
    except Exception as error:  # any failure is the report's: recorded, retried once
        log.warning("report %s render failed: %s", report_id, error, exc_info=True)
        return _render_failed(report, error)
    name = f"report-{report.pk}-{report.scope_kind}-{report.start:%Y%m%d}-{report.end:%Y%m%d}.pdf"
    old = report.file.name
    report.file.save(name, ContentFile(pdf), save=False)
    report.size = len(pdf)
    report.status = ReportStatus.COMPLETED
    report.completed_at = timezone.now()
    report.error = ""
    report.save(update_fields=["file", "size", "status", "completed_at", "error"])
    if old and old != report.file.name:
        report.file.storage.delete(old)
    if report.schedule_id:
        report_email(report)
    return report


def _render_failed(report: Report, error: BaseException) -> Report:
    report.error = error_text(error)[:4000]
    if report.attempts < MAX_ATTEMPTS:
        report.status = ReportStatus.PENDING
        report.save(update_fields=["status", "error"])
        report_render_on_commit(report.pk)
    else:
        report.status = ReportStatus.FAILED
        report.completed_at = timezone.now()
        report.save(update_fields=["status", "error", "completed_at"])
    return report


def report_retry(report: Report) -> Report:
    """A failed report rendered again from scratch (an operator's retry)."""
    if report.status != ReportStatus.FAILED:
        raise ValidationError({"status": "Only a failed report can be retried."})
    Report.objects.filter(pk=report.pk, status=ReportStatus.FAILED).update(
        status=ReportStatus.PENDING, attempts=0, error=""
    )
    report_render_on_commit(report.pk)
    report.refresh_from_db()
    return report


def report_email(report: Report) -> bool:
    """E-mail a completed scheduled report (the PDF attached) to its client's report addresses,
    once: the `emailed_at` compare-and-set makes a second call send nothing."""
    client = Client.objects.filter(pk=report.scope_id).first()
    to = lines(client.report_emails) if client else []
    if not to or report.scope_kind != ScopeKind.CLIENT:
        return False
    if not Report.objects.filter(pk=report.pk, emailed_at=None).update(emailed_at=timezone.now()):
        return False
    message = EmailMessage(
        subject=f"{settings.AGENCY_NAME}: {report}",
        body=(
            f"Hello,\n\nYour {report.get_kind_display().lower()} report for {report.scope_name} "
            f"({report.start:%d %b %Y} – {report.end:%d %b %Y}) is attached.\n\n"
            f"{settings.AGENCY_NAME}\n"
        ),
        to=to,
    )
    with report.file.open("rb") as pdf:
        message.attach(report.file.name.rsplit("/", 1)[-1], pdf.read(), "application/pdf")
    message.send()
    return True


def report_delete(report: Report) -> None:
    """The report and its file in storage."""
    name = report.file.name
    storage = report.file.storage
    report.delete()
    if name:
        transaction.on_commit(partial(storage.delete, name))


def _periods(now: datetime) -> dict[str, tuple[date, date]]:
    """The period a schedule reports on today: the last calendar week or month (local)."""
    out = {}
    for frequency, window in (
        (Frequency.WEEKLY, last_calendar_week(now)),
        (Frequency.MONTHLY, last_calendar_month(now)),
    ):
        start, end = window
        out[frequency] = (local_date(start), local_date(end) - timedelta(days=1))
    return out


def reports_schedule_due(*, now: datetime | None = None) -> WorkReport:
    """Create the due report of every enabled schedule of an active client (one per schedule
    and period: the unique constraint makes a second run create nothing) and queue their
    renders. Returns how many were created."""
    now = now or timezone.now()
    periods = _periods(now)
    schedules = ReportSchedule.objects.filter(enabled=True, client__is_active=True).values(
        "pk", "frequency", "client_id", "client__name"
    )
    new = [
        Report(
            kind=row["frequency"],
            scope_kind=ScopeKind.CLIENT,
            scope_id=row["client_id"],
            scope_name=row["client__name"][:200],
            start=periods[row["frequency"]][0],
            end=periods[row["frequency"]][1],
            schedule_id=row["pk"],
        )
        for row in schedules
    ]
    report = WorkReport(kind="scheduled_report")
    with transaction.atomic():
        before = Report.objects.filter(schedule__isnull=False).count()
        Report.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
        report.created = Report.objects.filter(schedule__isnull=False).count() - before
        due = Q()
        for frequency, (start, end) in periods.items():
            due |= Q(schedule__frequency=frequency, start=start, end=end)
        for report_id in Report.objects.filter(
            due, status=ReportStatus.PENDING, attempts=0, started_at=None
        ).values_list("pk", flat=True):
            report_render_on_commit(report_id)
        report.ok = reports_requeue_stuck(now=now)
    return report


def reports_requeue_stuck(*, now: datetime) -> int:
    """Queue again the reports whose render task was lost: pending for longer than the stale
    limit, or generating that long (their worker died). The render's claim keeps a report
    from being rendered twice at once."""
    stale = now - timedelta(seconds=settings.REPORT_RENDER_STALE_SECONDS)
    stuck = Report.objects.filter(
        Q(status=ReportStatus.PENDING, created_at__lt=stale)
        | Q(status=ReportStatus.GENERATING, started_at__lt=stale),
        attempts__lt=MAX_ATTEMPTS,
    ).values_list("pk", flat=True)[:500]
    ids = list(stuck)
    for report_id in ids:
        report_render_on_commit(report_id)
    return len(ids)
