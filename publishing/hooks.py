"""What publishing tells the apps above it, through callbacks they register in their
`AppConfig.ready()` (DESIGN.md: a lower app never imports a higher one; no post_save signals).

- `register_target_published(callback)`: `callback(target_id)` runs once after a
  `PublishTarget` became published, after commit and after the first try to create or link its
  tracked `posts.Post` (so `target.tracked_post` is set when that try succeeded; a target
  without a public URL, e.g. a private TikTok post, has none). The workflow app moves its
  content task with it.
- `register_target_failed(callback)`: `callback(target_id)` runs once a target became `failed`
  (a final error, or retries exhausted) or `unconfirmed` (the platform never said whether it
  went out); read `target.state`, `error_class` and `error` for the cause.

A callback runs at most once per transition, in the publishing worker, after the commit: it
must be quick and idempotent (a worker dying between the commit and the callback skips it; the
target's state is the truth to reconcile against). An exception in a callback is logged and
never undoes or blocks the publish, nor the other callbacks.

Example (in the higher app's apps.py)::

    def ready(self):
        from publishing.hooks import register_target_published
        from .services import task_target_published
        register_target_published(task_target_published)
"""

import logging
from collections.abc import Callable
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)

TargetCallback = Callable[[int], None]

_published: list[TargetCallback] = []
_failed: list[TargetCallback] = []


def register_target_published(callback: TargetCallback) -> None:
    """Call `callback(target_id)` after commit whenever a target becomes published."""
    if callback not in _published:
        _published.append(callback)


def register_target_failed(callback: TargetCallback) -> None:
    """Call `callback(target_id)` after commit whenever a target becomes failed or
    unconfirmed."""
    if callback not in _failed:
        _failed.append(callback)


def unregister(callback: TargetCallback) -> None:
    """Forget `callback` (tests)."""
    for callbacks in (_published, _failed):
        if callback in callbacks:
            callbacks.remove(callback)


def target_published_on_commit(target_id: int) -> None:
    """Run the published callbacks for `target_id` once the current transaction commits."""
    transaction.on_commit(partial(_run, list(_published), target_id, "published"))


def target_failed_on_commit(target_id: int) -> None:
    """Run the failed/unconfirmed callbacks for `target_id` once the transaction commits."""
    transaction.on_commit(partial(_run, list(_failed), target_id, "failed"))


def _run(callbacks: list[TargetCallback], target_id: int, event: str) -> None:
    for callback in callbacks:
        try:
            callback(target_id)
        except Exception:
            logger.exception(
                "A %s hook (%s) failed for publish target %s",
                event,
                getattr(callback, "__qualname__", callback),
                target_id,
            )


# --- Posting-slot suggestions -----------------------------------------------------------------
# `register_slot_suggestions(callback)`: `callback(user, account_ids)` returns, per account id,
# suggested weekly times as plain dicts {"weekday": 0-6 (Monday 0), "hour": 0-23, "label": str}
# best first. The analytics app registers its best-time-to-post cells; the posting-slots page
# shows them beside the slots. Without a callback there are no suggestions.
SlotSuggestions = Callable[[object, list[int]], dict[int, list[dict]]]
_slot_suggestions: list[SlotSuggestions] = []


def register_slot_suggestions(callback: SlotSuggestions) -> None:
    """Offer `callback(user, account_ids)` suggestions on the posting-slots page."""
    if callback not in _slot_suggestions:
        _slot_suggestions.append(callback)


def slot_suggestions(user, account_ids: list[int]) -> dict[int, list[dict]]:
    """The registered callbacks' suggestions per account id (merged; a failing one is logged
    and skipped: suggestions never break the page)."""
    merged: dict[int, list[dict]] = {}
    for callback in _slot_suggestions:
        try:
            for account_id, items in callback(user, account_ids).items():
                merged.setdefault(account_id, []).extend(items)
        except Exception:
            logger.exception("A slot-suggestions hook failed")
    return merged
