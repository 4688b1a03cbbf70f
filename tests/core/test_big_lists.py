"""The machinery behind fast big lists: fast list serializers give exactly the standard output,
bulk row updates write the given fields and nothing else, many-to-many filters list a row once,
and on PostgreSQL every common list reads its rows in index order (checked with EXPLAIN)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.bulk import bulk_update_rows, rows_insert, rows_update
from core.prefetch import (
    RELATED_VALUES,
    prefetch_related_values,
    related_values_from_page,
    with_related_values,
)
from creators.api.serializers import AccountSerializer
from creators.models import Account
from posts.api.serializers import PostSerializer
from posts.choices import BaseFormat, ReelStyle, TrialStatus
from posts.models import Post, PostSnapshot
from posts.queries import posts_for_api
from tests.creators.factories import AccountFactory
from tests.posts.factories import PostFactory
from tests.settings_app.factories import (
    BoardFactory,
    CategoryFactory,
    ClientFactory,
    SubcategoryFactory,
)

POSTS = "/api/v1/posts/"


@pytest.fixture
def varied_posts(db):
    """Posts with and without account, category, boards, sub-categories, stats and dates."""
    account = AccountFactory(username="someone")
    category = CategoryFactory(name="Test kitchen")
    subs = [SubcategoryFactory(category=category, name=n) for n in ("Zucchini", "Apple pie")]
    boards = [BoardFactory(name=n, slug=n.lower()) for n in ("UGC", "Clipping")]
    now = timezone.now()
    posts = [
        PostFactory(
            account=account,
            username="someone",
            category=category,
            views=1234,
            likes=0,
            engagement_rate=Decimal("3.10"),
            base_format=BaseFormat.VIDEO,
            reel_style=ReelStyle.HYBRID,
            post_date=now - timedelta(days=2, microseconds=17),
            is_trial=True,
            trial_status=TrialStatus.PENDING,
            client=ClientFactory(name="Acme"),
            extra={"note": "é", "n": [1, 2]},
        ),
        PostFactory(),
        PostFactory(base_format=BaseFormat.SINGLE_PHOTO, caption="Hello", duration_s=12.5),
    ]
    posts[0].boards.set(boards)
    posts[0].subcategories.set(subs)
    posts[2].boards.set(boards[:1])
    return posts


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_a_fast_post_list_is_exactly_the_standard_serializers_output(varied_posts, settings, zone):
    settings.TIME_ZONE = zone
    page = list(posts_for_api().order_by("pk"))
    prefetch_related_values(page, "boards", "id")
    prefetch_related_values(page, "subcategories", "id", "name")

    fast = PostSerializer(page, many=True).data
    standard = [PostSerializer(post).data for post in Post.objects.order_by("pk")]

    assert [dict(row) for row in fast] == [dict(row) for row in standard]
    assert fast[0]["subcategory_names"] == ["Apple pie", "Zucchini"]  # in the taxonomy's order


def test_a_fast_list_without_prefetched_values_still_answers_right(varied_posts):
    page = list(posts_for_api().order_by("pk"))  # not prefetched: read through the relation

    fast = PostSerializer(page, many=True).data

    assert [row["subcategory_names"] for row in fast] == [["Apple pie", "Zucchini"], [], []]


def test_a_fast_list_writes_plain_values_inline_and_converts_the_others(varied_posts):
    page = list(posts_for_api().order_by("pk"))
    # Values of other types than the column's (set in Python): converted as DRF would.
    page[1].username, page[1].views, page[1].is_trial = 12345, Decimal("7"), 1

    fast = PostSerializer(page, many=True).data

    assert [dict(row) for row in fast] == [dict(PostSerializer(post).data) for post in page]
    assert (fast[1]["username"], fast[1]["views"], fast[1]["is_trial"]) == ("12345", 7, True)
    _, plan = PostSerializer(many=True)._writers()
    kinds = {name: kind for name, _, kind, _ in plan}
    assert (kinds["username"], kinds["views"], kinds["is_trial"], kinds["client"]) == (
        str,
        int,
        bool,
        int,
    )


def test_a_fast_account_list_is_exactly_the_standard_serializers_output(db):
    board = BoardFactory(name="Finance", slug="finance")
    accounts = [AccountFactory(views_last_7d=-5, followers=None), AccountFactory(followers=10)]
    accounts[1].boards.set([board])
    page = list(Account.objects.order_by("pk"))
    prefetch_related_values(page, "boards", "id")

    fast = AccountSerializer(page, many=True).data
    standard = [AccountSerializer(a).data for a in Account.objects.order_by("pk")]

    assert [dict(row) for row in fast] == [dict(row) for row in standard]


POST_RELATIONS = {"boards": ("id",), "subcategories": ("id", "name")}
# SQLite reads them in a statement per relation: these are deselected there (tests/conftest.py).
on_postgresql = pytest.mark.postgresql_only


@on_postgresql
def test_related_values_read_by_the_page_itself_are_those_a_prefetch_reads(varied_posts):
    # Sub-categories of two categories: their order is the category's name, then their own.
    other = SubcategoryFactory(category=CategoryFactory(name="Arts"), name="Zebra")
    varied_posts[0].subcategories.add(other)
    prefetched = list(posts_for_api().order_by("pk"))
    for relation, fields in POST_RELATIONS.items():
        prefetch_related_values(prefetched, relation, *fields)

    with CaptureQueriesContext(connection) as queries:
        page = list(with_related_values(posts_for_api().order_by("pk"), POST_RELATIONS))
        assert related_values_from_page(page, POST_RELATIONS)

    assert len(queries) == 1
    assert [p.__dict__[RELATED_VALUES] for p in page] == [
        p.__dict__[RELATED_VALUES] for p in prefetched
    ]
    assert page[0].__dict__[RELATED_VALUES]["subcategories"][1][0] == (other.pk, "Zebra")
    standard = [PostSerializer(post).data for post in Post.objects.order_by("pk")]
    assert [dict(r) for r in PostSerializer(page, many=True).data] == [dict(r) for r in standard]


def test_a_page_read_without_its_related_values_says_so(varied_posts):
    page = list(posts_for_api().order_by("pk"))

    assert not related_values_from_page(page, POST_RELATIONS)
    assert not related_values_from_page([], POST_RELATIONS)


@on_postgresql
@pytest.mark.parametrize(
    ("path", "tables"),
    [
        (POSTS, ["posts_post_boards", "posts_post_subcategories"]),
        ("/api/v1/accounts/", ["creators_account_boards"]),
    ],
)
def test_a_list_page_reads_its_many_to_many_values_in_its_own_statement(api, path, tables):
    post = PostFactory(account=AccountFactory())
    post.boards.add(BoardFactory())
    post.account.boards.add(BoardFactory(name="Other", slug="other"))
    post.subcategories.add(SubcategoryFactory())

    with CaptureQueriesContext(connection) as queries:
        response = api.get(path)

    assert response.status_code == 200
    assert response.data["results"][0]["boards"]
    for table in tables:
        reading = [q["sql"] for q in queries if f'"{table}"' in q["sql"]]
        assert len(reading) == 1, reading
        assert reading[0].startswith("SELECT") and "LIMIT" in reading[0]  # the page itself


def test_bulk_update_rows_writes_the_given_fields_and_nothing_else(db):
    when = timezone.now().replace(microsecond=123456)
    posts = [PostFactory(views=1, caption="old"), PostFactory(views=2), PostFactory(views=3)]
    posts[0].views, posts[0].caption, posts[0].last_updated = None, "new 'quoted'", when
    posts[1].views, posts[1].duration_s, posts[1].base_format = 10**12, 3.25, BaseFormat.CAROUSEL
    posts[2].likes = 7  # not among the fields written
    fields = ["views", "caption", "last_updated", "duration_s", "base_format"]

    bulk_update_rows(posts, fields, batch_size=2)

    rows = list(Post.objects.order_by("pk").values("views", "caption", "last_updated", "likes"))
    assert rows[0] == {
        "views": None,
        "caption": "new 'quoted'",
        "last_updated": when,
        "likes": None,
    }
    assert rows[1]["views"] == 10**12
    assert Post.objects.get(pk=posts[1].pk).duration_s == 3.25
    assert Post.objects.get(pk=posts[1].pk).base_format == BaseFormat.CAROUSEL
    assert rows[2]["likes"] is None


def test_bulk_update_rows_of_nothing_runs_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        bulk_update_rows([], ["views"])


def test_rows_update_writes_each_rows_values_what_every_row_gets_and_keeps_the_unknown(db):
    when = timezone.now().replace(microsecond=654321)
    posts = [PostFactory(views=1, caption="mine"), PostFactory(views=2, caption="mine too")]
    untouched = PostFactory(views=3, caption="other")

    rows_update(
        Post,
        ["views", "caption"],
        [(posts[0].pk, None, "new 'quoted'"), (posts[1].pk, 10**12, None)],
        same={"last_updated": when, "refresh_error": ""},
        keep_if_none=["caption"],
        batch_size=1,
    )

    rows = list(Post.objects.order_by("pk").values_list("views", "caption", "last_updated"))
    assert rows == [
        (None, "new 'quoted'", when),  # a counter's None is written: keep_if_none names caption
        (10**12, "mine too", when),
        (3, "other", untouched.last_updated),
    ]


def test_rows_update_prepares_values_of_another_type_as_the_field_would(db):
    # A column whose values are all ints, strs or aware datetimes is sent as given; one that
    # is not goes through the field's own preparation (int("12"), int(3.9)), as a save would.
    posts = [PostFactory(views=1), PostFactory(views=2)]

    rows_update(Post, ["views", "likes"], [(posts[0].pk, "12", 5), (posts[1].pk, 3.9, None)])

    rows = Post.objects.order_by("pk").values_list("views", "likes")
    assert list(rows) == [(12, 5), (3, None)]


def test_rows_insert_writes_the_rows_and_with_ignore_conflicts_skips_the_ones_already_there(db):
    post, when = PostFactory(), timezone.now().replace(microsecond=0)
    PostSnapshot.objects.create(post=post, captured_at=when, views=1)
    later = when + timedelta(hours=1)

    for captured_at in (when, later):
        rows_insert(
            PostSnapshot,
            ["post", "views", "source"],
            [(post.pk, 5, "fake")],
            same={"captured_at": captured_at},
            ignore_conflicts=True,
        )

    rows = PostSnapshot.objects.order_by("captured_at").values_list(
        "captured_at", "views", "source"
    )
    assert list(rows) == [(when, 1, ""), (later, 5, "fake")]


def test_rows_update_and_rows_insert_of_nothing_run_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        rows_update(Post, ["views"], [], same={"refresh_error": ""})
        rows_insert(PostSnapshot, ["post", "views"], [])


def test_a_post_on_two_chosen_boards_is_listed_once(api, db):
    first, second = BoardFactory(name="A", slug="a"), BoardFactory(name="B", slug="b")
    post = PostFactory()
    post.boards.set([first, second])
    PostFactory().boards.set([second])
    PostFactory()

    data = api.get(POSTS, {"board": [first.pk, second.pk]}).json()

    assert data["count"] == 2
    assert sorted(row["id"] for row in data["results"]) == sorted(
        Post.objects.filter(boards__isnull=False).distinct().values_list("pk", flat=True)
    )


def test_a_post_date_period_lists_newest_posted_first(api, db):
    now = timezone.now()
    older_but_added_last = PostFactory(post_date=now - timedelta(days=5), added_date=now)
    newer = PostFactory(post_date=now - timedelta(days=1), added_date=now - timedelta(days=1))
    PostFactory(post_date=now - timedelta(days=30))  # outside the period

    after = (now - timedelta(days=7)).isoformat()
    data = api.get(POSTS, {"post_date_after": after}).json()

    assert [row["id"] for row in data["results"]] == [newer.pk, older_but_added_last.pk]


# --- PostgreSQL: the plans ---------------------------------------------------------------------


def plan_of(queryset, *, sort: bool = False) -> str:
    """EXPLAIN of `queryset` with sequential scans and sorts discouraged (for this test's
    transaction): on a small test table the planner would rather sort; this asks whether an
    index can give the order at all, which it cannot when the index's expression is not the
    query's."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if not sort:
            cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def listed(path: str, params: dict, model=Post):
    """The queryset the API runs for `path` with `params` (filters, ordering)."""
    from django.http import QueryDict

    from creators.filters import AccountFilterSet
    from posts.filters import PostFilterSet

    filterset = PostFilterSet if model is Post else AccountFilterSet
    base = posts_for_api() if model is Post else Account.objects.all()
    query = QueryDict(mutable=True)
    query.update(params)
    return filterset(query, queryset=base).qs[:51]


