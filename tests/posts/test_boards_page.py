"""The boards page (posts grouped by board, with counts and totals) and the post page's
stats timeline."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from core import windows
from core.windows import local_date, local_midnight
from posts.choices import TrialStatus
from tests.posts.factories import PostFactory, PostSnapshotFactory
from tests.settings_app.factories import BoardFactory

pytestmark = pytest.mark.django_db

BOARDS = "/admin/posts/post/boards/"
MAX_QUERIES = 10


def row(html: str, slug: str) -> str:
    return re.search(rf'<tr[^>]*data-board="{slug}".*?</tr>', html, re.S).group(0)


def at(day: str, hour: int = 12):
    """Noon (by default) of `day` on the agency's wall clock."""
    return local_midnight(date.fromisoformat(day)) + timedelta(hours=hour)


def snapshots(post, *points):
    for day, views in points:
        PostSnapshotFactory(post=post, captured_at=at(day), views=views)
    return post


def test_each_board_shows_posts_posted_and_views_gained_in_the_period(superuser_client):
    finance, clipping = BoardFactory(name="Finance"), BoardFactory(name="Clipping")
    BoardFactory(name="Empty")
    star = PostFactory(post_date=at("2025-02-20"), views=9000, username="star")
    snapshots(star, ("2025-02-21", 1000), ("2025-03-10", 5000), ("2025-04-02", 9000))
    star.boards.set([finance, clipping])
    new = PostFactory(post_date=at("2025-03-05"), views=700, username="new")
    snapshots(new, ("2025-03-06", 200), ("2025-03-20", 700))
    new.boards.set([finance])
    trial = PostFactory(
        post_date=at("2025-03-10"), is_trial=True, trial_status=TrialStatus.PENDING, views=50
    )
    snapshots(trial, ("2025-03-11", 50))
    trial.boards.set([clipping])
    old = snapshots(PostFactory(post_date=at("2024-01-01"), views=100), ("2024-01-02", 100))
    later = snapshots(PostFactory(post_date=at("2025-04-05"), views=80), ("2025-04-06", 80))
    for post in (old, later):
        post.boards.set([finance])
    snapshots(PostFactory(post_date=at("2025-03-15"), views=7), ("2025-03-16", 7))  # no board

    response = superuser_client.get(f"{BOARDS}?period=custom&from=2025-03-01&to=2025-03-31")

    html = response.content.decode()
    finance_row = row(html, "finance")
    # Posted in March: `new` only; gained in March: star 5000 - 1000, new 700 - 0.
    assert 'data-posts="1" data-views="4700"' in finance_row
    assert finance_row.index("@star") < finance_row.index("@new") and "+4,000 views" in finance_row
    assert f"/admin/posts/post/{old.pk}/" not in finance_row  # gained nothing in March
    clipping_row = row(html, "clipping")
    assert 'data-posts="1" data-views="4050"' in clipping_row
    assert re.search(r'<td class="num">1</td>', clipping_row)  # the trial
    assert 'data-posts="0" data-views="0"' in row(html, "empty")
    assert 'data-posts="1" data-views="7"' in row(html, "none")
    assert f'href="/admin/posts/post/?board={finance.pk}"' in finance_row
    assert "Mar 1, 2025 – Mar 31, 2025" in html

    april = superuser_client.get(f"{BOARDS}?from=2025-04-01&to=2025-04-30").content.decode()
    # star 9000 - 5000; later 80 - 0 (posted in April).
    assert 'data-posts="1" data-views="4080"' in row(april, "finance")


def test_the_period_picker_offers_the_usual_periods(superuser_client):
    now = timezone.now()
    this_month, last_month = windows.this_month(now), windows.last_calendar_month(now)

    html = superuser_client.get(BOARDS).content.decode()

    assert re.search(r'data-period="this_month" class="selected"', html)
    for key in ("last_month", "last_30_days"):
        assert f'href="?period={key}"' in html
    assert f'name="from" value="{local_date(this_month[0]):%Y-%m-%d}"' in html
    html = superuser_client.get(f"{BOARDS}?period=last_month").content.decode()
    assert re.search(r'data-period="last_month" class="selected"', html)
    assert f'name="from" value="{local_date(last_month[0]):%Y-%m-%d}"' in html
    assert f'name="to" value="{local_date(this_month[0]) - timedelta(days=1):%Y-%m-%d}"' in html


@pytest.mark.parametrize(
    "query", ["from=2025-03-31&to=2025-03-01", "from=yesterday", "period=custom"]
)
def test_an_unreadable_custom_period_says_so_and_shows_this_month(superuser_client, query):
    response = superuser_client.get(f"{BOARDS}?{query}")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Custom period: enter the first and last day as dates" in html
    assert re.search(r'data-period="this_month" class="selected"', html)


@pytest.mark.parametrize("count", [2, 60])
def test_the_page_issues_a_bounded_number_of_queries(
    superuser_client, django_assert_max_num_queries, count
):
    boards = [BoardFactory() for _ in range(4)]
    for i in range(count):
        PostFactory(views=i).boards.set(boards[: 1 + i % 4])

    with django_assert_max_num_queries(MAX_QUERIES):
        response = superuser_client.get(BOARDS)

    assert response.status_code == 200


# The post page's stats timeline (posts/admin_boards.post_timeline)


def test_the_post_page_charts_views_and_interactions_per_day(superuser_client):
    post = PostFactory(views=900)
    noon = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    for days_ago, views in ((3, 100), (2, 400), (1, 900)):
        PostSnapshotFactory(
            post=post,
            captured_at=noon - timedelta(days=days_ago),
            views=views,
            likes=views // 10,
            shares=None,
        )
    PostSnapshotFactory(post=post, captured_at=noon - timedelta(days=1, hours=3), views=800)

    html = superuser_client.get(f"/admin/posts/post/{post.pk}/change/").content.decode()

    views = re.search(r'<svg[^>]*id="post-views-chart".*?</svg>', html, re.S).group(0)
    assert re.findall(r'data-value="([^"]+)"', views) == ["100", "400", "900"]  # day's last
    interactions = re.search(r'<svg[^>]*id="post-interactions-chart".*?</svg>', html, re.S)
    series = re.findall(r'class="co-point"[^>]*data-series="([^"]+)"', interactions.group(0))
    assert series.count("Likes") == 3 and series.count("Comments") == 3
    assert "Shares" not in series  # hidden counter: no point
    assert "AI status" in html or "Processing status" in html


def test_a_post_without_snapshots_says_so(superuser_client, django_assert_max_num_queries):
    post = PostFactory()
    with django_assert_max_num_queries(20):
        html = superuser_client.get(f"/admin/posts/post/{post.pk}/change/").content.decode()
    assert html.count("No snapshots yet") >= 2
