"""What the three platform publishers share: the error translation (the clients' typed errors
become the state machine's outcomes here, once), the connection and token lookup, the caption as
posted, and the public URL a platform pulls media from (MEDIA_PUBLIC_BASE_URL + storage name)."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from django.conf import settings

from platforms.publishers import errors as client_errors

from ...choices import MediaKind
from ...models import PublishTarget, SocialConnection
from ..limits import PublishLimiter, publish_limiter
from ..steps import MediaRef, Outcome, PublishError, TargetRequest

_OUTCOMES: tuple[tuple[type[client_errors.PublishError], Outcome], ...] = (
    (client_errors.NewContainer, Outcome.NEW_CONTAINER),
    (client_errors.Defer, Outcome.DEFER),
    (client_errors.Reauth, Outcome.NEEDS_REAUTH),
    (client_errors.Final, Outcome.FINAL),
    # A lost commit answer: the state machine reconciles; proven absent, it is a retry.
    (client_errors.OutcomeUnknown, Outcome.RETRY),
    (client_errors.Retry, Outcome.RETRY),
)
_SHORT = {"instagram": "ig", "tiktok": "tiktok", "youtube": "youtube"}
# How far before the commit marker a post found among the recent media may be dated.
_CLOCK_SLACK = timedelta(minutes=10)


def publish_error(error: client_errors.PublishError, *, not_sent: bool = False) -> PublishError:
    """The state machine's error for a client's typed error (the spec's error table).
    `not_sent`: the commit call itself never left (our rate limiter refused it)."""
    outcome = next((o for kind, o in _OUTCOMES if isinstance(error, kind)), Outcome.RETRY)
    return PublishError(
        str(error),
        outcome=outcome,
        error_class=_error_class(error),
        retry_after=getattr(error, "retry_after", None),
        defer_until=getattr(error, "until", None),
        not_sent=not_sent,
    )


def _error_class(error: client_errors.PublishError) -> str:
    if isinstance(error, client_errors.Final):
        return error.rule[:32]
    prefix = _SHORT.get(error.platform, error.platform or "platform")
    if isinstance(error, client_errors.OutcomeUnknown):
        return f"{prefix}_outcome_unknown"
    parts = [prefix, str(error.code or error.action)]
    if error.subcode:
        parts.append(str(error.subcode))
    return "_".join(parts)[:32]


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except client_errors.PublishError as error:
        raise publish_error(error) from error


@contextmanager
def _commit_call() -> Iterator[None]:
    """Around the commit call alone. It did not take effect when our own rate limiter refused
    it (never sent) or the platform answered it with a definite refusal (final, defer,
    reauth, a dead handle, or 429): the state machine then clears the commit marker and applies
    the error table, with nothing to reconcile. A lost answer (`OutcomeUnknown`) or any other
    retryable error is reconciled first."""
    try:
        yield
    except client_errors.PublishError as error:
        refused = isinstance(
            error,
            client_errors.Throttled
            | client_errors.Final
            | client_errors.Defer
            | client_errors.Reauth
            | client_errors.NewContainer,
        ) or (isinstance(error, client_errors.Retry) and error.http_status == 429)
        if isinstance(error, client_errors.OutcomeUnknown) or not refused:
            raise
        raise publish_error(error, not_sent=True) from error


def _final(message: str, error_class: str) -> PublishError:
    return PublishError(message, outcome=Outcome.FINAL, error_class=error_class)


def _connection(request: TargetRequest) -> SocialConnection:
    return SocialConnection.objects.select_related("account").get(pk=request.connection_id)


def _limiter(connection: SocialConnection) -> PublishLimiter:
    """The shared rate limiter of `connection`'s client (publishing/services/limits.py)."""
    return publish_limiter(connection.platform, connection_id=connection.pk)


def _caption(request: TargetRequest) -> str:
    """The caption as posted: the text, then the hashtags."""
    tags = " ".join(f"#{tag.lstrip('#')}" for tag in request.hashtags if tag)
    return "\n\n".join(part for part in (request.caption.strip(), tags) if part)


def media_public_url(media: MediaRef) -> str:
    """The public URL a platform pulls `media` from: MEDIA_PUBLIC_BASE_URL + storage name when
    set (e.g. a CDN), else with S3 storage a presigned GET URL valid MEDIA_PUBLIC_URL_SECONDS
    (24 h: Instagram wants the media reachable that long, with no redirect)."""
    from ...storage import is_s3, presigned_get

    base = settings.MEDIA_PUBLIC_BASE_URL
    if base:
        return f"{base.rstrip('/')}/{quote(media.name)}"
    if is_s3():
        return presigned_get(media.name)
    raise _final(
        "MEDIA_PUBLIC_BASE_URL is not set and the storage is not S3: the platform has no public "
        "URL to pull the media from.",
        "media_no_public_url",
    )


def _remember(request: TargetRequest, handle: dict[str, Any]) -> None:
    # A remote id obtained by the commit call itself (a pull init): kept for reconciliation.
    PublishTarget.objects.filter(pk=request.target_id).update(remote_handle=dict(handle))


def _one_video(request: TargetRequest, platform: str) -> MediaRef:
    if len(request.media) != 1 or request.media[0].kind != MediaKind.VIDEO:
        raise _final(f"A {platform} post is exactly one video.", "media_not_one_video")
    return request.media[0]


def _same_text(posted: str | None, ours: str) -> bool:
    """Whether a listed post's caption or title is ours (whitespace aside)."""
    return " ".join((posted or "").split()) == " ".join(ours.split())


def _listed_since(request: TargetRequest) -> datetime:
    """The earliest time a post found among the account's recent posts may carry to be ours."""
    return (request.commit_started_at or request.scheduled_at) - _CLOCK_SLACK


def _taken_ids(request: TargetRequest, ids: list[str]) -> set[str]:
    """Which of `ids` already stand for another published target of the same connection (two
    posts with one caption must not both claim the same remote post)."""
    return set(
        PublishTarget.objects.filter(connection_id=request.connection_id, platform_post_id__in=ids)
        .exclude(pk=request.target_id)
        .values_list("platform_post_id", flat=True)
    )


def _parse_time(value: str | None) -> datetime | None:
    try:
        return datetime.strptime(value or "", "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None
