"""Big lists (posts, accounts) page by keyset: following `next` and `previous` walks every row
exactly once in the list's order, whatever the sort, the ties and the missing values."""

import base64
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.api.pagination import KeysetPagination
from creators.models import Account
from posts.models import Post
from tests.creators.factories import AccountFactory
from tests.posts.factories import PostFactory

POSTS = "/api/v1/posts/"
ACCOUNTS = "/api/v1/accounts/"


def walk(api, url: str) -> tuple[list[list[int]], dict]:
    """Every page from `url` following `next`: the ids of each page, and the last answer."""
    pages = []
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.json()
        data = response.json()
        pages.append([row["id"] for row in data["results"]])
        url = data["next"]
    return pages, data


def walk_back(api, data: dict) -> list[list[int]]:
    pages = []
    url = data["previous"]
    while url:
        data = api.get(url).json()
        pages.append([row["id"] for row in data["results"]])
        url = data["previous"]
    return pages[::-1]


@pytest.fixture
def posts_with_ties_and_gaps(db):
    """13 posts: views with ties and missing values, post dates with ties and gaps."""
    now = timezone.now()
    views = [None, 5, 5, 5, 100, None, 0, 7, 5, None, 100, 3, 7]
    rates = [None, Decimal("1.50"), Decimal("0.00"), None, Decimal("12.25")]
    return [
        PostFactory(
            views=v,
            engagement_rate=rates[i % 5],
            post_date=None if i % 4 == 0 else now - timedelta(days=i % 3),
            added_date=now - timedelta(hours=i % 5),
        )
        for i, v in enumerate(views)
    ]


def expected_order(posts, key, *, descending: bool) -> list[int]:
    # NULL is the lowest value; ties go by id in the first key's direction.
    def sort_value(post):
        value = key(post)
        return (value is not None, value if value is not None else 0, post.pk)

    return [p.pk for p in sorted(posts, key=sort_value, reverse=descending)]


@pytest.mark.parametrize(
    ("ordering", "key", "descending"),
    [
        ("", lambda p: p.added_date, True),
        ("-views", lambda p: p.views, True),
        ("views", lambda p: p.views, False),
        ("-post_date", lambda p: p.post_date, True),
        ("post_date", lambda p: p.post_date, False),
        ("-engagement_rate", lambda p: p.engagement_rate, True),
        ("engagement_rate", lambda p: p.engagement_rate, False),
        ("-added_date", lambda p: p.added_date, True),
    ],
)
def test_following_next_and_previous_visits_every_post_once_in_order(
    api, posts_with_ties_and_gaps, ordering, key, descending
):
    query = f"?page_size=4&ordering={ordering}" if ordering else "?page_size=4"

    pages, last = walk(api, POSTS + query)

    seen = [pk for page in pages for pk in page]
    assert seen == expected_order(posts_with_ties_and_gaps, key, descending=descending)
    assert [len(page) for page in pages] == [4, 4, 4, 1]
    assert walk_back(api, last) == pages[:-1]


def test_posts_without_views_come_last_when_sorted_by_most_views(api, db):
    PostFactory(views=None)
    PostFactory(views=10)
    PostFactory(views=2000)

    views = [row["views"] for row in api.get(POSTS, {"ordering": "-views"}).json()["results"]]

    assert views == [2000, 10, None]


def test_accounts_sorted_by_views_last_7d_end_with_those_not_yet_computed(api, db):
    for views in (None, -20, 300, None, 45):
        AccountFactory(views_last_7d=views)

    pages, _ = walk(api, ACCOUNTS + "?ordering=-views_last_7d&page_size=2")

    shown = [Account.objects.get(pk=pk).views_last_7d for page in pages for pk in page]
    assert shown == [300, 45, -20, None, None]


def test_a_filter_is_kept_on_every_page(api, db):
    PostFactory.create_batch(5, platform="tiktok")
    PostFactory.create_batch(3, platform="youtube")

    pages, _ = walk(api, POSTS + "?platform=tiktok&page_size=2")

    ids = [pk for page in pages for pk in page]
    assert sorted(ids) == sorted(
        Post.objects.filter(platform="tiktok").values_list("pk", flat=True)
    )


def test_a_row_added_while_paging_does_not_shift_the_next_page(api, db):
    PostFactory.create_batch(4)
    first = api.get(POSTS, {"page_size": 2}).json()
    PostFactory()  # newest: it belongs before the first page

    second = api.get(first["next"]).json()

    older = list(Post.objects.order_by("-added_date", "-id").values_list("pk", flat=True))[3:5]
    assert [row["id"] for row in second["results"]] == older


def test_numbered_pages_still_work_and_link_to_the_next_by_cursor(api, db):
    PostFactory.create_batch(5)

    second = api.get(POSTS, {"page_size": 2, "page": 2}).json()
    third = api.get(second["next"]).json()
    back = api.get(second["previous"]).json()

    newest = list(Post.objects.order_by("-added_date", "-id").values_list("pk", flat=True))
    assert [row["id"] for row in second["results"]] == newest[2:4]
    assert [row["id"] for row in third["results"]] == newest[4:]
    assert "cursor=" in second["next"]
    assert [row["id"] for row in back["results"]] == newest[:2]
    assert third["next"] is None


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!",
        base64.urlsafe_b64encode(b'{"after": [1]}').decode(),  # too few keys
        base64.urlsafe_b64encode(b'{"sideways": ["x", 1]}').decode(),
        base64.urlsafe_b64encode(b'{"after": ["not a date", 1]}').decode(),
        base64.urlsafe_b64encode(b"[1, 2]").decode(),
    ],
)
def test_a_bad_cursor_answers_400_with_the_error_shape(api, db, cursor):
    PostFactory()

    response = api.get(POSTS, {"cursor": cursor})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "cursor" in error["fields"]


