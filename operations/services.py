"""Writes on the operations records: job runs, dead letters, installed schedules (the worker's
heartbeat and the alerts are in operations.alerts)."""

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task

from core.bulk import BATCH_SIZE
from core.jobs import ItemFailure, WorkReport, errors_summary, rows_claim
from creators.models import Account
from creators.services.tracking import (
    account_detect_batch,
    account_refresh_batch,
    accounts_retry_soon,
)
from posts.services.classification import posts_requeue_classification
from posts.services.refresh import post_refresh_ids, posts_refresh_soon

from .models import FailedItem, FailedItemKind, JobRun, JobStatus
from .queries import job_runs_abandoned

logger = logging.getLogger("operations.jobs")


def _abandoned_error() -> str:
    return (
        f"Abandoned: no sign of life for {settings.JOB_LEASE_SECONDS} s, its worker died or "
        "was stopped; the job was run again."
    )


def job_run_start(*, job: str) -> JobRun:
    """Open a run of `job`. Abandoned runs of that job (operations.queries.job_runs_abandoned)
    are closed as failed first: this run takes their work over."""
    now = timezone.now()
    job_runs_abandoned(now=now).filter(job=job).update(
        status=JobStatus.FAILED, finished_at=now, error=_abandoned_error()
    )
    return JobRun.objects.create(job=job, started_at=now, heartbeat_at=now)


def _run_errors(run: JobRun) -> Counter:
    # The errors of this run's batches so far (the run object lives as long as the run).
    if not hasattr(run, "batch_errors"):
        run.batch_errors = Counter()
    return run.batch_errors


def job_run_record(*, run: JobRun, report: WorkReport) -> None:
    """Add a batch's counts to the run (visible while it runs, and a sign of life), its
    failures to the run's error summary (each distinct error and how many items had it),
    record its dead letters and resolve those of the objects that went well."""
    errors = _run_errors(run)
    errors.update(report.errors)
    changes = {}
    if report.by_platform:
        for platform, counts in report.by_platform.items():
            mine = run.platform_counts.setdefault(platform, {})
            for outcome, count in counts.items():
                mine[outcome] = mine.get(outcome, 0) + count
        changes["platform_counts"] = run.platform_counts
    if report.failed:
        run.error = (
            errors_summary(errors, failed=run.items_failed + report.failed)
            or f"{run.items_failed + report.failed} items failed."
        )
        changes["error"] = run.error
    with transaction.atomic():
        JobRun.objects.filter(pk=run.pk).update(
            items_ok=F("items_ok") + report.ok,
            items_failed=F("items_failed") + report.failed,
            heartbeat_at=timezone.now(),
            **changes,
        )
        failed_items_record(kind=report.kind, failures=report.dead_letters)
        failed_items_resolve(kind=report.kind, objects=report.ok_objects)
    run.items_ok += report.ok
    run.items_failed += report.failed


def job_run_abandon(*, run_id: int, now: datetime) -> bool:
    """Close an abandoned run as failed, with a compare-and-set: False when it is no longer
    abandoned (finished, closed by another sweeper, or it recorded a batch meanwhile)."""
    return bool(
        job_runs_abandoned(now=now)
        .filter(pk=run_id)
        .update(status=JobStatus.FAILED, finished_at=now, error=_abandoned_error())
    )


def job_runs_recover_abandoned(
    *, job_funcs: Mapping[str, str], now: datetime | None = None
) -> list[str]:
    """Close the abandoned runs as failed and queue each of their jobs (`job_funcs`: job name
    -> task function path) once more; returns the jobs queued. With the Redis broker this is
    what brings back the work of a killed worker: the new run takes the dead run's unfinished
    items, whose claims expired within JOB_LEASE_SECONDS too. Two sweepers at once queue a run's
    job once (job_run_abandon)."""
    now = now or timezone.now()
    abandoned = list(job_runs_abandoned(now=now).values_list("pk", "job", "started_at")[:100])
    requeue = sorted(
        {
            job
            for pk, job, started_at in abandoned
            if job_run_abandon(run_id=pk, now=now)
            and job in job_funcs
            # A later run (the ORM broker's redelivery, the next schedule) does the work already.
            and not JobRun.objects.filter(job=job, started_at__gt=started_at).exists()
        }
    )
    for job in requeue:
        logger.warning(
            "Job %s was abandoned by its worker: queued again",
            job,
            extra={"event": "job_run_abandoned", "job": job},
        )
        transaction.on_commit(partial(async_task, job_funcs[job], task_name=f"{job} (recovered)"))
    return requeue


