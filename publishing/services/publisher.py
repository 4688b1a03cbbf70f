"""The publisher's state machine (specs/publishing.md §4): at most once, never silently.

scheduled/deferred → publishing (claimed by compare-and-set, with a lease) → prepare (every
remote handle checkpointed in the row before the next call) → commit marker
(`commit_started_at`, written before the one irreversible call) → commit → published.
A failure before the commit is classed by the error table (retry with bounded backoff, new
container, defer, needs_reauth, final). Anything that goes wrong once the commit started
sends the target to `awaiting_remote`: it is reconciled, never retried blindly; still unknown
after PUBLISH_UNCONFIRMED_AFTER_SECONDS it becomes `unconfirmed` (never published again
automatically). An expired lease (the worker died) also goes to reconciliation.

The lease (PUBLISH_LEASE_SECONDS) must outlast the platform clients' own timeouts, so that a
live worker's commit is never reconciled while it is still in flight.
"""

import queue
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection as db_connection
from django.db import connections as db_connections
from django.db.models import F
from django.utils import timezone

from core.jobs import WorkReport, error_text

from ..choices import DUE_STATES, AttemptStep, ConnectionStatus, TargetState
from ..hooks import target_failed_on_commit, target_published_on_commit
from ..models import PublishAttempt, PublishTarget
from .notices import target_notify_outcome
from .oauth import connection_token_rejected
from .steps import (
    UNKNOWN,
    MediaRef,
    Outcome,
    PublishedRef,
    Publisher,
    PublishError,
    TargetRequest,
)
from .tracking import targets_track_due

PublisherFor = Callable[[str], Publisher]  # platform -> its publisher


class LeaseLost(Exception):
    """The target is no longer ours (its lease expired and it was taken to reconciliation)."""


def _lease(now: datetime) -> datetime:
    return now + timedelta(seconds=settings.PUBLISH_LEASE_SECONDS)


def publish_backoff(*, retries: int, retry_after: float | None = None) -> timedelta:
    """How long a retryable failure waits: the platform's Retry-After when it says, else
    PUBLISH_BACKOFF_SECONDS * 2^(retries-1); both capped at PUBLISH_BACKOFF_MAX_SECONDS."""
    seconds = retry_after or settings.PUBLISH_BACKOFF_SECONDS * 2 ** max(retries - 1, 0)
    return timedelta(seconds=min(seconds, settings.PUBLISH_BACKOFF_MAX_SECONDS))


# --- Claims ------------------------------------------------------------------------------------


def targets_claim_due(*, now: datetime, limit: int, exclude: set[int] = frozenset()) -> list[int]:
    """Claim up to `limit` due targets, oldest due first, each with the spec's compare-and-set
    (a target another worker took in between is skipped; `exclude`: already handled in this
    pass). Returns the claimed ids."""
    candidates = PublishTarget.objects.filter(state__in=DUE_STATES, next_attempt_at__lte=now)
    if exclude:
        candidates = candidates.exclude(pk__in=exclude)
    ids = candidates.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit]
    claimed = []
    for pk in ids:
        taken = PublishTarget.objects.filter(
            pk=pk, state__in=DUE_STATES, next_attempt_at__lte=now
        ).update(
            state=TargetState.PUBLISHING,
            lease_until=_lease(now),
            attempt=F("attempt") + 1,
            updated_at=now,
        )
        if taken == 1:
            claimed.append(pk)
    return claimed


def targets_expire_leases(*, now: datetime, limit: int = 500) -> list[int]:
    """Targets whose worker died mid-publish (lease past) go to reconciliation, never straight
    back to `scheduled`: the commit may have happened. Returns their ids."""
    stale = PublishTarget.objects.filter(state=TargetState.PUBLISHING, lease_until__lt=now)
    expired = []
    for pk, number in stale.order_by("lease_until").values_list("pk", "attempt")[:limit]:
        moved = PublishTarget.objects.filter(
            pk=pk, state=TargetState.PUBLISHING, lease_until__lt=now
        ).update(
            state=TargetState.AWAITING_REMOTE,
            lease_until=None,
            next_attempt_at=now,
            updated_at=now,
        )
        if moved == 1:
            expired.append(pk)
            PublishAttempt.objects.create(
                target_id=pk,
                number=number,
                step=AttemptStep.LEASE_EXPIRED,
                started_at=now,
                finished_at=now,
                outcome=TargetState.AWAITING_REMOTE,
                error_class="lease_expired",
                error="The worker publishing this target stopped; reconciling.",
            )
    return expired


