"""Audience demographics of connected accounts, fetched from fake Instagram Graph and YouTube
Analytics servers on 127.0.0.1 by the production code path, stored per account and day."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from analytics.audience.services import audiences_fetch
from analytics.models import AudienceDemographic, AudienceSnapshot
from platforms import http
from platforms.audience import parse_follower_demographics
from publishing.choices import ConnectionMethod
from tests.creators.factories import AccountFactory
from tests.platforms.publish_fakes import TOKEN
from tests.publishing.factories import SocialConnectionFactory
from tests.settings_app.factories import UserFactory

from .audience_fakes import IG_USER, FakeGraphInsights, FakeYouTubeAnalytics

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def fakes(settings):
    graph, youtube = FakeGraphInsights().start(), FakeYouTubeAnalytics().start()
    settings.TIME_ZONE = "UTC"
    settings.INSTAGRAM_PUBLISH_BASE_URL = graph.url + "/v21.0"
    settings.YOUTUBE_ANALYTICS_BASE_URL = youtube.url
    settings.PROVIDER_RETRY_BACKOFF_S = 0.0
    settings.PROVIDER_RETRIES = 1
    http._sessions.clear()
    yield graph, youtube
    graph.stop()
    youtube.stop()
    http._sessions.clear()


def instagram(**kw):
    return SocialConnectionFactory(
        account=AccountFactory(username="ig_one"),
        access_token=TOKEN,
        meta={"ig_user_id": IG_USER},
        **kw,
    )


def youtube():
    return SocialConnectionFactory(
        account=AccountFactory(platform="youtube", username="yt_one", url="https://youtube.com/@y"),
        platform="youtube",
        method=ConnectionMethod.GOOGLE,
        access_token=TOKEN,
    )


def figures(account) -> dict[tuple[str, str], tuple[float, str]]:
    rows = AudienceDemographic.objects.filter(snapshot__account=account)
    return {(r.dimension, r.key): (r.value, r.unit) for r in rows}


def test_instagram_follower_demographics_are_stored_by_age_gender_country_and_city(db, fakes):
    connection = instagram()

    report = audiences_fetch(now=NOW)

    assert report.ok == 1 and report.failed == 0
    snapshot = AudienceSnapshot.objects.get(account=connection.account)
    assert (snapshot.date.isoformat(), snapshot.source) == (
        "2026-03-18",
        "instagram_follower_demographics",
    )
    stored = figures(connection.account)
    assert stored[("age", "25-34")] == (3400, "followers")
    assert stored[("gender", "F")] == (3100, "followers")
    assert stored[("country", "US")] == (2500, "followers")
    assert stored[("city", "London, England")] == (700, "followers")
    assert len(stored) == 11
    assert fakes[0].count("insights") == 4  # one call per breakdown


def test_youtube_viewer_percentages_are_summed_per_age_and_per_gender(db, fakes):
    connection = youtube()

    audiences_fetch(now=NOW)

    stored = figures(connection.account)
    assert stored[("age", "18-24")] == (35.0, "viewer_percent")
    assert stored[("age", "25-34")] == (55.0, "viewer_percent")
    assert stored[("gender", "male")] == (49.5, "viewer_percent")
    assert stored[("gender", "female")] == (50.5, "viewer_percent")
    assert stored[("country", "US")] == (52000, "views")
    call = fakes[1].calls[0]
    assert (call.query["startDate"], call.query["endDate"]) == ("2026-02-18", "2026-03-17")


def test_a_second_run_the_same_day_asks_nothing_and_duplicates_nothing(db, fakes):
    connection = instagram()
    audiences_fetch(now=NOW)
    rows = AudienceDemographic.objects.count()

    again = audiences_fetch(now=NOW.replace(hour=18))

    assert again.ok == 0
    assert AudienceDemographic.objects.count() == rows
    assert AudienceSnapshot.objects.filter(account=connection.account).count() == 1
    assert fakes[0].count("insights") == 4


def test_tiktok_and_disconnected_accounts_are_not_asked(db, fakes):
    SocialConnectionFactory(
        account=AccountFactory(platform="tiktok", username="tt"),
        platform="tiktok",
        method=ConnectionMethod.TIKTOK,
        access_token=TOKEN,
    )
    instagram(status="disconnected")

    report = audiences_fetch(now=NOW)

    assert report.ok == report.failed == 0
    assert not AudienceSnapshot.objects.exists()


def test_a_refused_token_stores_nothing_and_is_counted_as_a_failure(db, fakes):
    connection = instagram()
    connection.access_token = "expired"
    connection.save(update_fields=["access_token"])

    report = audiences_fetch(now=NOW)

    assert report.failed == 1
    assert "Instagram" in next(iter(report.errors))
    assert not AudienceSnapshot.objects.exists()


def test_a_breakdown_without_data_gives_no_bucket():
    body = {"data": [{"name": "follower_demographics", "total_value": {"breakdowns": []}}]}
    assert parse_follower_demographics(body, "city") == []


def test_the_api_lists_the_audience_of_accounts_the_user_sees(db, fakes):
    connection = instagram()
    audiences_fetch(now=NOW)
    api = APIClient()
    api.force_login(UserFactory(roles=["Analyst"], is_staff=True))

    answer = api.get("/api/v1/analytics/audience/", {"account": connection.account_id}).json()

    assert answer["count"] == 1
    snapshot = answer["results"][0]
    assert snapshot["source"] == "instagram_follower_demographics"
    assert {"dimension": "age", "key": "25-34", "value": 3400.0, "unit": "followers"} in snapshot[
        "demographics"
    ]
    bad = api.get("/api/v1/analytics/audience/", {"date": "yesterday"})
    assert bad.status_code == 400 and "date" in bad.json()["error"]["fields"]
