"""Writes on the operations records: job runs, dead letters, installed schedules."""

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django_q.models import Schedule

from core.bulk import BATCH_SIZE
from creators.services import accounts_retry_soon
from posts.services import (
    ItemFailure,
    WorkReport,
    posts_refresh_soon,
    posts_requeue_classification,
)

from .models import FailedItem, FailedItemKind, JobRun, JobStatus

INTERRUPTED = "Interrupted: the worker stopped or the job timed out before the run finished."


def job_run_start(*, job: str) -> JobRun:
    """Open a run of `job`. Runs of that job still "running" after the queue's retry delay were
    killed (timeout, worker stopped): they are closed as failed first."""
    now = timezone.now()
    JobRun.objects.filter(
        job=job,
        status=JobStatus.RUNNING,
        started_at__lt=now - timedelta(seconds=settings.Q_CLUSTER["retry"]),
    ).update(status=JobStatus.FAILED, finished_at=now, error=INTERRUPTED)
    return JobRun.objects.create(job=job, started_at=now)


def job_run_record(*, run: JobRun, report: WorkReport) -> None:
    """Add a batch's counts to the run (visible while it runs), record its dead letters and
    resolve those of the objects that went well."""
    with transaction.atomic():
        JobRun.objects.filter(pk=run.pk).update(
            items_ok=F("items_ok") + report.ok, items_failed=F("items_failed") + report.failed
        )
        failed_items_record(kind=report.kind, failures=report.dead_letters)
        failed_items_resolve(kind=report.kind, objects=report.ok_objects)
    run.items_ok += report.ok
    run.items_failed += report.failed


def job_run_finish(*, run: JobRun, error: BaseException | None = None) -> JobRun:
    """Close the run: failed when it crashed (with the error) or every item failed, partial
    when some did, succeeded otherwise."""
    run.refresh_from_db(fields=["items_ok", "items_failed"])
    if error is not None:
        run.status = JobStatus.FAILED
        run.error = f"{type(error).__name__}: {error}"[:5000]
    elif run.items_failed and not run.items_ok:
        run.status = JobStatus.FAILED
    elif run.items_failed:
        run.status = JobStatus.PARTIAL
    else:
        run.status = JobStatus.SUCCEEDED
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
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
