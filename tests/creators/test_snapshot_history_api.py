"""`/api/v1/accounts/{id}/snapshots/?granularity=…`: follower history for the growth chart."""

from datetime import UTC, datetime

import pytest

from tests.creators.factories import AccountFactory, AccountSnapshotFactory

pytestmark = pytest.mark.django_db


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def account():
    account = AccountFactory()
    for moment, followers in [
        ("2026-02-27 09:00", 1_000),  # first ever: the chart starts from it (rule 3)
        ("2026-02-28 09:00", 1_100),
        ("2026-03-01 00:00", 1_150),  # the 1st at 00:00 belongs to March
        ("2026-03-02 09:00", 1_120),  # an unfollow wave
        ("2026-03-02 21:00", 1_300),
    ]:
        AccountSnapshotFactory(account=account, captured_at=utc(moment), followers=followers)
    return account


def history(api, account, **query):
    response = api.get(f"/api/v1/accounts/{account.pk}/snapshots/", query)
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_one_point_per_day_with_the_followers_gained(api, account):
    points = history(api, account, granularity="day")

    assert [(p["bucket"], p["followers"], p["gained"]) for p in points] == [
        ("2026-02-27T00:00:00Z", 1_000, 0),
        ("2026-02-28T00:00:00Z", 1_100, 100),
        ("2026-03-01T00:00:00Z", 1_150, 50),
        ("2026-03-02T00:00:00Z", 1_300, 150),  # the day's last value, not its dip
    ]
    assert set(points[0]) == {
        "bucket",
        "captured_at",
        "followers",
        "following",
        "media_count",
        "gained",
    }
    assert points[3]["captured_at"] == "2026-03-02T21:00:00Z"


def test_one_point_per_month_and_per_week(api, account):
    months = history(api, account, granularity="month")
    weeks = history(api, account, granularity="week")

    assert [(p["bucket"], p["followers"], p["gained"]) for p in months] == [
        ("2026-02-01T00:00:00Z", 1_100, 100),
        ("2026-03-01T00:00:00Z", 1_300, 200),
    ]
    assert [(p["bucket"], p["followers"], p["gained"]) for p in weeks] == [
        ("2026-02-23T00:00:00Z", 1_150, 150),  # Sunday 03-01 is in the week of Monday 02-23
        ("2026-03-02T00:00:00Z", 1_300, 150),
    ]


def test_start_and_end_select_buckets_and_keep_the_gains(api, account):
    points = history(api, account, granularity="day", start="2026-02-28T18:00", end="2026-03-01")

    assert [(p["bucket"], p["gained"]) for p in points] == [
        ("2026-02-28T00:00:00Z", 100),
        ("2026-03-01T00:00:00Z", 50),
    ]


def test_buckets_in_the_agencys_time_zone(api, account, settings):
    settings.TIME_ZONE = "Europe/Paris"

    points = history(api, account, granularity="month")

    # 2026-03-01 00:00 UTC is 01:00 in Paris: March there too; 02-28 09:00 stays February.
    assert [(p["bucket"], p["followers"]) for p in points] == [
        ("2026-02-01T00:00:00+01:00", 1_100),
        ("2026-03-01T00:00:00+01:00", 1_300),
    ]


def test_a_page_of_points(api, account):
    response = api.get(
        f"/api/v1/accounts/{account.pk}/snapshots/", {"granularity": "day", "page_size": 3}
    )

    assert response.json()["count"] == 4
    assert len(response.json()["results"]) == 3
    second = api.get(response.json()["next"]).json()["results"]
    assert [(p["followers"], p["gained"]) for p in second] == [(1_300, 150)]


@pytest.mark.parametrize(
    "query",
    [
        {"granularity": "hour"},
        {"granularity": "day", "start": "notadate"},
        {"granularity": "week", "start": "2026-03-05", "end": "2026-03-01"},
    ],
)
def test_a_bad_history_query_answers_400_in_the_api_error_shape(api, account, query):
    response = api.get(f"/api/v1/accounts/{account.pk}/snapshots/", query)

    assert response.status_code == 400
    assert set(response.json()) == {"error"}
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_without_granularity_the_raw_history_is_unchanged(api, account):
    response = api.get(f"/api/v1/accounts/{account.pk}/snapshots/")

    assert response.json()["count"] == 5
    assert [s["followers"] for s in response.json()["results"]][-2:] == [1_120, 1_300]


def test_a_page_of_points_and_their_count_take_one_statement(api, account):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = f"/api/v1/accounts/{account.pk}/snapshots/"
    api.get(url, {"granularity": "day"})  # the session's and the throttle's first reads
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url, {"granularity": "day", "page_size": 3})

    reading_snapshots = [q for q in queries if "creators_accountsnapshot" in q["sql"]]
    assert len(reading_snapshots) == 1
    # The account is not read on its own: its access check is part of that statement.
    assert not [
        q
        for q in queries
        if "creators_accountsnapshot" not in q["sql"] and "creators_account" in q["sql"]
    ]
    assert response.json()["count"] == 4
    assert [p["followers"] for p in response.json()["results"]] == [1_000, 1_100, 1_150]


def test_the_history_of_an_account_one_may_not_see_is_not_found(account, role_user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(role_user("Editor"))  # an editor sees only their own accounts

    response = client.get(f"/api/v1/accounts/{account.pk}/snapshots/", {"granularity": "day"})

    assert response.status_code == 404
    assert "results" not in response.json()


def test_an_account_without_snapshots_has_an_empty_history_and_an_unknown_one_none(api):
    empty = AccountFactory()

    response = api.get(f"/api/v1/accounts/{empty.pk}/snapshots/", {"granularity": "day"})
    missing = api.get("/api/v1/accounts/99999999/snapshots/", {"granularity": "day"})

    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert missing.status_code == 404


@pytest.mark.parametrize("page", ["3", "0", "abc", "99999999999999999999999"])
def test_a_page_past_the_end_or_malformed_is_an_invalid_page(api, account, page):
    response = api.get(
        f"/api/v1/accounts/{account.pk}/snapshots/",
        {"granularity": "day", "page_size": 2, "page": page},
    )

    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Invalid page."


def test_the_last_page_by_name(api, account):
    response = api.get(
        f"/api/v1/accounts/{account.pk}/snapshots/",
        {"granularity": "day", "page_size": 3, "page": "last"},
    )

    assert response.json()["count"] == 4
    assert [p["followers"] for p in response.json()["results"]] == [1_300]
    assert response.json()["next"] is None
