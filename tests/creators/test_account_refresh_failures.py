"""An account whose profile refresh or new-post detection fails shows why from its first
failure, on its admin page, in the changelist filter and in the API."""

from datetime import UTC, datetime

import pytest

from creators.services.tracking import account_detect_new_posts_due, account_refresh_due
from platforms.providers.base import TemporaryError
from tests.creators.factories import AccountFactory
from tests.operations import fakes

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


@pytest.fixture
def fake(settings, monkeypatch):
    settings.REFRESH_MAX_FAILURES = 5
    settings.REFRESH_BACKOFF_SECONDS = 300
    settings.ACCOUNT_REFRESH_HOURS = 24
    return fakes.install(settings, monkeypatch)


def test_a_failing_account_shows_the_providers_error_page_filter_and_api(
    fake, api, superuser_client
):
    failing = AccountFactory(username="alice")
    healthy = AccountFactory(username="bob")
    fake.profiles["alice"] = TemporaryError("Apify run failed: actor timed out")
    fake.profiles["bob"] = fakes.profile_stats("bob")

    account_refresh_due(now=NOW)

    failing.refresh_from_db()
    assert failing.stats_error == "TemporaryError: Apify run failed: actor timed out"
    assert failing.stats_error_at == NOW
    page = superuser_client.get(f"/admin/creators/account/{failing.pk}/change/").content.decode()
    assert "Failing: 1 attempt in a row" in page
    assert "Apify run failed: actor timed out" in page
    listed = superuser_client.get("/admin/creators/account/?refresh_failing=true")
    assert [a.pk for a in listed.context["cl"].result_list] == [failing.pk]
    body = api.get(f"/api/v1/accounts/{failing.pk}/").json()
    assert body["stats_failures"] == 1
    assert body["stats_error"] == "TemporaryError: Apify run failed: actor timed out"
    assert body["stats_error_at"] == "2026-03-18T12:00:00Z"
    ids = [r["id"] for r in api.get("/api/v1/accounts/?refresh_failing=false").json()["results"]]
    assert ids == [healthy.pk]


def test_a_detection_error_is_kept_and_cleared_by_the_next_success(fake):
    account = AccountFactory(username="alice")
    fake.recent["alice"] = TemporaryError("TikTok answered 500")

    account_detect_new_posts_due(now=NOW)

    account.refresh_from_db()
    assert (account.detect_failures, account.detect_error) == (
        1,
        "TemporaryError: TikTok answered 500",
    )
    fake.recent["alice"] = []
    account_detect_new_posts_due(now=account.next_detect_at)
    account.refresh_from_db()
    assert (account.detect_failures, account.detect_error, account.detect_error_at) == (0, "", None)