def job_run_finish(*, run: JobRun, error: BaseException | None = None) -> JobRun:
    """Close the run: failed when it crashed (with the error) or every item failed, partial
    when some did, succeeded otherwise."""
    run.refresh_from_db(fields=["items_ok", "items_failed"])
    if error is not None:
        run.status = JobStatus.FAILED
        crash = f"{type(error).__name__}: {error}"
        # The crash first, then what the items that failed before it said.
        run.error = "\n".join(filter(None, [crash, run.error]))[:5000]
    elif run.items_failed and not run.items_ok:
        run.status = JobStatus.FAILED
    elif run.items_failed:
        run.status = JobStatus.PARTIAL
    else:
        run.status = JobStatus.SUCCEEDED
    run.finished_at = timezone.now()
    # Compare-and-set: a run a sweeper already closed as abandoned keeps that verdict (its job
    # was queued again on the strength of it).
    closed = JobRun.objects.filter(pk=run.pk, status=JobStatus.RUNNING).update(
        status=run.status, error=run.error, finished_at=run.finished_at
    )
    if not closed:
        run.refresh_from_db(fields=["status", "error", "finished_at"])
    logger.log(
        logging.ERROR if run.status == JobStatus.FAILED else logging.INFO,
        "Job %s %s in %.1f s: %d ok, %d failed",
        run.job,
        run.status,
        (run.finished_at - run.started_at).total_seconds(),
        run.items_ok,
        run.items_failed,
        extra={
            "event": "job_run",
            "job": run.job,
            "run_id": run.pk,
            "status": run.status,
            "duration_s": round((run.finished_at - run.started_at).total_seconds(), 3),
            "items_ok": run.items_ok,
            "items_failed": run.items_failed,
            "error": run.error,
        },
    )
    return run


def _ref(obj: Any) -> tuple[str, str]:
    return obj._meta.label, str(obj.pk)


def failed_items_record(*, kind: str, failures: Iterable[ItemFailure]) -> None:
    """Upsert dead letters: one open row per kind and object; a new failure of an object that
    has one updates it (attempts, error, last_failed_at) instead of adding another."""
    failures = list(failures)
    if not failures:
        return
    now = timezone.now()
    by_ref = {_ref(f.obj): f for f in failures}
    open_rows = {}
    for object_type in {t for t, _ in by_ref}:
        ids = [i for t, i in by_ref if t == object_type]
        for start in range(0, len(ids), BATCH_SIZE):
            for row in FailedItem.objects.filter(
                kind=kind,
                object_type=object_type,
                object_id__in=ids[start : start + BATCH_SIZE],
                resolved_at__isnull=True,
            ):
                open_rows[(row.object_type, row.object_id)] = row
    new, changed = [], []
    for (object_type, object_id), failure in by_ref.items():
        row = open_rows.get((object_type, object_id))
        if row is None:
            new.append(
                FailedItem(
                    kind=kind,
                    object_type=object_type,
                    object_id=object_id,
                    object_label=failure.label[:300],
                    object_url=failure.url[:500],
                    error=failure.error,
                    attempts=failure.attempts,
                    first_failed_at=now,
                    last_failed_at=now,
                )
            )
        else:
            row.attempts = max(failure.attempts, row.attempts + 1)
            row.error = failure.error
            row.last_failed_at = now
            changed.append(row)
    # ignore_conflicts: a duplicate delivery recording the same failure at once adds nothing.
    FailedItem.objects.bulk_create(new, ignore_conflicts=True, batch_size=BATCH_SIZE)
    FailedItem.objects.bulk_update(
        changed, ["attempts", "error", "last_failed_at"], batch_size=BATCH_SIZE
    )


def failed_items_resolve(*, kind: str, objects: Iterable[Any]) -> int:
    """Resolve the open dead letters of `objects` (they went well); returns how many."""
    ids_by_type: dict[str, list[str]] = {}
    for obj in objects:
        object_type, object_id = _ref(obj)
        ids_by_type.setdefault(object_type, []).append(object_id)
    resolved, now = 0, timezone.now()
    for object_type, ids in ids_by_type.items():
        for start in range(0, len(ids), BATCH_SIZE):
            resolved += FailedItem.objects.filter(
                kind=kind,
                object_type=object_type,
                object_id__in=ids[start : start + BATCH_SIZE],
                resolved_at__isnull=True,
            ).update(resolved_at=now)
    return resolved


def schedules_sync(*, declared: Mapping[str, Mapping[str, Any]], ours_prefix: str) -> dict:
    """Install the declared schedules (name -> Schedule fields) idempotently and remove ours
    (func under `ours_prefix`) that are no longer declared. A schedule's next run is kept."""
    counts = {"created": 0, "updated": 0, "removed": 0}
    with transaction.atomic():
        for name, fields in declared.items():
            rows = list(Schedule.objects.filter(name=name).order_by("id"))
            if not rows:
                Schedule.objects.create(name=name, repeats=-1, **fields)
                counts["created"] += 1
                continue
            keep, extra = rows[0], rows[1:]
            if extra:
                Schedule.objects.filter(pk__in=[s.pk for s in extra]).delete()
                counts["removed"] += len(extra)
            wanted = {"repeats": -1, **fields}
            if any(getattr(keep, key) != value for key, value in wanted.items()):
                for key, value in wanted.items():
                    setattr(keep, key, value)
                keep.save(update_fields=list(wanted))
                counts["updated"] += 1
        removed, _ = (
            Schedule.objects.filter(func__startswith=ours_prefix)
            .exclude(name__in=list(declared))
            .delete()
        )
        counts["removed"] += removed
    return counts


