"""Account figures (specs/metrics.md, specs/finance.md) written by account_metrics_recompute.

Every test runs the portable ORM path; on PostgreSQL also the raw SQL path, which must give
the same numbers.
"""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from creators.metrics import FIGURES, account_metrics_recompute
from creators.models import Account, KpiStatus
from finance.metrics import account_figures_recompute
from posts.choices import BaseFormat, TrialStatus
from posts.models import Post
from tests.creators.factories import AccountFactory, AccountSnapshotFactory
from tests.finance.factories import FinanceItemFactory
from tests.posts.factories import PostFactory, PostSnapshotFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)  # the worked example's Wednesday


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(
    params=[
        "orm",
        pytest.param("sql", marks=pytest.mark.postgresql_only),
    ]
)
def recompute(request):
    """`recompute(account, now=…)`: run the recompute with the method under test, reload."""

    def run(account: Account | None = None, *, now: datetime = NOW, **kwargs) -> Account | None:
        ids = None if account is None else [account.pk]
        account_metrics_recompute(account_ids=ids, now=now, method=request.param, **kwargs)
        return None if account is None else Account.objects.get(pk=account.pk)

    return run


def make_post(account, published: str | None, history=(), **fields) -> Post:
    """A post of `account`; its current stats are its latest snapshot's."""
    post = PostFactory(account=account, post_date=utc(published) if published else None, **fields)
    for moment, views in history:
        PostSnapshotFactory(post=post, captured_at=utc(moment), views=views)
    if history:
        post.views = history[-1][1]
        post.save(update_fields=["views"])
    return post


def follow(account, history) -> None:
    for moment, followers in history:
        AccountSnapshotFactory(account=account, captured_at=utc(moment), followers=followers)


def post_p(account) -> Post:
    return make_post(
        account,
        "2026-02-20",
        [
            ("2026-02-21", 1_000),
            ("2026-03-01 06:00", 5_000),
            ("2026-03-16 09:00", 9_000),
            ("2026-03-18 10:00", 10_000),
        ],
    )


def post_q(account) -> Post:
    return make_post(account, "2025-06-01", [("2026-03-10", 40_000), ("2026-03-18 11:00", 41_000)])


# --- The worked example -----------------------------------------------------------------------


def test_the_worked_example_post_p(recompute):
    account = AccountFactory()
    post_p(account)

    account = recompute(account)

    assert account.views_since_1st_of_month == 9_000
    assert account.views_last_7d == 5_000
    assert account.views_last_calendar_month == 1_000
    assert account.views_last_30d == 10_000  # published 02-20, after 02-16: all its views
    assert account.views_last_calendar_week == 0  # 03-09 → 03-16: 5 000 → 5 000
    assert account.this_month_views_generated == 9_000
    assert account.last_month_views_generated == 1_000
    assert account.total_views == 10_000


def test_the_worked_example_post_q(recompute):
    account = AccountFactory()
    post_q(account)

    account = recompute(account)

    assert account.views_last_30d == 1_000  # rule 3: no growth before tracking
    assert account.views_last_365d == 41_000  # published inside the year: 0 then (rule 2)
    assert account.views_last_calendar_month == 0


def test_the_worked_example_both_posts_on_one_account(recompute):
    account = AccountFactory()
    post_p(account)
    post_q(account)

    account = recompute(account)

    assert account.views_last_7d == 5_000 + 1_000
    assert account.views_last_30d == 10_000 + 1_000
    assert account.views_since_1st_of_month == 9_000 + 1_000
    assert account.views_last_calendar_month == 1_000
    assert account.total_views == 51_000
    assert account.avg_views == 25_500
    assert account.metrics_computed_at == NOW


# --- Edges ------------------------------------------------------------------------------------


def test_an_account_without_posts_or_snapshots_has_empty_figures(recompute):
    account = recompute(AccountFactory())

    for field in ("total_views", "avg_views", "avg_engagement_rate", "views_last_7d"):
        assert getattr(account, field) is None, field
    for field in ("followers_since_monday", "followers_since_start_of_growth"):
        assert getattr(account, field) is None, field
    assert (account.video_count, account.posts_last_30d, account.this_month_posting_volume) == (
        0,
        0,
        0,
    )
    assert account.kpi_status == KpiStatus.NO_TARGET
    assert account.metrics_computed_at == NOW


def test_posts_without_snapshots_have_totals_but_no_gains(recompute):
    account = AccountFactory()
    make_post(account, "2026-03-10", views=500)

    account = recompute(account)

    assert account.total_views == 500
    assert account.views_last_7d is None
    assert account.posts_last_30d == 1


def test_a_post_published_inside_the_window_counts_all_its_views(recompute):
    account = AccountFactory()
    make_post(account, "2026-03-15", [("2026-03-16", 300), ("2026-03-18", 800)])

    account = recompute(account)

    assert account.views_last_7d == 800
    assert account.views_since_1st_of_month == 800
    # Published on Sunday 03-15: its 300 views by Monday 00:00 were last week's.
    assert account.views_last_calendar_week == 300