def targets_claim_reconcile(
    *, now: datetime, limit: int, exclude: set[int] = frozenset()
) -> list[int]:
    """Claim targets awaiting the platform whose next look is due: their next look moves a
    lease ahead, so two workers never reconcile (and commit again) the same target."""
    due = PublishTarget.objects.filter(state=TargetState.AWAITING_REMOTE, next_attempt_at__lte=now)
    if exclude:
        due = due.exclude(pk__in=exclude)
    claimed = []
    for pk in due.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit]:
        taken = PublishTarget.objects.filter(
            pk=pk, state=TargetState.AWAITING_REMOTE, next_attempt_at__lte=now
        ).update(next_attempt_at=_lease(now), updated_at=now)
        if taken == 1:
            claimed.append(pk)
    return claimed


# --- The steps ---------------------------------------------------------------------------------


def target_request(target: PublishTarget) -> TargetRequest:
    """The plain data the platform steps get for `target`."""
    post = target.post
    items = post.media_items.select_related("asset").order_by("position")
    media = tuple(
        MediaRef(
            name=item.asset.file.name,
            kind=item.asset.kind,
            mime=item.asset.mime,
            size=item.asset.size,
            width=item.asset.width,
            height=item.asset.height,
            duration_s=item.asset.duration_s,
        )
        for item in items
    )
    return TargetRequest(
        target_id=target.pk,
        platform=target.connection.platform,
        connection_id=target.connection_id,
        caption=post.caption,
        title=post.title,
        hashtags=tuple(post.hashtags or ()),
        media=media,
        options={**(post.options or {}), **(target.options or {})},
        scheduled_at=post.scheduled_at,
        attempt=target.attempt,
        remote_handle=dict(target.remote_handle or {}),
        commit_started_at=target.commit_started_at,
    )


def _log_start(target: PublishTarget, step: str, now: datetime) -> PublishAttempt:
    """The attempt's publishing-log row, written once when the attempt ends (`_log_finish`):
    one write per attempt. A worker that dies mid-attempt leaves no row of its own; the
    expired lease logs it (`lease_expired`), and the target's row holds its checkpoints."""
    return PublishAttempt(
        target=target,
        number=target.attempt,
        step=step,
        started_at=now,
        remote_handle=dict(target.remote_handle or {}),
    )


def _log_finish(log: PublishAttempt, outcome: str, *, error_class="", error="") -> None:
    log.finished_at = timezone.now()
    log.outcome, log.error_class, log.error = outcome, error_class, error
    log.save(force_insert=True)


def _move(target: PublishTarget, from_state: str, **changes: Any) -> bool:
    """Compare-and-set of `target` from `from_state`; the instance follows on success."""
    moved = PublishTarget.objects.filter(pk=target.pk, state=from_state).update(
        updated_at=timezone.now(), **changes
    )
    if moved == 1:
        for name, value in changes.items():
            setattr(target, name, value)
    return moved == 1


def _checkpoint(target: PublishTarget, handle: dict[str, Any], log: PublishAttempt) -> None:
    if not _move(target, TargetState.PUBLISHING, remote_handle=dict(handle)):
        raise LeaseLost
    log.remote_handle = dict(handle)


def _published(
    target: PublishTarget,
    log: PublishAttempt,
    ref: PublishedRef,
    from_state: str,
    *,
    track_at: datetime,
):
    now = timezone.now()
    moved = _move(
        target,
        from_state,
        state=TargetState.PUBLISHED,
        platform_post_id=ref.platform_post_id,
        published_url=ref.url,
        published_at=ref.published_at or now,
        lease_until=None,
        # Set while the tracked post is not linked yet: the end of the pass tracks it (out of
        # the publishing loop, so a busy minute publishes first), later passes again if need be.
        next_attempt_at=track_at if ref.url else None,
        error_class="published_with_warning" if ref.warning else "",
        error=ref.warning[:2000],
        pending_outcome="",
    )
    _log_finish(log, TargetState.PUBLISHED, error=ref.warning[:2000])
    if moved and not ref.url:
        target_published_on_commit(target.pk)  # else once its tracking was tried
    return TargetState.PUBLISHED


