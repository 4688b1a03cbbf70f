"""Rate limits and quotas shared by all workers, kept in the database (`core.ProviderState`).

Every call to a provider goes through `before_call`, which reserves the call with one
conditional UPDATE (`… WHERE calls_in_window + cost <= limit`), so concurrent workers on any
machine never overspend a window or a quota. An error goes through `after_error`: a
`RateLimited` pauses that provider alone until its `Retry-After`; a `QuotaExhausted` marks the
day's quota as spent. Limits per provider are `settings.PROVIDER_RATE_LIMITS`:
``{"calls": N per "window_s" seconds, "daily_quota": units per day, 0 for none}``.

The daily quota's day is taken in `settings.PROVIDER_QUOTA_TIME_ZONE` (default
America/Los_Angeles: Google resets the YouTube quota at midnight Pacific time).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from core.models import ProviderState

from .providers.base import AccountToken, ProviderError, QuotaExhausted, RateLimited
from .providers.registry import provider_by_name

_MAX_ERROR_LENGTH = 1000
#: Rows of the publishers' rate-limit buckets start with this (not listed as providers).
PUBLISH_BUCKET_PREFIX = "publish."

logger = logging.getLogger("platforms.providers")


def limits_for(provider: str) -> dict[str, int]:
    """The provider's limits: ``calls`` per ``window_s`` seconds (0: unlimited), ``daily_quota``."""
    configured = getattr(settings, "PROVIDER_RATE_LIMITS", {}).get(provider, {})
    return {
        "calls": int(configured.get("calls") or 0),
        "window_s": int(configured.get("window_s") or 60),
        "daily_quota": int(configured.get("daily_quota") or 0),
    }


def quota_day(now: datetime | None = None) -> date:
    """Today in the quota's time zone."""
    return (now or timezone.now()).astimezone(_quota_zone()).date()


def next_quota_reset(now: datetime | None = None) -> datetime:
    """When the daily quota is next reset (midnight in the quota's time zone), aware."""
    zone = _quota_zone()
    tomorrow = quota_day(now) + timedelta(days=1)
    return datetime.combine(tomorrow, time.min, tzinfo=zone)


def before_call(provider: str, *, cost: int = 1, limits: dict[str, int] | None = None) -> None:
    """Reserve `cost` units for one call of `provider`, shared by all workers. `limits` (same
    keys as `limits_for`) replaces the provider's configured ones: the publishers keep their own
    per-token buckets this way (`publish.…` rows, see publishing/services/limits.py).

    Raises `RateLimited` (with the seconds left) when the provider is paused or its window is
    full, `QuotaExhausted` when its daily quota is spent; nothing is reserved then.
    """
    now = timezone.now()
    limits = limits or limits_for(provider)
    state = _state(provider)
    rows = ProviderState.objects.filter(pk=state.pk)

    # The resets are compare-and-sets too; they are only sent when the row just read needs one
    # (another worker can only have moved the window or the day forward since), which saves
    # two writes on most calls.
    window = timedelta(seconds=limits["window_s"])
    if state.window_started_at is None or state.window_started_at <= now - window:
        rows.filter(
            Q(window_started_at__isnull=True) | Q(window_started_at__lte=now - window)
        ).update(window_started_at=now, calls_in_window=0, updated_at=now)
    today = quota_day(now)
    if state.quota_date != today:
        rows.filter(Q(quota_date__isnull=True) | ~Q(quota_date=today)).update(
            quota_date=today, quota_used=0, updated_at=now
        )

    condition = Q(paused_until__isnull=True) | Q(paused_until__lte=now)
    if limits["calls"]:
        condition &= Q(calls_in_window__lte=limits["calls"] - cost)
    if limits["daily_quota"]:
        condition &= Q(quota_used__lte=limits["daily_quota"] - cost)
    reserved = rows.filter(condition).update(
        calls_in_window=F("calls_in_window") + cost,
        quota_used=F("quota_used") + cost,
        updated_at=now,
    )
    if reserved:
        return

    state.refresh_from_db()
    if limits["daily_quota"] and state.quota_used + cost > limits["daily_quota"]:
        reset = next_quota_reset(now)
        raise QuotaExhausted(
            f"{provider} has used {state.quota_used} of its {limits['daily_quota']} daily "
            "quota units.",
            retry_after=_seconds(reset - now),
        )
    if state.paused_until and state.paused_until > now:
        raise RateLimited(
            f"{provider} is paused until {state.paused_until:%Y-%m-%d %H:%M:%S} UTC.",
            retry_after=_seconds(state.paused_until - now),
        )
    window_ends = (state.window_started_at or now) + window
    raise RateLimited(
        f"{provider} has made its {limits['calls']} calls of this {limits['window_s']} s window.",
        retry_after=max(1, _seconds(window_ends - now)),
    )