def failed_items_retry(*, items: QuerySet[FailedItem]) -> int:
    """Replay dead letters: their objects become due on the next run of their job (the dead
    letter is resolved when that run succeeds). Returns how many objects were reset."""
    ids: dict[str, list[int]] = {}
    for kind, object_id in items.values_list("kind", "object_id").iterator():
        if object_id.isdigit():
            ids.setdefault(kind, []).append(int(object_id))
    count = 0
    for kind, object_ids in ids.items():
        for start in range(0, len(object_ids), BATCH_SIZE):
            chunk = object_ids[start : start + BATCH_SIZE]
            if kind == FailedItemKind.POST_REFRESH:
                count += posts_refresh_soon(ids=chunk)
            elif kind in (FailedItemKind.ACCOUNT_REFRESH, FailedItemKind.NEW_POST_DETECTION):
                count += accounts_retry_soon(ids=chunk, work=kind)
            elif kind == FailedItemKind.AI_CLASSIFICATION:
                count += posts_requeue_classification(ids=chunk)
    return count


def failed_items_close(*, items: QuerySet[FailedItem]) -> int:
    """Resolve dead letters by hand (the operator settled them); returns how many."""
    return items.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())


REPLAY_JOB = "replay_dead_letters"


@dataclass
class ReplayReport:
    """What a replay did: objects tried now (ok / failed again) and objects queued for their
    job's next run (AI classifications, and any beyond REPLAY_NOW_MAX)."""

    ok: int = 0
    failed: int = 0
    queued: int = 0
    run_id: int | None = None
    skipped: list[str] = field(default_factory=list)


def _claimed_accounts(ids: list[int], *, claim_field: str, now: datetime) -> list[Account]:
    claimed = rows_claim(
        Account.objects.filter(pk__in=ids),
        claim_field=claim_field,
        now=now,
        limit=len(ids),
        order_by=["id"],
    )
    return list(Account.objects.filter(pk__in=claimed).order_by("pk"))


def _replay_batch(kind: str, ids: list[int], *, now: datetime) -> WorkReport:
    if kind == FailedItemKind.POST_REFRESH:
        return post_refresh_ids(ids=ids, now=now)
    if kind == FailedItemKind.ACCOUNT_REFRESH:
        accounts = _claimed_accounts(ids, claim_field="stats_claimed_until", now=now)
        return account_refresh_batch(accounts=accounts, now=now) if accounts else WorkReport(kind)
    accounts = _claimed_accounts(ids, claim_field="detect_claimed_until", now=now)
    return account_detect_batch(accounts=accounts, now=now) if accounts else WorkReport(kind)


def failed_items_replay(
    *, items: QuerySet[FailedItem], now: datetime | None = None
) -> ReplayReport:
    """Replay open dead letters now, through the batch services their jobs use, recorded as a
    `replay_dead_letters` run: an object that succeeds resolves its dead letter, one that fails
    again updates it (attempts, error). AI classifications are queued for the next
    `classify_posts` run instead (AI calls are slow and rate-limited), as are the objects
    beyond REPLAY_NOW_MAX (see failed_items_retry)."""
    now = now or timezone.now()
    report = ReplayReport()
    open_items = items.filter(resolved_at__isnull=True)
    now_rows = list(
        open_items.exclude(kind=FailedItemKind.AI_CLASSIFICATION)
        .order_by("-last_failed_at", "-id")
        .values_list("pk", "kind", "object_id")[: settings.REPLAY_NOW_MAX]
    )
    report.queued = failed_items_retry(
        items=open_items.exclude(pk__in=[pk for pk, _, _ in now_rows])
    )
    by_kind: dict[str, list[int]] = {}
    for _, kind, object_id in now_rows:
        if object_id.isdigit():
            by_kind.setdefault(kind, []).append(int(object_id))
    if not by_kind:
        return report
    run = job_run_start(job=REPLAY_JOB)
    report.run_id = run.pk
    try:
        for kind, ids in by_kind.items():
            batch = _replay_batch(kind, ids, now=now)
            job_run_record(run=run, report=batch)
            report.ok += batch.ok
            report.failed += batch.failed
    except BaseException as error:
        job_run_finish(run=run, error=error)
        raise
    job_run_finish(run=run)
    return report
