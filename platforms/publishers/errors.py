"""The publishing error table (specs/publishing.md §4), once, in code.

Every platform failure a publisher meets becomes one of five actions, as a typed exception that
keeps the platform's own message, code and HTTP status:

- `Retry` — try again after a bounded backoff (`retry_after` seconds when the platform said);
- `NewContainer` — the remote handle is dead (IG container expired, YouTube session gone, TikTok
  upload URL expired): start again with a new one;
- `Defer` — a daily window is spent: wait `until` it resets;
- `Reauth` — the token is refused: refresh once, then the connection needs a reconnect;
- `Final` — retrying will not help; `rule` names why.

`OutcomeUnknown` is the sixth answer, for a commit call only: the request may have created the
post but no answer came. The caller reconciles; it never republishes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from django.utils import timezone

from platforms.http import HostNotAllowed, MaybeDelivered
from platforms.providers.base import ProviderError, RateLimited, TemporaryError

PACIFIC = ZoneInfo("America/Los_Angeles")
DAY = timedelta(hours=24)
#: Meta's usage headers: at this percentage of any budget the app pauses.
USAGE_PAUSE_PERCENT = 90


class PublishError(ProviderError):
    """A classified publishing failure; `action` says what the caller does next."""

    action: ClassVar[str] = ""

    def __init__(
        self,
        message: str,
        *,
        platform: str = "",
        code: str | int | None = None,
        subcode: int | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.platform = platform
        self.code = code
        self.subcode = subcode
        self.http_status = http_status


class Retry(PublishError):
    """Try again after a bounded backoff, no sooner than `retry_after` seconds when given."""

    action = "retry"
    transient = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class NewContainer(PublishError):
    """The remote handle (IG container, YouTube session, TikTok upload URL) is dead: make a new
    one. Nothing was published with it."""

    action = "new_container"


class Defer(PublishError):
    """A daily posting or upload window is spent; try again at `until` (aware)."""

    action = "defer"

    def __init__(self, message: str, *, until: datetime, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.until = until


class Throttled(Defer):
    """Our own shared rate-limit bucket refused the call before it was sent (a window is full,
    a daily quota spent, or the platform asked us to pause): nothing reached the platform. Wait
    `until`, without counting it as a failed try."""

    action = "defer"


class Reauth(PublishError):
    """The platform refuses the token: refresh it once, then the connection needs a reconnect."""

    action = "reauth"


class Final(PublishError):
    """Retrying will not help (validation, media, policy); `rule` names the rule broken."""

    action = "final"
    final = True

    def __init__(self, message: str, *, rule: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.rule = rule


class OutcomeUnknown(PublishError):
    """A commit call (the one irreversible request) got no usable answer: the post may exist.
    Reconcile; never send the commit call again on this error."""

    action = "reconcile"
    transient = True


# --- Instagram Graph ---------------------------------------------------------------------------
# Subcodes first: they are more precise than the code they come with.
_IG_SUBCODE_RETRY = {2207001, 2207003, 2207032}
_IG_SUBCODE_NEW_CONTAINER = {2207020, 2207053}
_IG_SUBCODE_DAILY_CAP = 2207042
_GRAPH_RETRY = {1, 2}
_GRAPH_RATE_LIMITED = {4, 17, 32, 341, 613}
_GRAPH_REAUTH = {10, 190, *range(200, 300)}
_GRAPH_DEFER = {368}


def classify_graph(
    payload: Any,
    http_status: int | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> PublishError:
    """The action for a Graph API error body (``{"error": {code, error_subcode, is_transient,
    message}}``); `headers` may carry Meta's usage headers for the wait of a rate limit."""
    now = now or timezone.now()
    error = (payload or {}).get("error") if isinstance(payload, dict) else None
    error = error if isinstance(error, dict) else {}
    code = _int(error.get("code"))
    subcode = _int(error.get("error_subcode"))
    message = str(error.get("error_user_msg") or error.get("message") or f"HTTP {http_status}")
    facts = {"platform": "instagram", "code": code, "subcode": subcode, "http_status": http_status}
    text = f"Instagram: {message} (code {code}" + (f", subcode {subcode})" if subcode else ")")
    if subcode in _IG_SUBCODE_NEW_CONTAINER:
        return NewContainer(text, **facts)
    if subcode == _IG_SUBCODE_DAILY_CAP:
        return Defer(text, until=now + DAY, **facts)
    if subcode in _IG_SUBCODE_RETRY:
        return Retry(text, **facts)
    if subcode is None or subcode < 2207000:
        if code in _GRAPH_REAUTH:
            return Reauth(text, **facts)
        if code in _GRAPH_RATE_LIMITED:
            return Retry(text, retry_after=graph_usage_wait(headers), **facts)
        if code in _GRAPH_DEFER:
            return Defer(text, until=now + DAY, **facts)
        if code in _GRAPH_RETRY or error.get("is_transient") is True:
            return Retry(text, **facts)
    if http_status is not None and http_status >= 500 and subcode is None:
        return Retry(text, **facts)
    return Final(text, rule=f"graph_{code}" + (f"_{subcode}" if subcode else ""), **facts)


