"""The scheduled jobs and their schedules, all declared here.

Each job opens a JobRun, calls its app's service batch by batch, records every batch's report
(counts, dead letters, resolved dead letters) and closes the run; a crash marks the run failed
with the error and re-raises, so django-q2 records the failure too. Delivery is at-least-once:
the services claim their work, so two deliveries running at once never share an item. A run
whose worker died (with Redis its task is lost) is closed and its job queued again by
`recover_abandoned_runs`.

`manage.py sync_schedules` installs SCHEDULES (operations.schedules; also run by
`manage.py serve`).
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from ai.errors import AINotConfigured
from analytics.audience.services import audiences_fetch
from analytics.best_time import best_time_settle
from analytics.mentions import mentions_find, mentions_judge
from analytics.reports.services import reports_schedule_due
from analytics.services.rollups import daily_metrics_nightly
from core.api.idempotency import idempotency_records_purge
from core.counters import counter_prune
from core.jobs import WorkReport
from creators.queries import account_ids_touched_since
from creators.services.retention import account_snapshots_thin
from creators.services.tracking import account_detect_new_posts_due, account_refresh_due
from finance.metrics import account_figures_recompute
from finance.services import finance_statements_recompute
from notifications.services import notifications_deliver
from posts.services.classification import post_classify_pending
from posts.services.refresh import post_refresh_due
from posts.services.retention import post_snapshots_thin
from publishing.services.media import media_uploads_cleanup
from publishing.services.oauth import connection_refresh_expiring
from publishing.services.platforms import platform_publisher
from publishing.services.publisher import publishing_pass
from publishing.services.sweep import targets_sweep_missed
from workflow.services.reminders import tasks_remind_due

from .alerts import (
    alerts_check,
    daily_digest_send,
    heartbeat_beat,
    heartbeat_stamp,
)
from .models import JobRun
from .queries import PUBLISHER_HEARTBEAT
from .schedules import SCHEDULES
from .services import (
    job_run_finish,
    job_run_record,
    job_run_start,
    job_runs_recover_abandoned,
)

OnBatch = Callable[[WorkReport], None] | None


@contextmanager
def job_run(job: str, *, cannot_run: tuple[type[Exception], ...] = ()) -> Iterator[JobRun]:
    """Record one run of `job`: opened now, closed when the block ends, failed on a crash.
    A `cannot_run` error (e.g. not configured) fails the run with its reason but is not
    re-raised: retrying the task would not help."""
    run = job_run_start(job=job)
    try:
        yield run
    except cannot_run as error:
        job_run_finish(run=run, error=error)
        return
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


def _recompute_touched_accounts(run: JobRun, now: datetime | None) -> None:
    # Refreshed rows carry the pass's moment: the injected `now`, else the real clock.
    since = now or run.started_at
    account_ids = account_ids_touched_since(since)
    if account_ids:
        account_figures_recompute(account_ids=account_ids, now=now)


def _pass(job: str, service, *, now, on_batch: OnBatch, then_recompute: bool = False, **kw):
    """One run of `job`: the service's pass with the job's time budget, each batch recorded;
    with `then_recompute`, the figures of the accounts it touched. Returns the JobRun id."""
    with job_run(job, **kw) as run:
        service(now=now, time_budget=settings.JOB_PASS_SECONDS, on_batch=_recorder(run, on_batch))
        if then_recompute:
            _recompute_touched_accounts(run, now)
    return run.pk


def refresh_post_stats(*, now: datetime | None = None, on_batch: OnBatch = None) -> int:
    """Refresh the stats of the due posts, then the metrics of their accounts; returns the
    JobRun id."""
    return _pass(
        "refresh_post_stats", post_refresh_due, now=now, on_batch=on_batch, then_recompute=True
    )


def refresh_account_stats(*, now: datetime | None = None, on_batch: OnBatch = None) -> int:
    """Refresh the profiles of the due accounts (daily each), then their metrics; returns the
    JobRun id."""
    return _pass(
        "refresh_account_stats",
        account_refresh_due,
        now=now,
        on_batch=on_batch,
        then_recompute=True,
    )


def recompute_account_metrics(*, now: datetime | None = None) -> int:
    """The nightly full pass over every account's metrics; returns the JobRun id."""
    with job_run("recompute_account_metrics") as run:
        recomputed = account_figures_recompute(now=now)
        job_run_record(run=run, report=WorkReport(kind="account_metrics", ok=recomputed))
    return run.pk