def after_error(provider: str, error: ProviderError) -> None:
    """Record an error of `provider`.

    A `RateLimited` pauses the provider (and only it) until now + its `retry_after`
    (`PROVIDER_DEFAULT_PAUSE_S` when the answer gave none); a `QuotaExhausted` marks the day's
    quota as spent and pauses until its `retry_after`, or the next quota reset. A final answer
    about one object (`NotFound`, `Private`) is not a provider failure and is not recorded.
    """
    if error.final:
        return
    now = timezone.now()
    state = _state(provider)
    rows = ProviderState.objects.filter(pk=state.pk)
    message = f"{type(error).__name__}: {error}"[:_MAX_ERROR_LENGTH]
    rows.update(last_error=message, last_error_at=now, updated_at=now)
    logger.warning(
        "Provider %s error: %s",
        provider,
        message,
        extra={"event": "provider_error", "provider": provider, "error": message},
    )

    until = None
    if isinstance(error, QuotaExhausted):
        quota = limits_for(provider)["daily_quota"]
        if quota:
            rows.update(quota_date=quota_day(now), quota_used=quota)
        until = (
            now + timedelta(seconds=error.retry_after)
            if error.retry_after
            else next_quota_reset(now)
        )
    elif isinstance(error, RateLimited):
        seconds = error.retry_after
        if seconds is None or seconds <= 0:
            seconds = settings.PROVIDER_DEFAULT_PAUSE_S
        until = now + timedelta(seconds=seconds)
    if until is not None:
        # Never shorten a longer pause another worker has set.
        rows.filter(Q(paused_until__isnull=True) | Q(paused_until__lt=until)).update(
            paused_until=until
        )


def record_success(provider: str) -> None:
    """Note that `provider` just answered."""
    now = timezone.now()
    updated = ProviderState.objects.filter(provider=provider).update(
        last_success_at=now, updated_at=now
    )
    if not updated:
        _state(provider)
        ProviderState.objects.filter(provider=provider).update(last_success_at=now)


def provider_states() -> list[dict[str, Any]]:
    """Each known provider's limits and state, for operators.

    Keys: ``provider``, ``configured`` (its credentials are set), ``platforms`` (those whose
    chain lists it), ``state`` (provider_state_label), ``calls_limit``, ``window_s``, ``calls_left`` (None: unlimited),
    ``window_resets_at``, ``paused_until`` (None unless paused now), ``daily_quota``,
    ``quota_used``, ``quota_left`` (None: no quota), ``quota_resets_at``, ``last_error``,
    ``last_error_at``, ``last_success_at``.
    """
    now = timezone.now()
    today = quota_day(now)
    # The publishers' own buckets (`publish.…`, one per token) are not stats providers.
    states = ProviderState.objects.exclude(provider__startswith=PUBLISH_BUCKET_PREFIX)
    rows = {state.provider: state for state in states}
    names = sorted(set(getattr(settings, "PROVIDER_CLASSES", {})) | set(rows))
    answer = []
    for name in names:
        limits = limits_for(name)
        state = rows.get(name) or ProviderState(provider=name)
        window = timedelta(seconds=limits["window_s"])
        window_live = bool(state.window_started_at and state.window_started_at > now - window)
        calls_used = state.calls_in_window if window_live else 0
        quota_used = state.quota_used if state.quota_date == today else 0
        paused = state.paused_until if state.paused_until and state.paused_until > now else None
        configured = _configured(name)
        answer.append(
            {
                "provider": name,
                "configured": configured,
                "platforms": sorted(
                    p for p, names in settings.PLATFORM_PROVIDERS.items() if name in names
                ),
                "state": provider_state_label(state, configured=configured, paused=paused),
                "calls_limit": limits["calls"] or None,
                "window_s": limits["window_s"],
                "calls_left": max(0, limits["calls"] - calls_used) if limits["calls"] else None,
                "window_resets_at": state.window_started_at + window if window_live else None,
                "paused_until": paused,
                "daily_quota": limits["daily_quota"] or None,
                "quota_used": quota_used,
                "quota_left": (
                    max(0, limits["daily_quota"] - quota_used) if limits["daily_quota"] else None
                ),
                "quota_resets_at": next_quota_reset(now) if limits["daily_quota"] else None,
                "last_error": state.last_error,
                "last_error_at": state.last_error_at,
                "last_success_at": state.last_success_at,
            }
        )
    return answer


