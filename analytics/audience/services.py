"""The daily audience pass: for each usable publishing connection of a platform that gives
demographics (Instagram, YouTube), ask the platform (platforms.audience) and store the day's
`AudienceSnapshot` with its `AudienceDemographic` rows. Idempotent: an account already stored
for the local day and source is skipped; a snapshot is written whole in one transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.errors import DomainError
from core.jobs import WorkReport
from core.windows import local_date
from platforms.audience import (
    INSTAGRAM_SOURCE,
    PLATFORMS_WITH_AUDIENCE,
    YOUTUBE_SOURCE,
    Audience,
    InstagramAudienceClient,
    YouTubeAnalyticsClient,
)
from platforms.providers.base import ProviderError
from publishing.choices import ConnectionMethod, ConnectionStatus
from publishing.models import SocialConnection
from publishing.services.oauth import connection_token_fresh

from ..models import AudienceDemographic, AudienceSnapshot

SOURCES = {"instagram": INSTAGRAM_SOURCE, "youtube": YOUTUBE_SOURCE}


def _fetch(connection: SocialConnection, *, today) -> Audience:
    token = connection_token_fresh(connection)
    if connection.platform == "instagram":
        base = (
            settings.FACEBOOK_PUBLISH_BASE_URL
            if connection.method == ConnectionMethod.FACEBOOK_LOGIN
            else settings.INSTAGRAM_PUBLISH_BASE_URL
        )
        user = str(connection.meta.get("ig_user_id") or connection.meta.get("user_id") or "me")
        return InstagramAudienceClient(base, token).follower_demographics(user)
    days = settings.AUDIENCE_YOUTUBE_DAYS
    client = YouTubeAnalyticsClient(settings.YOUTUBE_ANALYTICS_BASE_URL, token)
    # Analytics data lags about two days; the window ends yesterday.
    end = today - timedelta(days=1)
    return client.demographics(start=end - timedelta(days=days - 1), end=end)


def audience_store(*, account_id: int, day, audience: Audience, now: datetime) -> AudienceSnapshot:
    """Write one day's audience of an account (replacing that day's rows from the source)."""
    with transaction.atomic():
        snapshot, _ = AudienceSnapshot.objects.update_or_create(
            account_id=account_id, date=day, source=audience.source, defaults={"fetched_at": now}
        )
        snapshot.demographics.all().delete()
        AudienceDemographic.objects.bulk_create(
            [
                AudienceDemographic(
                    snapshot=snapshot,
                    dimension=b.dimension,
                    key=b.key[:120],
                    value=b.value,
                    unit=b.unit,
                )
                for b in audience.buckets
            ],
            ignore_conflicts=True,
        )
    return snapshot


def audience_connections():
    """The usable connections whose platform gives demographics, one per account."""
    return (
        SocialConnection.objects.filter(
            status=ConnectionStatus.CONNECTED, platform__in=PLATFORMS_WITH_AUDIENCE
        )
        .exclude(access_token="")
        .order_by("account_id", "-method")
    )


def audiences_fetch(*, now: datetime | None = None) -> WorkReport:
    """Fetch today's audience of every connected account not fetched yet today."""
    now = now or timezone.now()
    today = local_date(now)
    report = WorkReport(kind="audience")
    done = set(
        AudienceSnapshot.objects.filter(date=today).values_list("account_id", "source")
    )  # at most the connected accounts
    seen: set[int] = set()
    for connection in audience_connections():  # one platform call per connected account
        source = SOURCES[connection.platform]
        if connection.account_id in seen or (connection.account_id, source) in done:
            continue
        seen.add(connection.account_id)
        try:
            audience = _fetch(connection, today=today)
        except (ProviderError, DomainError) as error:  # that account only; retried next run
            report.failed += 1
            report.note_errors(f"{connection.get_platform_display()}: {error}")
            continue
        audience_store(account_id=connection.account_id, day=today, audience=audience, now=now)
        report.ok += 1
    return report