def detect_new_posts(*, now: datetime | None = None, on_batch: OnBatch = None) -> int:
    """Look for new posts on the tracked accounts; returns the JobRun id."""
    return _pass("detect_new_posts", account_detect_new_posts_due, now=now, on_batch=on_batch)


def classify_posts(*, now: datetime | None = None, on_batch: OnBatch = None) -> int:
    """Classify the pending posts with the AI (specs/ai.md); returns the JobRun id.

    Without a usable API key (or with an empty taxonomy) nothing is sent and the run is
    recorded as failed with the reason ("AI not configured: …"); the task itself does not
    fail, since running it again would not help."""
    return _pass(
        "classify_posts",
        post_classify_pending,
        now=now,
        on_batch=on_batch,
        cannot_run=(AINotConfigured,),
    )


def process_creator_payments(*, now: datetime | None = None) -> int:
    """Recompute the draft statements of the current and previous month (specs/finance.md);
    approved and paid ones stay frozen. Returns the JobRun id."""
    with job_run("process_creator_payments") as run:
        report = finance_statements_recompute(now=now)
        job_run_record(
            run=run, report=WorkReport(kind="payout_statements", ok=report.created + report.updated)
        )
    return run.pk


def thin_snapshots(*, now: datetime | None = None, on_batch: OnBatch = None) -> int:
    """Thin the post and account snapshots older than SNAPSHOT_FULL_DAYS to one per local day
    (the day's last), in short batches; returns the JobRun id. A pass cut by the time budget
    is carried on by the next run."""
    with job_run("thin_snapshots") as run:
        record = _recorder(run, on_batch)
        started, budget = time.monotonic(), settings.JOB_PASS_SECONDS
        # Accounts first (the small table), then the posts in what is left of the budget.
        account_snapshots_thin(now=now, time_budget=budget / 4, on_batch=record)
        left = budget - (time.monotonic() - started)
        post_snapshots_thin(now=now, time_budget=left, on_batch=record)
    return run.pk


def rollup_daily_metrics(*, now: datetime | None = None) -> int:
    """The analytics rollups (specs/analytics.md): yesterday's DailyAccountMetric rows, and the
    days before it repaired. Idempotent (an upsert). Returns the JobRun id."""
    with job_run("rollup_daily_metrics") as run:
        report = daily_metrics_nightly(now=now)
        job_run_record(run=run, report=WorkReport(kind="daily_account_metrics", ok=report.rows))
    return run.pk


def heartbeat(*, now: datetime | None = None) -> None:
    """Stamp the worker's heartbeat (the health endpoint says "down" when it goes stale), and
    drop the rate counters whose window ended: strangers choose the login usernames, so their
    rows must not pile up, and a login should not pay for the clean-up."""
    heartbeat_beat(now=now)
    counter_prune()


def recover_abandoned_runs(*, now: datetime | None = None) -> list[str]:
    """Close the runs their worker abandoned and queue their jobs again; returns those jobs."""
    return job_runs_recover_abandoned(
        job_funcs={name: spec["func"] for name, spec in SCHEDULES.items()}, now=now
    )


def send_alerts(*, now: datetime | None = None) -> int:
    """Send the alerts of new conditions (each once until it clears); returns the JobRun id."""
    with job_run("send_alerts") as run:
        report = alerts_check(now=now)
        job_run_record(run=run, report=WorkReport(kind="alerts", ok=len(report.sent)))
    return run.pk


def daily_digest(*, now: datetime | None = None) -> int:
    """Send the day's digest to the operators (once a day); returns the JobRun id."""
    with job_run("daily_digest") as run:
        sent = daily_digest_send(now=now)
        job_run_record(run=run, report=WorkReport(kind="digest", ok=int(sent)))
    return run.pk


