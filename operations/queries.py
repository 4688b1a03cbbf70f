"""Reads for the operations boards."""

from django.db.models import QuerySet

from .models import FailedItem, JobRun


def job_runs_latest(*, jobs) -> dict[str, JobRun | None]:
    """The latest run of each job (one small query per job, on the (job, -started_at) index)."""
    return {
        job: JobRun.objects.filter(job=job).order_by("-started_at", "-id").first() for job in jobs
    }


def failed_items_open(*, kind: str | None = None) -> QuerySet[FailedItem]:
    """Dead letters still open, most recent failure first."""
    queryset = FailedItem.objects.filter(resolved_at__isnull=True)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("-last_failed_at", "-id")