@pytest.mark.postgresql_only
@pytest.mark.parametrize(
    ("params", "index"),
    [
        ({}, "post_added_idx"),
        ({"ordering": "-views"}, "post_views_sort_idx"),
        ({"ordering": "views"}, "post_views_sort_idx"),
        ({"ordering": "-post_date"}, "post_post_date_sort_idx"),
        ({"post_date_after": "2026-01-01T00:00:00Z"}, "post_post_date_idx"),
        ({"ordering": "-detected_at", "detected": "true"}, "post_detected_sort_idx"),
    ],
)
def test_a_posts_page_is_read_in_index_order(db, params, index):
    PostFactory.create_batch(3)
    plan = plan_of(listed(POSTS, params))

    assert index in plan, plan
    assert "Sort" not in plan.replace("Sort Key", ""), plan


@pytest.mark.postgresql_only
@pytest.mark.parametrize(
    ("params", "index"),
    [
        ({}, "account_username_idx"),
        ({"ordering": "-views_last_7d"}, "account_views_7d_sort_idx"),
        ({"ordering": "-followers"}, "account_followers_sort_idx"),
        ({"ordering": "-avg_views"}, "account_avg_views_sort_idx"),
    ],
)
def test_an_accounts_page_is_read_in_index_order(db, params, index):
    AccountFactory.create_batch(3)
    plan = plan_of(listed("/api/v1/accounts/", params, model=Account))

    assert index in plan, plan
    assert "Sort" not in plan.replace("Sort Key", ""), plan


