"""Snapshot retention (issue 21): every snapshot for SNAPSHOT_FULL_DAYS, then one per local day.

A snapshot older than the cutoff is deleted when a later snapshot of the same owner falls on
the same local day (the agency's TIME_ZONE), so each day keeps its last. Two more rows are kept
so that every figure of specs/metrics.md at day resolution stays the same:
- the owner's first snapshot ever (rule 3 of `X@t`, `followers_since_start_of_growth`);
- a snapshot taken exactly at local midnight: `X@midnight` reads `captured_at <= midnight`,
  so it, not the previous day's last, is the value at that day boundary;
- for accounts, the snapshot that is `followers@post_date` of one of their posts (the
  engagement rate of a post without views; creators.services.retention).

The rule is "a later one the same day exists": the day's last never matches, so the deletes
can run in any order, in batches of primary-key ranges (short statements, short locks), and a
second run deletes nothing. `accounts` (creators.services.retention) share this function.

Runs are incremental (core.JobProgress, per table): a pass looks only at the snapshots captured
since the cutoff of the last completed one. Snapshots are written at capture time, so an old
day gets no new rows; one imported into a day already thinned stays until a full pass.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import (
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Model,
    OuterRef,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from core.jobs import WorkReport
from core.models import JobProgress
from core.windows import agency_timezone, start_of_day

from ..models import PostSnapshot

# Primary keys per DELETE statement: each batch is one short transaction.
THIN_BATCH_IDS = 20_000
# A local day lasts at most 25 hours (DST); the "same day" probe looks no further.
LONGEST_DAY = timedelta(hours=25)
_JUST_BEFORE = timedelta(microseconds=1)

OnBatch = Callable[[WorkReport], None] | None


def retention_cutoff(now: datetime) -> datetime:
    """The local midnight before which snapshots are thinned: whole days only, so every
    snapshot of a thinned day is older than SNAPSHOT_FULL_DAYS."""
    return start_of_day(now - timedelta(days=settings.SNAPSHOT_FULL_DAYS))


def _thinnable(model: type[Model], owner: str, cutoff: datetime, keep: Exists | None):
    """The snapshots of `model` (owned through the `owner` column) older than `cutoff` that a
    later snapshot of the same local day makes redundant, except those `keep` holds for."""
    zone = agency_timezone()
    peers = model._default_manager.filter(**{owner: OuterRef(owner)}).order_by()
    later_same_day = (
        peers.filter(
            captured_at__gt=OuterRef("captured_at"),
            captured_at__lt=OuterRef("captured_at") + LONGEST_DAY,
        )
        .annotate(day=TruncDate("captured_at", tzinfo=zone))
        .filter(day=OuterRef("day"))
    )
    earlier = peers.filter(captured_at__lt=OuterRef("captured_at"))
    moment_before = ExpressionWrapper(F("captured_at") - _JUST_BEFORE, DateTimeField())
    doomed = (
        model._default_manager.filter(captured_at__lt=cutoff)
        .annotate(
            day=TruncDate("captured_at", tzinfo=zone),
            day_of_moment_before=TruncDate(moment_before, tzinfo=zone),
        )
        # Not at local midnight (the moment before it is on the same day), not the first.
        .filter(day=F("day_of_moment_before"))
        .filter(Exists(later_same_day), Exists(earlier))
    )
    return doomed if keep is None else doomed.filter(~keep)


def _progress(model: type[Model]) -> JobProgress:
    progress, _ = JobProgress.objects.get_or_create(name=f"thin_snapshots:{model._meta.label}")
    return progress


def _progress_save(progress: JobProgress, **fields) -> None:
    for name, value in fields.items():
        setattr(progress, name, value)
    progress.save(update_fields=[*fields, "updated_at"])


def _pass_run(model, doomed, progress: JobProgress, *, batch_ids, deadline, report, on_batch):
    """Go on with the pass `progress` holds (snapshots from `done_before` to `target`) from its
    `next_id`, one primary-key range at a time, each delete and the new position in one short
    transaction; returns True when the pass is complete."""
    window = doomed.filter(captured_at__lt=progress.target)
    if progress.done_before is not None:
        window = window.filter(captured_at__gte=progress.done_before)
    high = model._default_manager.aggregate(high=Max("pk"))["high"] or 0
    start = progress.next_id
    while start <= high:
        if deadline is not None and time.monotonic() > deadline:
            return False
        ids = window.filter(pk__gte=start, pk__lt=start + batch_ids).values("pk")
        with transaction.atomic():
            deleted, _ = model._default_manager.filter(pk__in=ids).delete()
            start += batch_ids
            _progress_save(progress, next_id=start)
        batch = WorkReport(kind=report.kind, ok=deleted, batches=1)
        report.add_counts(batch)
        if on_batch is not None:
            on_batch(batch)
    _progress_save(progress, done_before=progress.target, target=None, next_id=None)
    return True


def snapshots_thin(
    model: type[Model],
    *,
    owner: str,
    kind: str,
    keep: Exists | None = None,
    now: datetime | None = None,
    batch_ids: int = THIN_BATCH_IDS,
    time_budget: float | None = None,
    on_batch: OnBatch = None,
) -> WorkReport:
    """Delete the snapshots of `model` that retention does not keep, one primary-key range of
    `batch_ids` at a time, each in its own short transaction (`keep`: an extra condition on the
    snapshot row that keeps it). Incremental: a pass looks only at the snapshots captured
    between the cutoff of the last completed pass and today's (JobProgress), so a run on a
    table already thinned scans nothing; after `time_budget` seconds it stops and the next
    run goes on from the range where it stopped. Returns the totals; `ok` is the number of
    snapshots deleted."""
    cutoff = retention_cutoff(now or timezone.now())
    deadline = None if time_budget is None else time.monotonic() + time_budget
    total = WorkReport(kind=kind)
    doomed = _thinnable(model, owner, cutoff, keep)
    progress = _progress(model)
    while True:
        if progress.target is None:
            if progress.done_before is not None and progress.done_before >= cutoff:
                return total
            low = model._default_manager.aggregate(low=Min("pk"))["low"]
            if low is None:
                return total
            _progress_save(progress, target=cutoff, next_id=low)
        elif progress.target > cutoff:  # SNAPSHOT_FULL_DAYS grew since the pass began
            _progress_save(progress, target=cutoff)
        options = {"batch_ids": batch_ids, "deadline": deadline, "on_batch": on_batch}
        if not _pass_run(model, doomed, progress, report=total, **options):
            return total


def post_snapshots_thin(
    *,
    now: datetime | None = None,
    batch_ids: int = THIN_BATCH_IDS,
    time_budget: float | None = None,
    on_batch: OnBatch = None,
) -> WorkReport:
    """Thin the posts' snapshots older than SNAPSHOT_FULL_DAYS to one per post and local day
    (the day's last); returns the counts (`ok`: snapshots deleted)."""
    return snapshots_thin(
        PostSnapshot,
        owner="post_id",
        kind="post_snapshots_thinned",
        now=now,
        batch_ids=batch_ids,
        time_budget=time_budget,
        on_batch=on_batch,
    )