NOT_CONFIGURED = "not configured"
PAUSED = "paused"
FAILING = "failing"
OK = "ok"
UNUSED = "not used yet"


def provider_state_label(state: ProviderState, *, configured: bool, paused: datetime | None) -> str:
    """What an operator should read: "not configured" (no credentials: the chain skips it),
    "paused" (rate limit or quota), "failing" (its last call failed: an error newer than any
    success), "ok" (its last call succeeded), "not used yet"."""
    if not configured:
        return NOT_CONFIGURED
    if paused is not None:
        return PAUSED
    if state.last_error_at and (
        state.last_success_at is None or state.last_error_at > state.last_success_at
    ):
        return FAILING
    if state.last_success_at:
        return OK
    return UNUSED


def platforms_without_working_provider(
    states: list[dict[str, Any]] | None = None,
    *,
    without_own_token: Callable[[str], int | None] | None = None,
) -> dict[str, str]:
    """The platforms whose posts and profiles no provider can fetch now, with why: every provider of their
    chain is not configured, paused or failing. platform -> a sentence naming each provider's
    state.

    A provider without credentials of its own may still read a connected account with the
    account's token (`answers_with`): `without_own_token(platform)` says how many tracked
    accounts have no such token (None: unknown, as if none had one). A platform whose only
    missing provider is such a one is named only while some tracked account has no token."""
    states = provider_states() if states is None else states
    by_name = {state["provider"]: state for state in states}
    broken = {}
    for platform, names in sorted(settings.PLATFORM_PROVIDERS.items()):
        chain_states = [by_name[name] for name in names if name in by_name]
        if any(state["state"] in (OK, UNUSED) for state in chain_states):
            continue
        why = (
            ", ".join(f"{state['provider']} {state['state']}" for state in chain_states)
            or "no provider listed"
        )
        if without_own_token is not None and any(
            state["state"] == NOT_CONFIGURED and _answers_with_own_token(state["provider"])
            for state in chain_states
        ):
            uncovered = without_own_token(platform)
            if uncovered == 0:
                continue  # every tracked account is read with its own connection's token
            if uncovered is not None:
                why += (
                    f" ({uncovered:,} tracked account{'s' if uncovered != 1 else ''} without "
                    "a connected account's token)"
                )
        broken[platform] = why
    return broken


def provider_warnings(
    states: list[dict[str, Any]] | None = None,
    *,
    without_own_token: Callable[[str], int | None] | None = None,
) -> list[str]:
    """One sentence per platform without a working provider, for banners and problems."""
    broken = platforms_without_working_provider(states, without_own_token=without_own_token)
    return [
        f"No working provider for {platform}: {why}. Its posts and accounts are not refreshed; "
        "set the provider's credentials (see .env.example) or check its last error on the "
        "operations dashboard."
        for platform, why in broken.items()
    ]


def _answers_with_own_token(name: str) -> bool:
    try:
        provider = provider_by_name(name)
    except (LookupError, ImportError):
        return False
    return provider.answers_with(AccountToken("own token", user_id="own id"))


def _configured(name: str) -> bool:
    try:
        return provider_by_name(name).is_configured()
    except (LookupError, ImportError):
        return False


def _state(provider: str) -> ProviderState:
    state, _ = ProviderState.objects.get_or_create(provider=provider)
    return state


def _quota_zone() -> ZoneInfo:
    return ZoneInfo(getattr(settings, "PROVIDER_QUOTA_TIME_ZONE", "UTC") or "UTC")


def _seconds(delta: timedelta) -> int:
    return max(0, math.ceil(delta.total_seconds()))