def publish_due_targets(*, now: datetime | None = None) -> int | None:
    """Publish the due targets and settle those awaiting the platform (expired leases included)
    through the platforms' publishers (specs/publishing.md §4); returns the JobRun id, or None
    for an idle pass.

    It runs every minute and most minutes have nothing due, so a JobRun is recorded only when
    the pass did work (a target published, failed, deferred, reconciled, a lease expired, a
    post tracked) or crashed: 1 440 empty runs a day would bury the runs that matter in the
    dashboard's recent runs and the job-runs list, and grow the table for nothing. That it
    runs at all is the `publisher` heartbeat, stamped every pass (shown in the health details
    next to the sweep's count of due targets nobody claimed)."""
    started = timezone.now()
    heartbeat_stamp(name=PUBLISHER_HEARTBEAT, now=started)
    try:
        report = publishing_pass(publisher_for=platform_publisher, now=now)
    except BaseException as error:
        run = job_run_start(job="publish_due_targets")
        job_run_finish(run=run, error=error)
        raise
    if not report.handled:
        return None
    run = job_run_start(job="publish_due_targets")
    JobRun.objects.filter(pk=run.pk).update(started_at=started)
    run.started_at = started
    job_run_record(run=run, report=report)
    job_run_finish(run=run)
    return run.pk


def sweep_missed_targets(*, now: datetime | None = None) -> int:
    """Report the due targets nobody claimed (a stopped publisher) as the run's failed items;
    returns the JobRun id."""
    with job_run("sweep_missed_targets") as run:
        job_run_record(run=run, report=targets_sweep_missed(now=now))
    return run.pk


def refresh_connection_tokens(*, now: datetime | None = None) -> int:
    """Refresh the publishing connections' tokens that expire before the next run; returns the
    JobRun id."""
    with job_run("refresh_connection_tokens") as run:
        job_run_record(run=run, report=connection_refresh_expiring(now=now))
    return run.pk


def purge_idempotency_records(*, now: datetime | None = None) -> int:
    """Delete the Idempotency-Key answers older than their TTL; returns the JobRun id."""
    with job_run("purge_idempotency_records") as run:
        purged = idempotency_records_purge(now=now)
        job_run_record(run=run, report=WorkReport(kind="idempotency_records", ok=purged))
    return run.pk


def remind_due_tasks(*, now: datetime | None = None) -> int:
    """Remind the creator and assignee of content tasks due within 24 h or overdue, once per
    due time (workflow.services.reminders); returns the JobRun id."""
    with job_run("remind_due_tasks") as run:
        job_run_record(run=run, report=tasks_remind_due(now=now))
    return run.pk


def deliver_notifications(*, now: datetime | None = None) -> int | None:
    """Send people's notifications by e-mail and Slack; returns the JobRun id, recorded only
    when something was sent or failed (it runs every minute: empty runs would drown the rest)."""
    report = notifications_deliver(now=now)
    if not (report.ok or report.failed):
        return None
    with job_run("deliver_notifications") as run:
        job_run_record(run=run, report=report)
    return run.pk


def cleanup_media_uploads(*, now: datetime | None = None) -> int:
    """Remove the direct uploads never confirmed (their object, then their row); returns the
    JobRun id."""
    with job_run("cleanup_media_uploads") as run:
        job_run_record(run=run, report=media_uploads_cleanup(now=now))
    return run.pk


def create_scheduled_reports(*, now: datetime | None = None) -> int:
    """Create the due scheduled reports (last calendar week / month) and queue their renders;
    each is e-mailed to its client when ready. Returns the JobRun id."""
    with job_run("create_scheduled_reports") as run:
        job_run_record(run=run, report=reports_schedule_due(now=now))
    return run.pk


def fetch_audiences(*, now: datetime | None = None) -> int:
    """Store today's audience demographics of every connected Instagram and YouTube account
    not fetched yet today (analytics.audience); returns the JobRun id."""
    with job_run("fetch_audiences") as run:
        job_run_record(run=run, report=audiences_fetch(now=now))
    return run.pk


def settle_best_time(*, now: datetime | None = None) -> int:
    """Store the first-24-h views of the posts whose window closed (analytics.best_time), so
    the heat map reads them instead of probing each post's snapshots; returns the JobRun id."""
    with job_run("settle_best_time") as run:
        job_run_record(run=run, report=best_time_settle(now=now))
    return run.pk


def find_mentions(*, now: datetime | None = None) -> int:
    """Record new brand mentions in tracked posts, then ask the AI (when configured) for the
    sentiment of those not judged yet (analytics.mentions); returns the JobRun id."""
    with job_run("find_mentions") as run:
        job_run_record(run=run, report=mentions_find(now=now))
        job_run_record(run=run, report=mentions_judge())
    return run.pk