def test_a_negative_correction_is_kept(recompute):
    account = AccountFactory()
    make_post(account, "2026-01-01", [("2026-03-01", 5_000), ("2026-03-17", 4_000)])
    make_post(account, "2026-01-01", [("2026-03-01", 100), ("2026-03-17", 300)])

    account = recompute(account)

    assert account.views_last_7d == -1_000 + 200


def test_trial_reels_count_only_once_approved(recompute):
    account = AccountFactory()
    make_post(account, "2026-03-12", [("2026-03-13", 100)], base_format=BaseFormat.VIDEO)
    trial = make_post(
        account,
        "2026-03-12",
        [("2026-03-13", 9_000)],
        base_format=BaseFormat.VIDEO,
        is_trial=True,
        trial_status=TrialStatus.PENDING,
    )

    account = recompute(account)

    assert (account.total_views, account.video_count, account.posts_last_7d) == (100, 1, 1)
    assert account.views_last_7d == 100
    assert account.this_month_posting_volume == 1

    Post.objects.filter(pk=trial.pk).update(is_trial=False, trial_status=TrialStatus.APPROVED)
    account = recompute(account)

    assert (account.total_views, account.video_count, account.posts_last_7d) == (9_100, 2, 2)
    assert account.views_last_7d == 9_100
    assert account.this_month_posting_volume == 2


def test_totals_are_null_only_when_every_post_hides_the_counter(recompute):
    account = AccountFactory()
    PostFactory(account=account, views=None, likes=10, shares=None)
    PostFactory(account=account, views=300, likes=None, shares=None)
    PostFactory(account=account, views=400, likes=5, shares=None)

    account = recompute(account)

    assert (account.total_views, account.total_likes, account.total_shares) == (700, 15, None)
    assert account.avg_views == 350  # over the 2 posts that show views


def test_the_average_views_round_half_up(recompute):
    account = AccountFactory()
    for views in (1, 2):
        PostFactory(account=account, views=views)
    PostFactory(account=account, views=None)

    assert recompute(account).avg_views == 2  # 1.5


def test_format_counts(recompute):
    account = AccountFactory()
    for base_format in [BaseFormat.VIDEO] * 3 + [BaseFormat.SINGLE_PHOTO, BaseFormat.CAROUSEL]:
        PostFactory(account=account, base_format=base_format)
    PostFactory(account=account, base_format=None)

    account = recompute(account)

    assert (account.video_count, account.photo_count, account.carousel_count) == (3, 1, 1)


def test_the_posts_engagement_rate_is_written_and_averaged(recompute):
    account = AccountFactory()
    follow(account, [("2026-01-01", 1_000)])
    with_views = PostFactory(account=account, views=1_000, likes=100, comments=1)  # 10.10
    photo = PostFactory(
        account=account, post_date=utc("2026-02-01"), views=None, likes=25, comments=0
    )  # 2.50 (per follower)
    PostFactory(account=account, views=0, likes=0, comments=0)  # 0.00
    other = PostFactory(views=None, likes=3)  # no account: NULL

    account = recompute(account)

    with_views.refresh_from_db()
    photo.refresh_from_db()
    assert (with_views.engagement_rate, photo.engagement_rate) == (
        Decimal("10.10"),
        Decimal("2.50"),
    )
    assert account.avg_engagement_rate == Decimal("4.20")  # (10.10 + 2.50 + 0.00) / 3
    recompute()  # every account, and the posts without one
    other.refresh_from_db()
    assert other.engagement_rate is None


def test_the_average_engagement_rate_rounds_half_up(recompute):
    account = AccountFactory()
    PostFactory(account=account, views=100, likes=1)  # 1.00
    PostFactory(account=account, views=10_000, likes=101)  # 1.01

    assert recompute(account).avg_engagement_rate == Decimal("1.01")  # 1.005


def test_followers_figures(recompute):
    account = AccountFactory()
    follow(
        account,
        [
            ("2026-02-20", 1_000),  # before the 1st: the value at the 1st
            ("2026-03-16 00:00", 1_200),  # exactly Monday 00:00: the value at Monday
            ("2026-03-18 11:00", 1_500),
            ("2026-03-19", 9_999),  # after now: not counted
        ],
    )

    account = recompute(account)

    assert account.followers_since_1st_of_month == 500
    assert account.followers_since_monday == 300
    assert account.followers_since_start_of_growth == 500


def test_followers_tracked_after_the_1st_count_from_the_earliest_snapshot(recompute):
    account = AccountFactory()
    follow(account, [("2026-03-17", 2_000), ("2026-03-18", 1_900)])

    account = recompute(account)

    assert account.followers_since_1st_of_month == -100
    assert account.followers_since_monday == -100
    assert account.followers_since_start_of_growth == -100


