"""Post metrics (specs/metrics.md): value at a moment, gained in a window, engagement rate."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from creators.metrics import post_engagement_rate
from posts.metrics import engagement_rate, value_at, views_gained, views_gained_in
from posts.models import Post
from tests.creators.factories import AccountFactory, AccountSnapshotFactory
from tests.posts.factories import PostFactory, PostSnapshotFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)  # the worked example's Wednesday


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def make_post(published: str | None, history: list[tuple[str, int | None]], **fields) -> Post:
    post = PostFactory(post_date=utc(published) if published else None, **fields)
    for moment, views in history:
        PostSnapshotFactory(post=post, captured_at=utc(moment), views=views)
    return post


def views_at(post: Post, moment: datetime) -> int | None:
    return Post.objects.annotate(v=value_at("views", moment)).get(pk=post.pk).v


def gained(post: Post, start: datetime, end: datetime) -> int | None:
    return Post.objects.annotate(g=views_gained(start, end)).get(pk=post.pk).g


@pytest.fixture
def post_p() -> Post:
    return make_post(
        "2026-02-20",
        [
            ("2026-02-21", 1_000),
            ("2026-03-01 06:00", 5_000),
            ("2026-03-16 09:00", 9_000),
            ("2026-03-18 10:00", 10_000),
        ],
    )


@pytest.fixture
def post_q() -> Post:
    return make_post("2025-06-01", [("2026-03-10", 40_000), ("2026-03-18 11:00", 41_000)])


# --- The worked example -----------------------------------------------------------------------


def test_the_worked_example_post_p(post_p):
    assert views_at(post_p, NOW) == 10_000
    assert views_at(post_p, utc("2026-03-01")) == 1_000  # the 02-21 snapshot
    assert gained(post_p, utc("2026-03-01"), NOW) == 9_000  # since the 1st of the month
    assert views_at(post_p, utc("2026-03-16")) == 5_000  # Monday: the 03-01 snapshot
    assert gained(post_p, utc("2026-03-16"), NOW) == 5_000  # the week so far
    assert gained(post_p, utc("2026-03-11 12:00"), NOW) == 5_000  # last 7 days
    assert views_at(post_p, utc("2026-02-01")) == 0  # published 02-20: rule 2
    assert gained(post_p, utc("2026-02-01"), utc("2026-03-01")) == 1_000  # February


def test_the_worked_example_post_q_counts_no_growth_before_tracking(post_q):
    assert views_at(post_q, utc("2026-02-16 12:00")) == 40_000  # rule 3: earliest snapshot
    assert gained(post_q, utc("2026-02-16 12:00"), NOW) == 1_000  # last 30 days


# --- The three rules --------------------------------------------------------------------------


def test_a_snapshot_exactly_at_the_moment_is_the_value_at_that_moment(post_p):
    assert views_at(post_p, utc("2026-03-01 06:00")) == 5_000
    assert views_at(post_p, utc("2026-03-01 05:59")) == 1_000


def test_a_post_published_at_the_moment_had_zero_views_then():
    post = make_post("2026-03-05", [("2026-03-06", 700)])

    assert views_at(post, utc("2026-03-05")) == 0
    assert gained(post, utc("2026-03-05"), NOW) == 700


def test_tracking_that_began_after_the_moment_takes_the_earliest_snapshot():
    post = make_post("2026-01-01", [("2026-03-10", 5_000), ("2026-03-12", 6_000)])

    assert views_at(post, utc("2026-02-01")) == 5_000
    assert gained(post, utc("2026-02-01"), utc("2026-03-01")) == 0


def test_a_post_without_a_date_is_not_assumed_unpublished():
    post = make_post(None, [("2026-03-10", 5_000)])

    assert views_at(post, utc("2026-02-01")) == 5_000


def test_without_snapshots_every_value_and_gain_is_null():
    post = make_post("2026-03-01", [])

    assert views_at(post, NOW) is None
    assert views_at(post, utc("2026-02-01")) is None
    assert gained(post, utc("2026-02-01"), NOW) is None


def test_a_hidden_counter_stays_null_and_is_not_replaced_by_an_older_value():
    post = make_post("2026-01-01", [("2026-02-01", 100), ("2026-03-01", None)])

    assert views_at(post, utc("2026-03-02")) is None
    assert gained(post, utc("2026-02-02"), utc("2026-03-02")) is None


def test_a_negative_correction_is_kept():
    post = make_post("2026-01-01", [("2026-03-01", 5_000), ("2026-03-10", 4_200)])

    assert gained(post, utc("2026-03-02"), NOW) == -800


def test_other_counters_follow_the_same_rules():
    post = PostFactory(post_date=utc("2026-03-01"))
    PostSnapshotFactory(post=post, captured_at=utc("2026-03-02"), likes=40, comments=3, shares=2)

    row = Post.objects.annotate(
        likes_then=value_at("likes", utc("2026-03-01")),
        likes_now=value_at("likes", NOW),
        shares_now=value_at("shares", NOW),
    ).get()

    assert (row.likes_then, row.likes_now, row.shares_now) == (0, 40, 2)


def test_an_unknown_counter_is_refused():
    with pytest.raises(ValueError, match="counter"):
        value_at("followers", NOW)


def test_a_month_not_over_yet_ends_at_now(post_p):
    march = (utc("2026-03-01"), utc("2026-04-01"))
    february = (utc("2026-02-01"), utc("2026-03-01"))

    row = Post.objects.annotate(
        march=views_gained_in(march, now=NOW), february=views_gained_in(february, now=NOW)
    ).get(pk=post_p.pk)

    assert (row.march, row.february) == (9_000, 1_000)


def test_gains_sum_over_many_posts_in_one_query(post_p, post_q, django_assert_num_queries):
    from django.db.models import Sum

    with django_assert_num_queries(1):
        total = Post.objects.aggregate(v=Sum(views_gained(utc("2026-03-01"), NOW)))["v"]

    assert total == 9_000 + 1_000


# --- Engagement rate --------------------------------------------------------------------------


def rate_of(post: Post) -> Decimal | None:
    return Post.objects.annotate(r=post_engagement_rate()).get(pk=post.pk).r


@pytest.mark.parametrize(
    ("views", "likes", "comments", "shares", "expected"),
    [
        (1_000, 80, 15, 5, Decimal("10.00")),
        (3, 1, 0, None, Decimal("33.33")),
        (3, 2, None, None, Decimal("66.67")),
        (800, 1, 0, 0, Decimal("0.13")),  # 0.125: half up
        (8, 1, None, None, Decimal("12.50")),
        (1_000, None, None, None, Decimal("0.00")),
    ],
)
def test_the_engagement_rate_is_per_view_when_there_are_views(
    views, likes, comments, shares, expected
):
    post = PostFactory(views=views, likes=likes, comments=comments, shares=shares)

    assert rate_of(post) == expected
    assert Post.objects.annotate(r=engagement_rate()).get().r == expected


@pytest.mark.parametrize("views", [None, 0])
def test_without_views_the_rate_is_per_follower_at_the_post_date(views):
    account = AccountFactory()
    AccountSnapshotFactory(account=account, captured_at=utc("2026-01-01"), followers=1_000)
    AccountSnapshotFactory(account=account, captured_at=utc("2026-03-01"), followers=2_000)
    AccountSnapshotFactory(account=account, captured_at=utc("2026-03-10"), followers=9_000)
    post = PostFactory(
        account=account, post_date=utc("2026-03-05"), views=views, likes=150, comments=10
    )

    assert rate_of(post) == Decimal("8.00")  # 160 / 2 000 (followers@03-05)


def test_a_post_older_than_the_account_history_uses_the_earliest_followers():
    account = AccountFactory()
    AccountSnapshotFactory(account=account, captured_at=utc("2026-03-01"), followers=400)
    post = PostFactory(account=account, post_date=utc("2025-01-01"), views=None, likes=10)

    assert rate_of(post) == Decimal("2.50")


@pytest.mark.parametrize("followers", [0, None])
def test_without_views_or_followers_the_rate_is_null(followers):
    account = AccountFactory()
    AccountSnapshotFactory(account=account, captured_at=utc("2026-03-01"), followers=followers)
    post = PostFactory(account=account, post_date=utc("2026-03-05"), views=None, likes=10)

    assert rate_of(post) is None


def test_without_views_or_account_history_the_rate_is_null():
    assert rate_of(PostFactory(views=0, likes=10)) is None
    assert rate_of(PostFactory(account=AccountFactory(), views=None, likes=10)) is None


def test_an_absurd_rate_is_capped_to_what_the_field_holds():
    post = PostFactory(views=1, likes=10**9)

    assert rate_of(post) == Decimal("9999999.99")


def test_the_value_can_be_taken_for_a_post_named_by_another_row(post_p):
    from posts.models import PostSnapshot

    row = (
        PostSnapshot.objects.filter(post=post_p)
        .annotate(
            at_first=value_at("views", utc("2026-03-01"), owner="post_id"),
            before=value_at("views", utc("2026-02-01"), owner="post_id"),
            month=views_gained(utc("2026-03-01"), NOW, owner="post_id"),
        )
        .first()
    )

    assert (row.at_first, row.before, row.month) == (1_000, 0, 9_000)
