"""The publisher's platform steps behind a small interface (specs/publishing.md §4).

`platforms/publishers/` implements `Publisher` per platform (they know no models: they get a
`TargetRequest` and return plain values); publishing/services/publisher.py drives the state
machine around them. Errors are `PublishError`s carrying their outcome class from the error
table; anything else raised is a network-level failure (retried before the commit, reconciled
after it)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol


class Outcome(StrEnum):
    """What a failed step does to its target (the spec's error table)."""

    RETRY = "retry"  # bounded backoff, honouring retry_after
    NEW_CONTAINER = "new_container"  # drop the remote handle, then retry
    DEFER = "defer"  # wait until the quota window resets (defer_until)
    NEEDS_REAUTH = "needs_reauth"  # the connection must be authorized again; the target waits
    FINAL = "final"  # failed for good (validation, media, policy)


class PublishError(Exception):
    """A platform step failed. `error_class` names the platform's error (e.g. "ig_2207042")."""

    def __init__(
        self,
        message: str,
        *,
        outcome: Outcome,
        error_class: str = "",
        retry_after: float | None = None,
        defer_until: datetime | None = None,
        not_sent: bool = False,
    ):
        super().__init__(message)
        # The commit call never left (refused by our own rate limiter): nothing can be on the
        # platform, so a commit failure with it is not reconciled.
        self.not_sent = not_sent
        self.outcome = outcome
        self.error_class = error_class or outcome.value
        self.retry_after = retry_after
        self.defer_until = defer_until


@dataclass(frozen=True)
class MediaRef:
    name: str  # the storage name: the publisher opens or links it through the storage API
    kind: str
    mime: str
    size: int
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None


@dataclass(frozen=True)
class TargetRequest:
    """What a platform step needs of a target, as plain data."""

    target_id: int
    platform: str
    connection_id: int
    caption: str
    title: str
    hashtags: tuple[str, ...]
    media: tuple[MediaRef, ...]
    options: dict[str, Any]
    scheduled_at: datetime
    attempt: int
    remote_handle: dict[str, Any] = field(default_factory=dict)
    commit_started_at: datetime | None = None
    #: The pass's moment (reconciliation compares it with the commit marker).
    now: datetime | None = None


@dataclass(frozen=True)
class PublishedRef:
    """A post that is on the platform."""

    platform_post_id: str
    url: str
    published_at: datetime | None = None


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


# reconcile() could not tell whether the post went out (yet): ask again later.
UNKNOWN = _Unknown()

Checkpoint = Callable[[dict[str, Any]], None]


class Publisher(Protocol):
    """The platform steps of one platform.

    - `prepare` makes everything reversible (upload, containers, status polling) and returns
      the remote handle; it calls `checkpoint(handle)` after each remote id it obtains, before
      its next call, so a crash never loses one. Given `request.remote_handle`, it resumes.
    - `commit` is the one irreversible call (IG media_publish, TikTok direct-post init with the
      last chunk, YouTube last chunk); it never retries by itself.
    - `reconcile` answers, after a commit started, whether the post exists: a PublishedRef
      (found), None (proven absent: the commit may be made again with the same handle) or
      UNKNOWN (cannot tell yet). It only returns None on positive proof from the platform.
    """

    def prepare(self, request: TargetRequest, checkpoint: Checkpoint) -> dict[str, Any]: ...

    def commit(self, request: TargetRequest, handle: dict[str, Any]) -> PublishedRef: ...

    def reconcile(self, request: TargetRequest) -> "PublishedRef | _Unknown | None": ...
