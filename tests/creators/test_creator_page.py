"""The creator page in the admin: profile, metric cards, follower and views charts from the
snapshot history, recent posts and the month's finance figures."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from creators.metrics import account_views_per_day
from creators.models import KpiStatus
from posts.choices import TrialStatus
from tests.creators.factories import AccountFactory, AccountSnapshotFactory
from tests.posts.factories import PostFactory, PostSnapshotFactory

pytestmark = pytest.mark.django_db

MAX_QUERIES = 20


def page(client, account) -> str:
    response = client.get(f"/admin/creators/account/{account.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def chart(html: str, chart_id: str) -> str:
    return re.search(rf'<svg[^>]*id="{chart_id}".*?</svg>', html, re.S).group(0)


def values(svg: str) -> list[str]:
    return re.findall(r'class="co-point"[^>]*data-value="([^"]+)"', svg)


def noon(days_ago: int):
    return timezone.now().replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(
        days=days_ago
    )


def test_the_page_shows_the_profile_cards_and_finance_figures(superuser_client):
    account = AccountFactory(
        username="ana.clips",
        full_name="Ana Clips",
        biography="Daily clips <b>and</b> edits",
        is_verified=True,
        followers=123_456,
        avg_engagement_rate="4.25",
        followers_since_monday=-12,
        this_month_posting_volume=17,
        last_month_posting_volume=30,
        this_month_views_generated=1_250_000,
        kpi_status=KpiStatus.BEHIND,
    )

    html = page(superuser_client, account)

    assert "Ana Clips" in html and "@ana.clips" in html and "Verified" in html
    assert "Daily clips &lt;b&gt;and&lt;/b&gt; edits" in html
    assert re.search(r'data-field="followers"><div class="co-card-value">123,456<', html)
    assert re.search(r'data-field="avg_engagement_rate"><div class="co-card-value">4.25%<', html)
    assert re.search(r'data-field="followers_since_monday"><div class="co-card-value">-12<', html)
    assert re.search(r'data-field="this_month_posting_volume"><div [^>]*>17<', html)
    assert re.search(r'data-field="this_month_views_generated"><div [^>]*>1,250,000<', html)
    assert "co-kpi-behind" in html and "Behind" in html


def test_the_charts_come_from_the_snapshot_history(superuser_client):
    account = AccountFactory()
    for days_ago, followers in ((3, 1000), (2, 1100), (1, 1250)):
        AccountSnapshotFactory(account=account, captured_at=noon(days_ago), followers=followers)
    published = noon(10)
    a = PostFactory(account=account, post_date=published)
    b = PostFactory(account=account, post_date=published)
    trial = PostFactory(
        account=account, post_date=published, is_trial=True, trial_status=TrialStatus.PENDING
    )
    for post, history in ((a, {3: 100, 2: 150, 1: 400}), (b, {2: 1000, 1: 1100})):
        for days_ago, views in history.items():
            PostSnapshotFactory(post=post, captured_at=noon(days_ago), views=views)
    PostSnapshotFactory(post=trial, captured_at=noon(1), views=99_999)  # not counted

    html = page(superuser_client, account)

    followers = chart(html, "followers-chart")
    assert values(followers) == ["1000", "1100", "1250"] and 'data-points="3"' in followers
    views = chart(html, "views-chart")
    # Day 1: nothing gained before tracking began; then +50; then +250 (a) and +100 (b).
    assert values(views) == ["0", "50", "350"] and 'data-points="3"' in views
    assert [total for _, total in account_views_per_day(account)] == [0, 50, 350]


def test_a_new_post_counts_from_zero_and_an_account_without_history_says_so(superuser_client):
    account = AccountFactory()
    post = PostFactory(account=account, post_date=noon(1) - timedelta(hours=2))
    PostSnapshotFactory(post=post, captured_at=noon(1), views=700)

    assert [total for _, total in account_views_per_day(account)] == [700]
    empty = AccountFactory()
    html = page(superuser_client, empty)
    assert "No profile snapshots yet" in html and "No post snapshots yet" in html
    assert 'data-points="0"' in chart(html, "followers-chart")


def test_recent_posts_are_the_latest_ten_with_their_stats(superuser_client):
    account = AccountFactory()
    posts = [PostFactory(account=account, post_date=noon(i), views=i * 1000) for i in range(12)]

    html = page(superuser_client, account)

    table = re.search(r'<table id="recent-posts".*?</table>', html, re.S).group(0)
    links = re.findall(r'href="/admin/posts/post/(\d+)/change/"', table)
    assert links == [str(p.pk) for p in posts[:10]]
    assert "9,000" in table


@pytest.mark.parametrize("size", [1, 20])
def test_the_page_issues_a_bounded_number_of_queries(
    superuser_client, django_assert_max_num_queries, size
):
    account = AccountFactory()
    for days_ago in range(size * 3):
        AccountSnapshotFactory(account=account, captured_at=noon(days_ago + 1))
    for i in range(size):
        post = PostFactory(account=account, post_date=noon(30))
        for days_ago in range(1, 4):
            PostSnapshotFactory(post=post, captured_at=noon(days_ago), views=i * days_ago)

    with django_assert_max_num_queries(MAX_QUERIES):
        html = page(superuser_client, account)

    assert 'id="views-chart"' in html