def _failure_changes(target: PublishTarget, error: PublishError, now: datetime) -> dict:
    """The error table applied: the target's next state and fields."""
    base = {"lease_until": None, "error_class": error.error_class, "error": str(error)[:2000]}
    outcome = error.outcome
    if outcome in (Outcome.RETRY, Outcome.NEW_CONTAINER):
        retries = target.retries + 1
        if retries > settings.PUBLISH_MAX_RETRIES:
            gave_up = f"Gave up after {retries} tries. Last error: {error}"[:2000]
            return {**base, "state": TargetState.FAILED, "retries": retries, "error": gave_up}
        changes = {
            **base,
            "state": TargetState.SCHEDULED,
            "retries": retries,
            "next_attempt_at": now
            + publish_backoff(retries=retries, retry_after=error.retry_after),
        }
        if outcome == Outcome.NEW_CONTAINER:
            changes["remote_handle"] = {}
        return changes
    if outcome == Outcome.DEFER:
        until = error.defer_until or now + timedelta(hours=1)
        return {**base, "state": TargetState.DEFERRED, "next_attempt_at": until}
    if outcome == Outcome.NEEDS_REAUTH:
        return {**base, "state": TargetState.NEEDS_REAUTH}
    return {**base, "state": TargetState.FAILED}


def _failed(target, log, error: PublishError, now: datetime, from_state: str) -> str:
    """A failure known to have published nothing: applied by the error table."""
    if error.outcome == Outcome.NEEDS_REAUTH and connection_token_rejected(
        target.connection_id, error=str(error)
    ):
        # A refused token was refreshed: one more try with the new one.
        error = PublishError(str(error), outcome=Outcome.RETRY, error_class=error.error_class)
    changes = _failure_changes(target, error, now)
    changes.update(commit_started_at=None, pending_outcome="")
    # A connection needing a reconnect was marked (and its people told) by
    # connection_token_rejected; the target waits with it.
    moved = _move(target, from_state, **changes)
    if moved and changes["state"] == TargetState.FAILED:
        target_notify_outcome(target.pk)
        target_failed_on_commit(target.pk)
    _log_finish(log, str(error.outcome), error_class=error.error_class, error=str(error)[:2000])
    return changes["state"]


def _as_publish_error(error: Exception) -> PublishError:
    if isinstance(error, PublishError):
        return error
    return PublishError(error_text(error), outcome=Outcome.RETRY, error_class="network")


def target_publish(
    target_id: int, *, publisher_for: PublisherFor, now: datetime | None = None
) -> str:
    """Publish one claimed target (state `publishing`). Returns the state it ends in."""
    target = PublishTarget.objects.select_related("post", "connection").get(pk=target_id)
    if target.state != TargetState.PUBLISHING:
        return target.state
    now = now or timezone.now()
    log = _log_start(target, AttemptStep.PUBLISH, now)
    if target.connection.status != ConnectionStatus.CONNECTED:
        waiting = PublishError(
            f"The connection is {target.connection.get_status_display().lower()}: reconnect it.",
            outcome=Outcome.NEEDS_REAUTH,
            error_class="connection_" + target.connection.status,
        )
        return _failed(target, log, waiting, now, TargetState.PUBLISHING)
    publisher = publisher_for(target.connection.platform)
    request = target_request(target)
    try:
        # Every remote id is checkpointed inside prepare, before the next call; the handle it
        # returns is written with the commit marker, in the same compare-and-set (one write).
        handle = publisher.prepare(request, lambda h: _checkpoint(target, h, log))
    except LeaseLost:
        _log_finish(log, "lease_lost")
        return PublishTarget.objects.values_list("state", flat=True).get(pk=target_id)
    except Exception as error:
        return _failed(target, log, _as_publish_error(error), now, TargetState.PUBLISHING)
    return _commit(target, log, publisher, replace(request, remote_handle=dict(handle), now=now))