@pytest.mark.postgresql_only
def test_caption_search_uses_the_trigram_index(db):
    words = ["sunset", "recipe", "workout", "unboxing", "travel", "makeup", "budget", "coding"]
    Post.objects.bulk_create(
        Post(
            platform="instagram",
            post_id=f"T{i}",
            url=f"https://www.instagram.com/p/T{i}/",
            caption=f"My {words[i % 8]} video number {i} of {words[i * 3 % 8]}",
        )
        for i in range(5_000)
    )
    with connection.cursor() as cursor:
        # What autovacuum does: merge the index's pending entries, gather statistics.
        cursor.execute("SELECT gin_clean_pending_list('post_caption_trgm_idx')")
        cursor.execute("ANALYZE posts_post")

    # The planner's own choice (no setting changed): a rare word is found through the index.
    sql, params = listed(POSTS, {"search": "holiday"}).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "post_caption_trgm_idx" in plan, plan


@pytest.mark.postgresql_only
def test_the_refresh_queue_is_read_in_index_order(db):
    from posts.queries import posts_due_for_refresh

    PostFactory.create_batch(3)
    due = posts_due_for_refresh(now=timezone.now())  # in the queue's order
    plan = plan_of(due.values("pk")[:200])

    assert "post_refresh_queue_idx" in plan, plan
    assert "Sort" not in plan.replace("Sort Key", ""), plan
