"""The boards page (posts grouped by board, with counts and totals) and the post page's
stats timeline."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from posts.choices import TrialStatus
from tests.posts.factories import PostFactory, PostSnapshotFactory
from tests.settings_app.factories import BoardFactory

pytestmark = pytest.mark.django_db

BOARDS = "/admin/posts/post/boards/"
MAX_QUERIES = 10


def row(html: str, slug: str) -> str:
    return re.search(rf'<tr[^>]*data-board="{slug}".*?</tr>', html, re.S).group(0)


def test_each_board_shows_its_posts_count_totals_and_most_viewed(superuser_client):
    finance, clipping = BoardFactory(name="Finance"), BoardFactory(name="Clipping")
    BoardFactory(name="Empty")
    top = PostFactory(views=5000, likes=50, username="star")
    top.boards.set([finance, clipping])
    other = PostFactory(views=1000, likes=None)
    other.boards.set([finance])
    trial = PostFactory(views=None, is_trial=True, trial_status=TrialStatus.PENDING)
    trial.boards.set([clipping])
    PostFactory(views=7)  # on no board

    html = superuser_client.get(BOARDS).content.decode()

    finance_row = row(html, "finance")
    assert 'data-posts="2" data-views="6000"' in finance_row
    assert ">50<" in finance_row  # likes: NULL counted as nothing
    assert finance_row.index("@star") < finance_row.index(f"/admin/posts/post/{other.pk}/")
    clipping_row = row(html, "clipping")
    assert 'data-posts="2" data-views="5000"' in clipping_row
    assert re.search(r'<td class="num">1</td>', clipping_row)  # one trial
    assert 'data-posts="0" data-views="0"' in row(html, "empty")
    assert 'data-posts="1" data-views="7"' in row(html, "none")
    assert f'href="/admin/posts/post/?board={finance.pk}"' in finance_row


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