def _commit(target, log, publisher: Publisher, request: TargetRequest) -> str:
    started = timezone.now()
    # The commit marker, before the irreversible call: from now on, reconcile, never retry.
    # The handle prepare ended with goes with it (durable before the call, in one write).
    handle = dict(request.remote_handle)
    if not _move(target, TargetState.PUBLISHING, commit_started_at=started, remote_handle=handle):
        _log_finish(log, "lease_lost")
        return PublishTarget.objects.values_list("state", flat=True).get(pk=target.pk)
    log.remote_handle = dict(handle)
    try:
        ref = publisher.commit(
            replace(request, commit_started_at=started, now=None), request.remote_handle
        )
    except Exception as error:
        failure = _as_publish_error(error)
        if failure.not_sent:
            # Refused by our rate limiter before it was sent: rescheduled, marker cleared.
            return _failed(target, log, failure, timezone.now(), TargetState.PUBLISHING)
        _move(
            target,
            TargetState.PUBLISHING,
            state=TargetState.AWAITING_REMOTE,
            lease_until=None,
            next_attempt_at=timezone.now(),
            pending_outcome=str(failure.outcome),
            error_class=failure.error_class,
            error=str(failure)[:2000],
        )
        _log_finish(
            log, TargetState.AWAITING_REMOTE, error_class=failure.error_class, error=str(failure)
        )
        return TargetState.AWAITING_REMOTE
    return _published(target, log, ref, TargetState.PUBLISHING, track_at=request.now or started)


def target_reconcile(
    target_id: int, *, publisher_for: PublisherFor, now: datetime | None = None
) -> str:
    """Settle a target awaiting the platform: found → published; proven absent → the failed
    commit's error class applies (nothing is on the platform); unknown → look again later,
    and past PUBLISH_UNCONFIRMED_AFTER_SECONDS → `unconfirmed`. Returns its state."""
    target = PublishTarget.objects.select_related("post", "connection").get(pk=target_id)
    if target.state != TargetState.AWAITING_REMOTE:
        return target.state
    now = now or timezone.now()
    log = _log_start(target, AttemptStep.RECONCILE, now)
    if target.commit_started_at is None:
        # The worker stopped before the irreversible call: nothing can be on the platform.
        stopped = PublishError(
            "The worker stopped before publishing.", outcome=Outcome.RETRY, error_class="stopped"
        )
        return _failed(target, log, stopped, now, TargetState.AWAITING_REMOTE)
    try:
        request = replace(target_request(target), now=now)
        found = publisher_for(target.connection.platform).reconcile(request)
    except Exception as error:
        found, target.error = UNKNOWN, error_text(error)
    if isinstance(found, PublishedRef):
        return _published(target, log, found, TargetState.AWAITING_REMOTE, track_at=now)
    if found is None:
        outcome = Outcome(target.pending_outcome or Outcome.RETRY)
        absent = PublishError(target.error or "Not published.", outcome=outcome)
        absent.error_class = target.error_class or outcome.value
        return _failed(target, log, absent, now, TargetState.AWAITING_REMOTE)
    return _still_unknown(target, log, now)


def _still_unknown(target: PublishTarget, log: PublishAttempt, now: datetime) -> str:
    deadline = target.commit_started_at + timedelta(
        seconds=settings.PUBLISH_UNCONFIRMED_AFTER_SECONDS
    )
    if now >= deadline:
        message = (
            "The platform never confirmed whether this post went out. It is not published "
            "again automatically: check the account, then mark it or retry by hand."
        )
        if _move(
            target,
            TargetState.AWAITING_REMOTE,
            state=TargetState.UNCONFIRMED,
            error_class="unconfirmed",
            error=message,
            next_attempt_at=None,
        ):
            target_notify_outcome(target.pk)
            target_failed_on_commit(target.pk)
        _log_finish(log, TargetState.UNCONFIRMED, error_class="unconfirmed", error=message)
        return TargetState.UNCONFIRMED
    wait = timedelta(seconds=settings.PUBLISH_RECONCILE_SECONDS)
    _move(target, TargetState.AWAITING_REMOTE, next_attempt_at=now + wait)
    _log_finish(log, "unknown", error=target.error if target.error else "")
    return TargetState.AWAITING_REMOTE


