"""The publishers' rate limits, shared by every worker through the database (specs/publishing.md
§4 "Limits read at run time").

The platform clients name a bucket before each call ("tiktok.init", "youtube.uploads",
"instagram.publish"…); `PublishLimiter` reserves the call in a `core.ProviderState` row with the
conditional UPDATE of `platforms.ratelimit.before_call`, so two workers (threads, processes or
machines) never overspend a window:

- TikTok, per access token (one row per connection and bucket): init 6/min, status fetch 30/min,
  creator_info 20/min (PUBLISH_RATE_LIMITS);
- YouTube, per project (one row): 100 uploads a day, the day in PROVIDER_QUOTA_TIME_ZONE
  (Pacific: Google resets at midnight Pacific time);
- Instagram Graph, per app (one row): no counted budget, but Meta's usage headers
  (X-App-Usage, X-Business-Use-Case-Usage) at ≥ 90 % of any budget pause the app.

Any `Retry-After` (a 429, a Graph rate-limit code with usage headers) pauses the bucket's row for
every worker. A refused call raises `Throttled` (a `Defer` until the window reopens): the target
is rescheduled for that moment, never failed and never retried in a loop.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from core.models import ProviderState
from platforms.providers.base import QuotaExhausted, RateLimited
from platforms.publishers.errors import PublishError, Retry, Throttled, graph_usage_wait
from platforms.ratelimit import PUBLISH_BUCKET_PREFIX, after_error, before_call


def bucket_row(bucket: str, *, connection_id: int) -> str:
    """The ProviderState row that holds `bucket` for this connection: TikTok buckets are per
    token, YouTube's uploads per project, Graph's per app."""
    platform = bucket.split(".", 1)[0]
    if platform == "tiktok":
        return f"{PUBLISH_BUCKET_PREFIX}{bucket}:{connection_id}"
    if platform == "instagram":
        return f"{PUBLISH_BUCKET_PREFIX}instagram.app"
    return f"{PUBLISH_BUCKET_PREFIX}{bucket}"


def bucket_limits(bucket: str) -> dict[str, int]:
    """`calls` per `window_s` and `daily_quota` of `bucket` (PUBLISH_RATE_LIMITS; 0: none)."""
    configured = settings.PUBLISH_RATE_LIMITS.get(bucket) or {}
    return {
        "calls": int(configured.get("calls") or 0),
        "window_s": int(configured.get("window_s") or 60),
        "daily_quota": int(configured.get("daily_quota") or 0),
    }


class PublishLimiter:
    """The `limiter` of one connection's platform client."""

    def __init__(self, platform: str, *, connection_id: int) -> None:
        self.platform = platform
        self.connection_id = connection_id

    def __call__(self, bucket: str) -> None:
        row = bucket_row(bucket, connection_id=self.connection_id)
        limits = bucket_limits(bucket)
        if not (limits["calls"] or limits["daily_quota"]):
            # Nothing counted (Graph): only a pause can refuse it; one read, no write.
            now = timezone.now()
            until = (
                ProviderState.objects.filter(provider=row, paused_until__gt=now)
                .values_list("paused_until", flat=True)
                .first()
            )
            if until is not None:
                raise Throttled(
                    f"{self.platform} is paused until {until:%Y-%m-%d %H:%M:%S} UTC (the "
                    "platform asked us to wait). Rescheduled for then.",
                    until=until,
                    platform=self.platform,
                    code="rate_limited",
                )
            return
        try:
            before_call(row, limits=limits)
        except (RateLimited, QuotaExhausted) as refused:
            wait = max(1.0, float(refused.retry_after or settings.PROVIDER_DEFAULT_PAUSE_S))
            raise Throttled(
                f"{self.platform}: {refused} Rescheduled for when it reopens.",
                until=timezone.now() + timedelta(seconds=wait),
                platform=self.platform,
                code="rate_limited",
            ) from refused

    def observe(self, bucket: str, headers: Any, error: PublishError | None) -> None:
        """Pause the bucket's row for every worker when the platform asks: Meta's usage
        headers at ≥ 90 % (on any answer), or a Retry-After on a refusal."""
        wait = None
        if error is not None and isinstance(error, Retry):
            wait = error.retry_after
        elif headers is not None and self.platform == "instagram":
            wait = graph_usage_wait(headers)
        if wait:
            row = bucket_row(bucket, connection_id=self.connection_id)
            after_error(
                row, RateLimited(f"{self.platform} asked to wait {wait:.0f} s.", retry_after=wait)
            )


def publish_limiter(platform: str, *, connection_id: int) -> PublishLimiter:
    """The shared rate limiter for a client of `platform` acting for connection `connection_id`."""
    return PublishLimiter(platform, connection_id=connection_id)
