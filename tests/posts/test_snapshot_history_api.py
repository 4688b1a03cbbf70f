"""`/api/v1/posts/{id}/snapshots/?granularity=…`: one point per bucket for the charts."""

from datetime import UTC, datetime

import pytest

from tests.posts.factories import PostFactory, PostSnapshotFactory

pytestmark = pytest.mark.django_db


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def post_p():
    """The worked example's post P (specs/metrics.md)."""
    post = PostFactory(post_date=utc("2026-02-20"))
    for moment, views in [
        ("2026-02-21", 1_000),
        ("2026-03-01 06:00", 5_000),
        ("2026-03-16 09:00", 9_000),
        ("2026-03-18 10:00", 10_000),
    ]:
        PostSnapshotFactory(post=post, captured_at=utc(moment), views=views, likes=views // 10)
    return post


def history(api, post, **query):
    response = api.get(f"/api/v1/posts/{post.pk}/snapshots/", query)
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_one_point_per_week_with_its_last_value_and_the_views_gained(api, post_p):
    points = history(api, post_p, granularity="week")

    assert [(p["bucket"], p["captured_at"], p["views"], p["gained"]) for p in points] == [
        ("2026-02-16T00:00:00Z", "2026-02-21T00:00:00Z", 1_000, 1_000),  # published that week
        ("2026-02-23T00:00:00Z", "2026-03-01T06:00:00Z", 5_000, 4_000),
        ("2026-03-16T00:00:00Z", "2026-03-18T10:00:00Z", 10_000, 5_000),
    ]
    assert set(points[0]) == {
        "bucket",
        "captured_at",
        "views",
        "likes",
        "comments",
        "shares",
        "gained",
    }
    assert points[2]["likes"] == 1_000


def test_one_point_per_month(api, post_p):
    points = history(api, post_p, granularity="month")

    assert [(p["bucket"], p["views"], p["gained"]) for p in points] == [
        ("2026-02-01T00:00:00Z", 1_000, 1_000),  # views_last_calendar_month of the example
        ("2026-03-01T00:00:00Z", 10_000, 9_000),  # views_since_1st_of_month
    ]


def test_the_range_keeps_the_gain_of_its_first_point(api, post_p):
    points = history(api, post_p, granularity="day", start="2026-03-10", end="2026-03-16T23:00")

    assert [(p["bucket"], p["views"], p["gained"]) for p in points] == [
        ("2026-03-16T00:00:00Z", 9_000, 4_000),  # since the 03-01 point, outside the range
    ]


def test_tracking_that_began_after_publication_counts_no_earlier_growth(api):
    post = PostFactory(post_date=utc("2025-06-01"))
    PostSnapshotFactory(post=post, captured_at=utc("2026-03-10 08:00"), views=40_000)
    PostSnapshotFactory(post=post, captured_at=utc("2026-03-10 20:00"), views=40_600)
    PostSnapshotFactory(post=post, captured_at=utc("2026-03-11 08:00"), views=40_400)

    points = history(api, post, granularity="day")

    assert [(p["views"], p["gained"]) for p in points] == [(40_600, 600), (40_400, -200)]


def test_buckets_are_taken_in_the_agencys_time_zone(api, settings):
    settings.TIME_ZONE = "America/New_York"
    post = PostFactory(post_date=utc("2026-03-08 12:00"))  # the DST Sunday
    PostSnapshotFactory(post=post, captured_at=utc("2026-03-09 03:30"), views=100)  # Sun EDT
    PostSnapshotFactory(post=post, captured_at=utc("2026-03-09 04:00"), views=300)  # Mon 00:00
    PostSnapshotFactory(post=post, captured_at=utc("2026-03-10 03:00"), views=350)  # Mon 23:00

    days = history(api, post, granularity="day")
    weeks = history(api, post, granularity="week")

    assert [(p["bucket"], p["views"], p["gained"]) for p in days] == [
        ("2026-03-08T00:00:00-05:00", 100, 100),
        ("2026-03-09T00:00:00-04:00", 350, 250),
    ]
    assert [(p["bucket"], p["views"]) for p in weeks] == [
        ("2026-03-02T00:00:00-05:00", 100),
        ("2026-03-09T00:00:00-04:00", 350),
    ]


def test_hidden_counters_stay_null(api):
    post = PostFactory(post_date=utc("2026-03-01"))
    PostSnapshotFactory(post=post, captured_at=utc("2026-03-02"), views=None)

    [point] = history(api, post, granularity="day")

    assert (point["views"], point["gained"]) == (None, None)


def test_without_granularity_the_raw_snapshots_are_listed(api, post_p):
    response = api.get(f"/api/v1/posts/{post_p.pk}/snapshots/")

    assert response.json()["count"] == 4
    assert "id" in response.json()["results"][0]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"granularity": "hour"}, "granularity"),
        ({"start": "2026-03-01"}, "granularity"),
        ({"granularity": "day", "start": "notadate"}, "start"),
        ({"granularity": "day", "end": "2026-13-01"}, "end"),
        ({"granularity": "day", "start": "2026-03-05", "end": "2026-03-01"}, "end"),
    ],
)
def test_a_bad_history_query_answers_400_with_the_field(api, post_p, query, field):
    response = api.get(f"/api/v1/posts/{post_p.pk}/snapshots/", query)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]


def test_the_history_of_an_unknown_post_answers_404(api):
    response = api.get("/api/v1/posts/987654/snapshots/", {"granularity": "day"})

    assert response.status_code == 404


def test_the_history_is_one_query_whatever_its_length(api, post_p, django_assert_max_num_queries):
    for day in range(1, 28):
        PostSnapshotFactory(post=post_p, captured_at=utc(f"2025-12-{day:02d}"), views=day)

    # session and user, the post, the count and the page
    # +2: the user's and their role's permissions; +1: the throttle's counter (core.counters).
    with django_assert_max_num_queries(8):
        history(api, post_p, granularity="day")