def test_the_count_is_exact_for_a_small_list(api, db):
    PostFactory.create_batch(3)

    data = api.get(POSTS).json()

    assert (data["count"], data["count_exact"]) == (3, True)


@pytest.mark.postgresql_only
def test_past_the_exact_limit_the_count_is_the_planners_estimate(api, db, monkeypatch):
    monkeypatch.setattr(KeysetPagination, "exact_count_limit", 4)
    PostFactory.create_batch(9, platform="tiktok")
    PostFactory.create_batch(2, platform="youtube")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE posts_post")

    filtered = api.get(POSTS, {"platform": "tiktok", "page_size": 2}).json()
    small = api.get(POSTS, {"platform": "youtube", "page_size": 2}).json()
    one_page = api.get(POSTS, {"platform": "tiktok"}).json()

    assert filtered["count_exact"] is False
    assert filtered["count"] >= 5  # at least past the limit; the planner's guess beyond
    assert (small["count"], small["count_exact"]) == (2, True)
    # Everything on one page: the page itself is the exact count, however many.
    assert (one_page["count"], one_page["count_exact"]) == (9, True)


def _page_queries(api, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("path", [POSTS, ACCOUNTS])
def test_a_cursor_page_runs_as_many_queries_for_3_rows_as_for_30(api, db, path):
    make = PostFactory if path == POSTS else AccountFactory
    make.create_batch(4)
    url = api.get(path, {"page_size": 1}).json()["next"]
    few = _page_queries(api, url.replace("page_size=1", "page_size=3"))
    make.create_batch(40)
    url = api.get(path, {"page_size": 1}).json()["next"]

    assert _page_queries(api, url.replace("page_size=1", "page_size=30")) == few


@pytest.mark.postgresql_only
def test_a_big_tables_estimate_is_read_once_a_minute_not_on_every_page(api, db, monkeypatch):
    from core import pagination

    monkeypatch.setattr(pagination, "_TABLE_ESTIMATES", {})
    PostFactory.create_batch(3)
    with connection.cursor() as cursor:  # what ANALYZE would say of a big table
        cursor.execute("UPDATE pg_class SET reltuples = 50000 WHERE oid = 'posts_post'::regclass")

    first = _page_queries(api, f"{POSTS}?page_size=2")
    again = _page_queries(api, f"{POSTS}?page_size=2")
    data = api.get(POSTS, {"page_size": 2}).json()

    assert again == first - 1
    assert (data["count"], data["count_exact"]) == (50000, False)
    monkeypatch.setattr(pagination, "ESTIMATE_SECONDS", 0)  # a minute later: read afresh
    with connection.cursor() as cursor:
        cursor.execute("UPDATE pg_class SET reltuples = 3 WHERE oid = 'posts_post'::regclass")
    assert api.get(POSTS, {"page_size": 2}).json()["count"] == 3


@pytest.mark.postgresql_only
def test_a_small_tables_count_stays_exact_as_rows_are_added(api, db, monkeypatch):
    from core import pagination

    monkeypatch.setattr(pagination, "_TABLE_ESTIMATES", {})
    PostFactory.create_batch(3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE posts_post")
    first = _page_queries(api, f"{POSTS}?page_size=2")
    assert api.get(POSTS, {"page_size": 2}).json()["count"] == 3

    PostFactory.create_batch(2)  # the estimate kept (3) is stale: the count is still exact

    assert _page_queries(api, f"{POSTS}?page_size=2") == first - 1
    assert api.get(POSTS, {"page_size": 2}).json()["count"] == 5


@pytest.mark.postgresql_only
@pytest.mark.parametrize(
    "params", [{"platform": "tiktok"}, {"views_min": 5}, {"search": "anna", "is_trial": "false"}]
)
def test_a_filtered_lists_estimate_is_explained_on_its_ids_and_is_the_wide_lists(
    api, db, monkeypatch, params
):
    import json
    from urllib.parse import urlencode

    from django.http import QueryDict

    from posts.api.views import PostViewSet

    monkeypatch.setattr(KeysetPagination, "exact_count_limit", 1)
    PostFactory.create_batch(4, platform="tiktok", views=10, username="anna")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE posts_post")
    with CaptureQueriesContext(connection) as queries:
        data = api.get(POSTS, {**params, "page_size": 1}).json()
    (explain,) = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("EXPLAIN")]
    filterset = PostViewSet.filterset_class(
        QueryDict(urlencode(params)), queryset=PostViewSet.queryset.all()
    )
    assert filterset.is_valid()
    wide = json.loads(filterset.qs.order_by().explain(format="json"))[0]["Plan"]["Plan Rows"]

    assert explain.split(" FROM ")[0].endswith('SELECT "posts_post"."id" AS "pk"')
    assert (data["count"], data["count_exact"]) == (max(wide, 2), False)