def classify_container_status(
    container_id: str, status_code: str, status: str = ""
) -> PublishError | None:
    """The action for an IG container's `status_code`: None while usable (`FINISHED`,
    `IN_PROGRESS`, `PUBLISHED`), `NewContainer` for `EXPIRED`/`ERROR` — or the error subcode's
    own action when `status` names one that a new container will not fix."""
    if status_code == "EXPIRED":
        return NewContainer(
            f"Instagram: container {container_id} expired before it was published.",
            platform="instagram",
            code="EXPIRED",
        )
    if status_code != "ERROR":
        return None
    found = re.search(r"\b(22\d{5})\b", status or "")
    if found:
        answer = classify_graph({"error": {"code": -1, "error_subcode": int(found.group(1))}})
        if isinstance(answer, Final | Defer):
            answer.args = (f"Instagram: container {container_id} failed: {status}",)
            return answer
    return NewContainer(
        f"Instagram: container {container_id} failed: {status or 'ERROR'}",
        platform="instagram",
        code="ERROR",
    )


def graph_usage_wait(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to pause from Meta's usage headers: `estimated_time_to_regain_access` (minutes)
    when given, else one hour when any budget is at or above `USAGE_PAUSE_PERCENT`; None when
    the headers say nothing."""
    if not headers:
        return None
    wait = None
    for name in ("X-Business-Use-Case-Usage", "X-App-Usage", "X-Ad-Account-Usage"):
        raw = _header(headers, name)
        if not raw:
            continue
        try:
            usage = json.loads(raw)
        except ValueError:
            continue
        for budget in _usage_budgets(usage):
            minutes = _int(budget.get("estimated_time_to_regain_access"))
            if minutes:
                wait = max(wait or 0, minutes * 60.0)
            elif any((_int(v) or 0) >= USAGE_PAUSE_PERCENT for v in budget.values()):
                wait = max(wait or 0, 3600.0)
    return wait


# --- TikTok ------------------------------------------------------------------------------------
_TIKTOK_REAUTH = {"access_token_invalid", "scope_not_authorized"}
_TIKTOK_DEFER = {"spam_risk_too_many_posts", "spam_risk_too_many_pending_share"}
_TIKTOK_DEFER_APP = {"reached_active_user_cap"}
_TIKTOK_RETRY = {"internal", "internal_error", "rate_limit_exceeded"}
#: fail_reason values TikTok calls worth retrying (a pull from a valid URL may succeed later).
_TIKTOK_RETRY_REASONS = {"internal", "video_pull_failed", "photo_pull_failed"}


def classify_tiktok(
    code: str,
    message: str = "",
    http_status: int | None = None,
    *,
    retry_after: float | None = None,
    now: datetime | None = None,
) -> PublishError:
    """The action for a TikTok error `code` (the body's ``error.code``) or `fail_reason`."""
    now = now or timezone.now()
    code = code or ""
    text = f"TikTok: {message or code or f'HTTP {http_status}'}" + (
        f" ({code})" if code and message else ""
    )
    facts = {"platform": "tiktok", "code": code, "http_status": http_status}
    if code in _TIKTOK_REAUTH:
        return Reauth(text, **facts)
    if code in _TIKTOK_DEFER | _TIKTOK_DEFER_APP:
        return Defer(text, until=now + DAY, **facts)
    if code in _TIKTOK_RETRY | _TIKTOK_RETRY_REASONS:
        return Retry(text, retry_after=retry_after, **facts)
    if not code and http_status is not None and (http_status >= 500 or http_status == 429):
        return Retry(text, retry_after=retry_after, **facts)
    return Final(text, rule=f"tiktok_{code or http_status}", **facts)


# --- YouTube -----------------------------------------------------------------------------------
_YOUTUBE_RATE = {"rateLimitExceeded", "userRateLimitExceeded"}
_YOUTUBE_REAUTH = {"authError", "youtubeSignupRequired"}


def classify_youtube(
    payload: Any,
    http_status: int,
    *,
    retry_after: float | None = None,
    now: datetime | None = None,
) -> PublishError:
    """The action for a YouTube Data API error (``{"error": {code, message, errors: [{reason}]}}``)
    or a bare HTTP status (a 404 on an upload session: it expired, start a new one)."""
    now = now or timezone.now()
    error = payload.get("error") if isinstance(payload, dict) else None
    error = error if isinstance(error, dict) else {}
    reasons = [e.get("reason") for e in error.get("errors") or [] if isinstance(e, dict)]
    reason = next((r for r in reasons if r), "")
    message = _strip_tags(str(error.get("message") or f"HTTP {http_status}"))
    text = f"YouTube: {message}" + (f" ({reason})" if reason else "")
    facts = {"platform": "youtube", "code": reason or None, "http_status": http_status}
    if reason == "quotaExceeded":
        return Defer(text, until=next_pacific_midnight(now), **facts)
    if reason == "uploadLimitExceeded":
        return Defer(text, until=now + DAY, **facts)
    if http_status == 401 or reason in _YOUTUBE_REAUTH:
        return Reauth(text, **facts)
    if http_status == 429 or reason in _YOUTUBE_RATE:
        return Retry(text, retry_after=retry_after, **facts)
    if http_status in (500, 502, 503, 504):
        return Retry(text, retry_after=retry_after, **facts)
    if http_status == 404 and not reason:
        return NewContainer("YouTube: the upload session expired; start a new one.", **facts)
    return Final(text, rule=f"youtube_{reason or http_status}", **facts)


def next_pacific_midnight(now: datetime | None = None) -> datetime:
    """When YouTube resets its daily quota: the next midnight in America/Los_Angeles."""
    local = (now or timezone.now()).astimezone(PACIFIC)
    return datetime.combine(local.date() + timedelta(days=1), time.min, tzinfo=PACIFIC)


# --- Transport ---------------------------------------------------------------------------------
def classify_transport(error: ProviderError, *, platform: str, commit: bool) -> PublishError:
    """The action for an error of the shared HTTP client (`platforms.http`).

    On a commit call, an answer that may have been lost after the request arrived
    (`MaybeDelivered`) is `OutcomeUnknown`; before any commit it is a plain `Retry`.
    """
    if isinstance(error, PublishError):
        return error
    facts = {"platform": platform}
    if commit and isinstance(error, MaybeDelivered):
        return OutcomeUnknown(f"Outcome unknown, reconcile before anything else: {error}", **facts)
    if isinstance(error, RateLimited):
        return Retry(str(error), retry_after=error.retry_after, http_status=429, **facts)
    if isinstance(error, TemporaryError):
        return Retry(str(error), **facts)
    if isinstance(error, HostNotAllowed):
        return Final(str(error), rule="host_not_allowed", **facts)
    return Final(str(error), rule="unexpected_answer", **facts)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def _usage_budgets(usage: Any) -> list[dict[str, Any]]:
    """X-App-Usage is one dict; X-Business-Use-Case-Usage maps ids to lists of dicts."""
    if isinstance(usage, dict) and not any(isinstance(v, list) for v in usage.values()):
        return [usage]
    if isinstance(usage, dict):
        return [b for v in usage.values() if isinstance(v, list) for b in v if isinstance(b, dict)]
    return []


def _strip_tags(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text)