def test_a_window_includes_its_start_and_excludes_its_end(recompute):
    account = AccountFactory()
    monday = "2026-03-16 00:00"
    make_post(account, "2026-03-11 12:00")  # exactly now - 7 days: counted
    make_post(account, "2026-03-18 12:00")  # exactly now: not counted
    make_post(account, "2026-03-01 00:00")  # the 1st at 00:00: this month
    make_post(account, "2026-02-28 23:59")  # last month
    make_post(account, "2026-01-01", [("2026-03-09 00:00", 10), (monday, 30), ("2026-03-17", 70)])

    account = recompute(account)

    assert account.posts_last_7d == 1
    assert account.posts_last_30d == 3
    assert account.this_month_posting_volume == 3  # the 1st, 03-11 and 03-18 (still March)
    assert account.last_month_posting_volume == 1
    # The snapshots at Monday 00:00 are the values at the windows' bounds.
    assert account.views_last_calendar_week == 30 - 10


def test_calendar_windows_follow_the_agencys_time_zone_through_a_dst_week(settings, recompute):
    settings.TIME_ZONE = "America/New_York"
    now = utc("2026-03-10 16:00")  # Tuesday 12:00 EDT; clocks went forward on Sunday 03-08
    account = AccountFactory()
    make_post(
        account,
        "2026-01-01",
        [
            ("2026-03-01 04:59", 50),  # Feb 28, 23:59 EST
            ("2026-03-01 05:00", 60),  # March 1st, 00:00 EST
            ("2026-03-02 04:30", 100),  # Sunday 03-01, 23:30 EST
            ("2026-03-02 05:00", 150),  # Monday 03-02, 00:00 EST: last week's start
            ("2026-03-09 03:30", 400),  # Sunday 03-08, 23:30 EDT
            ("2026-03-09 04:00", 500),  # Monday 03-09, 00:00 EDT: this week's start
            ("2026-03-09 05:00", 600),
            ("2026-03-10 15:00", 700),
        ],
    )
    follow(
        account, [("2026-03-09 03:59", 1_000), ("2026-03-09 04:00", 1_100), ("2026-03-10", 1_300)]
    )
    FinanceItemFactory()  # an item elsewhere changes nothing

    account = recompute(account, now=now)

    assert account.views_last_calendar_week == 500 - 150
    assert account.views_since_1st_of_month == 700 - 60
    # February in New York; tracking began on Feb 28 (rule 3): 50 -> 60.
    assert account.views_last_calendar_month == 60 - 50
    assert account.followers_since_monday == 1_300 - 1_100
    assert account.followers_since_1st_of_month == 1_300 - 1_000  # rule 3: earliest


def test_only_the_given_accounts_are_recomputed(recompute):
    chosen, other = AccountFactory(), AccountFactory()
    PostFactory(account=chosen, views=10)
    PostFactory(account=other, views=20)

    assert account_metrics_recompute(account_ids=[chosen.pk], now=NOW) == 1
    other.refresh_from_db()
    assert other.total_views is None
    assert other.metrics_computed_at is None
    assert account_metrics_recompute(account_ids=[], now=NOW) == 0


def test_a_full_recompute_reports_every_account(recompute):
    AccountFactory.create_batch(3)

    assert account_metrics_recompute(now=NOW) == 3
    assert not Account.objects.filter(metrics_computed_at__isnull=True).exists()


# --- Both paths give the same numbers ---------------------------------------------------------


def figures() -> dict[int, dict]:
    return {row["id"]: row for row in Account.objects.values("id", *FIGURES)}


@pytest.mark.postgresql_only
def test_the_sql_and_orm_paths_agree_on_the_demo_agency():
    from operations.demo import demo_data_create

    demo_data_create(accounts=6, posts=150, days=40, now=NOW)
    for now in (NOW, utc("2026-03-01 00:00"), utc("2026-03-16 00:00")):
        Post.objects.update(engagement_rate=None)
        account_figures_recompute(now=now, method="orm")
        orm_rates = dict(Post.objects.values_list("id", "engagement_rate"))
        orm = figures()
        Account.objects.update(total_views=None, views_last_7d=None, kpi_status="met")
        Post.objects.update(engagement_rate=None)
        account_figures_recompute(now=now, method="sql")

        assert figures() == orm
        assert dict(Post.objects.values_list("id", "engagement_rate")) == orm_rates
    assert Account.objects.filter(views_last_30d__gt=0).exists()


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_full_recompute_shared_by_several_connections_gives_the_same_numbers():
    accounts = AccountFactory.create_batch(5, finance_item=FinanceItemFactory())
    for number, account in enumerate(accounts):
        follow(account, [("2026-03-01", 100 * number), ("2026-03-17", 150 * number)])
        post_p(account)
        if number % 2:
            post_q(account)
    PostFactory(account=accounts[1], views=None, likes=30, post_date=utc("2026-03-10"))

    assert account_metrics_recompute(now=NOW, workers=1) == 5
    one = figures()
    Account.objects.update(total_views=None, metrics_computed_at=None)
    Post.objects.update(engagement_rate=None)

    assert account_metrics_recompute(now=NOW, workers=3) == 5
    assert figures() == one
    assert not Post.objects.filter(account__isnull=False, engagement_rate__isnull=True).exists()
