"""The scheduled jobs and their schedules, all declared here.

Each job opens a JobRun, calls its app's service batch by batch, records every batch's report
(counts, dead letters, resolved dead letters) and closes the run; a crash marks the run failed
with the error and re-raises, so django-q2 records the failure too. Delivery is at-least-once:
the services claim their work, so two deliveries running at once never share an item.

`manage.py sync_schedules` installs SCHEDULES (also run by `manage.py serve`).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.conf import settings
from django_q.models import Schedule

from creators.services import account_detect_new_posts_due, account_refresh_due
from posts.services import WorkReport, post_refresh_due

from .models import JobRun
from .services import job_run_finish, job_run_record, job_run_start

OURS = "operations.jobs."

# name -> django-q2 Schedule fields. Every periodic job of CreatorOps is declared here.
SCHEDULES: dict[str, dict] = {
    "refresh_post_stats": {
        "func": f"{OURS}refresh_post_stats",
        "schedule_type": Schedule.MINUTES,
        "minutes": 10,  # each post is due by its age (REFRESH_CADENCE); this picks them up
    },
    "refresh_account_stats": {
        "func": f"{OURS}refresh_account_stats",
        "schedule_type": Schedule.HOURLY,  # each account is due daily (ACCOUNT_REFRESH_HOURS)
        "minutes": None,
    },
    "detect_new_posts": {
        "func": f"{OURS}detect_new_posts",
        "schedule_type": Schedule.MINUTES,
        "minutes": 30,
    },
}

OnBatch = Callable[[WorkReport], None] | None


@contextmanager
def job_run(job: str) -> Iterator[JobRun]:
    """Record one run of `job`: opened now, closed when the block ends, failed on a crash."""
    run = job_run_start(job=job)
    try:
        yield run
    except BaseException as error:
        job_run_finish(run=run, error=error)
        raise
    job_run_finish(run=run)


def _recorder(run: JobRun, on_batch: OnBatch) -> Callable[[WorkReport], None]:
    def record(report: WorkReport) -> None:
        job_run_record(run=run, report=report)
        if on_batch is not None:
            on_batch(report)

    return record


def refresh_post_stats(*, now: datetime | None = None, on_batch: OnBatch = None) -> int:
    """Refresh the stats of the due posts; returns the JobRun id."""
    with job_run("refresh_post_stats") as run:
        post_refresh_due(
            now=now, time_budget=settings.JOB_PASS_SECONDS, on_batch=_recorder(run, on_batch)
        )
    return run.pk


def refresh_account_stats(*, now: datetime | None = None, on_batch: OnBatch = None) -> int:
    """Refresh the profiles of the due accounts (daily each); returns the JobRun id."""
    with job_run("refresh_account_stats") as run:
        account_refresh_due(
            now=now, time_budget=settings.JOB_PASS_SECONDS, on_batch=_recorder(run, on_batch)
        )
    return run.pk


def detect_new_posts(*, now: datetime | None = None, on_batch: OnBatch = None) -> int:
    """Look for new posts on the tracked accounts; returns the JobRun id."""
    with job_run("detect_new_posts") as run:
        account_detect_new_posts_due(
            now=now, time_budget=settings.JOB_PASS_SECONDS, on_batch=_recorder(run, on_batch)
        )
    return run.pk