# --- One pass ----------------------------------------------------------------------------------


def targets_run(
    claimed: list[int], step: Callable[..., str], *, publisher_for: PublisherFor, now: datetime
) -> list[str]:
    """Run `step` (target_publish or target_reconcile) on the claimed targets; returns the
    states they end in, in claim order.

    The targets of different connections run on up to PUBLISH_CONCURRENCY threads (a publish is
    mostly waiting for the platform); the targets of one connection stay on one thread, in claim
    order (oldest due first), so a connection never has two posts in flight at once. Every
    transition is a compare-and-set on the target's row and the rate limits are shared rows,
    so threads hold the same rules as workers. Each thread has its own database connection,
    closed when it is done. Inside a transaction (whose rows other connections cannot see) the
    targets run one after another on the caller's connection."""
    workers = min(settings.PUBLISH_CONCURRENCY, len(claimed))
    if workers <= 1 or db_connection.in_atomic_block:
        return [step(pk, publisher_for=publisher_for, now=now) for pk in claimed]
    by_connection: dict[int, list[int]] = {}
    owners = dict(PublishTarget.objects.filter(pk__in=claimed).values_list("pk", "connection_id"))
    for pk in claimed:
        by_connection.setdefault(owners.get(pk, -pk), []).append(pk)
    groups: queue.SimpleQueue[list[int]] = queue.SimpleQueue()
    for group in by_connection.values():
        groups.put(group)
    ended: dict[int, str] = {}

    def drain() -> None:
        # One connection's targets at a time, until none is left; the thread's database
        # connection is opened on its first query and closed once, at the end.
        try:
            while True:
                try:
                    group = groups.get_nowait()
                except queue.Empty:
                    return
                for pk in group:
                    ended[pk] = step(pk, publisher_for=publisher_for, now=now)
        finally:
            db_connections.close_all()  # this thread's connections only

    threads = min(workers, len(by_connection))
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="publish") as pool:
        for done in [pool.submit(drain) for _ in range(threads)]:
            done.result()  # a crash in a thread is the pass's crash, as without threads
    return [ended[pk] for pk in claimed]


@dataclass
class PublishReport(WorkReport):
    """A publishing pass's report: `handled` counts every target it touched (published,
    failed, deferred, reconciled, lease expired, tracked), so the job knows whether it did any
    work at all."""

    handled: int = 0


def publishing_pass(
    *,
    publisher_for: PublisherFor,
    now: datetime | None = None,
    limit: int | None = None,
    time_budget: float | None = None,
) -> PublishReport:
    """Expire dead workers' leases, publish the due targets, reconcile those awaiting the
    platform, track the published ones whose tracked post is missing. Claims batch after batch
    (`limit`, default PUBLISH_BATCH_SIZE) while a batch comes back full and the time budget
    (default PUBLISH_PASS_SECONDS) lasts, so a minute with a thousand due targets is drained in
    one pass; a target is handled at most once per pass. Counts published targets as ok and
    failed/unconfirmed ones as failed."""
    now = now or timezone.now()
    limit = limit or settings.PUBLISH_BATCH_SIZE
    budget = settings.PUBLISH_PASS_SECONDS if time_budget is None else time_budget
    deadline = time.monotonic() + budget
    report = PublishReport(kind="publish")
    report.handled += len(targets_expire_leases(now=now))
    ended: list[str] = []
    for claim, step in (
        (targets_claim_due, target_publish),
        (targets_claim_reconcile, target_reconcile),
    ):
        seen: set[int] = set()
        while True:
            claimed = claim(now=now, limit=limit, exclude=seen)
            seen.update(claimed)
            ended += targets_run(claimed, step, publisher_for=publisher_for, now=now)
            if len(claimed) < limit or time.monotonic() >= deadline:
                break
    report.handled += len(ended)
    report.ok = ended.count(TargetState.PUBLISHED)
    report.failed = ended.count(TargetState.FAILED) + ended.count(TargetState.UNCONFIRMED)
    tracked, not_tracked = targets_track_due(now=now, limit=limit, deadline=deadline)
    report.handled += tracked + not_tracked
    return report
