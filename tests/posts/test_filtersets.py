"""Every filter of PostFilterSet keeps the matching posts and drops the others."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.utils import timezone

from posts.choices import BaseFormat, ContentType, ProcessingStatus, ReelStyle, TrialStatus
from posts.filters import PostFilterSet, PostSnapshotFilterSet
from posts.models import Post, PostSnapshot
from tests.creators.factories import AccountFactory
from tests.finance.factories import FinanceItemFactory
from tests.posts.factories import PostFactory, PostSnapshotFactory
from tests.settings_app.factories import (
    BoardFactory,
    CategoryFactory,
    ClientFactory,
    EditorFactory,
    SubcategoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def filtered(params: dict) -> list[int]:
    filterset = PostFilterSet(QueryDict(urlencode(params, doseq=True)), queryset=Post.objects.all())
    assert filterset.is_valid(), filterset.errors
    return list(filterset.qs.values_list("id", flat=True))


def ids(*posts) -> set[int]:
    return {p.pk for p in posts}


def test_is_trial_keeps_trial_reels_or_regular_posts():
    trial = PostFactory(is_trial=True, trial_status=TrialStatus.PENDING)
    regular = PostFactory()

    assert set(filtered({"is_trial": "true"})) == ids(trial)
    assert set(filtered({"is_trial": "false"})) == ids(regular)


def test_trial_status_keeps_the_posts_in_the_given_statuses():
    pending = PostFactory(is_trial=True, trial_status=TrialStatus.PENDING)
    rejected = PostFactory(is_trial=True, trial_status=TrialStatus.REJECTED)
    approved = PostFactory(is_trial=False, trial_status=TrialStatus.APPROVED)
    PostFactory()

    assert set(filtered({"trial_status": "pending"})) == ids(pending)
    assert set(filtered({"trial_status": ["rejected", "approved"]})) == ids(rejected, approved)


def test_platform_keeps_the_posts_of_the_given_platforms():
    instagram = PostFactory()
    tiktok = PostFactory(platform="tiktok", post_id="123")
    youtube = PostFactory(platform="youtube", post_id="dQw4w9WgXcQ")

    assert set(filtered({"platform": "tiktok"})) == ids(tiktok)
    assert set(filtered({"platform": ["instagram", "youtube"]})) == ids(instagram, youtube)


def test_account_keeps_the_posts_of_one_account():
    account = AccountFactory()
    mine = PostFactory(account=account)
    PostFactory(account=AccountFactory())
    PostFactory()

    assert set(filtered({"account": account.pk})) == ids(mine)


def test_username_keeps_the_posts_of_exactly_that_author_whatever_the_case_or_at_sign():
    author = PostFactory(username="sunny")
    PostFactory(username="sunny2")
    PostFactory(username="")

    assert set(filtered({"username": "@Sunny "})) == ids(author)


@pytest.mark.parametrize(
    ("name", "factory"),
    [("client", ClientFactory), ("editor", EditorFactory), ("finance_item", FinanceItemFactory)],
)
def test_a_business_relation_filter_keeps_the_posts_linked_to_it(name, factory):
    wanted, other = factory(), factory()
    linked = PostFactory(**{name: wanted})
    PostFactory(**{name: other})
    PostFactory()

    assert set(filtered({name: wanted.pk})) == ids(linked)


def test_client_and_editor_accept_several_values():
    first, second = ClientFactory(), ClientFactory()
    posts = [PostFactory(client=first), PostFactory(client=second)]
    PostFactory(client=ClientFactory())

    assert set(filtered({"client": [first.pk, second.pk]})) == ids(*posts)


def test_assignee_keeps_the_posts_assigned_to_a_staff_member():
    assignee = UserFactory()
    assigned = PostFactory(assignee=assignee)
    PostFactory(assignee=UserFactory())
    PostFactory()

    assert set(filtered({"assignee": assignee.pk})) == ids(assigned)


def test_board_keeps_the_posts_on_a_board_once_each():
    board, other_board = BoardFactory(), BoardFactory()
    on_both = PostFactory()
    on_both.boards.set([board, other_board])
    on_board = PostFactory()
    on_board.boards.set([board])
    PostFactory().boards.set([other_board])
    PostFactory()

    assert set(filtered({"board": board.pk})) == ids(on_both, on_board)
    both = filtered({"board": [board.pk, other_board.pk]})
    assert len(both) == len(set(both)) == 3


def test_category_keeps_the_posts_of_a_category():
    category = CategoryFactory()
    classified = PostFactory(category=category)
    PostFactory(category=CategoryFactory())
    PostFactory()

    assert set(filtered({"category": category.pk})) == ids(classified)


def test_subcategory_keeps_the_posts_of_a_subcategory_once_each():
    yoga, running = SubcategoryFactory(), SubcategoryFactory()
    both = PostFactory()
    both.subcategories.set([yoga, running])
    only_yoga = PostFactory()
    only_yoga.subcategories.set([yoga])
    PostFactory().subcategories.set([running])
    PostFactory()

    assert set(filtered({"subcategory": yoga.pk})) == ids(both, only_yoga)
    either = filtered({"subcategory": [yoga.pk, running.pk]})
    assert len(either) == len(set(either)) == 3


def test_reel_style_keeps_the_videos_of_that_style():
    talking = PostFactory(base_format=BaseFormat.VIDEO, reel_style=ReelStyle.TALKING_HEAD)
    PostFactory(base_format=BaseFormat.VIDEO, reel_style=ReelStyle.HYBRID)
    PostFactory(base_format=BaseFormat.CAROUSEL)

    assert set(filtered({"reel_style": "talking_head"})) == ids(talking)


def test_processing_status_keeps_the_posts_in_those_states():
    failed = PostFactory(processing_status=ProcessingStatus.FAILED)
    completed = PostFactory(processing_status=ProcessingStatus.COMPLETED)
    PostFactory(processing_status=ProcessingStatus.PENDING)

    assert set(filtered({"processing_status": "failed"})) == ids(failed)
    assert set(filtered({"processing_status": ["failed", "completed"]})) == ids(failed, completed)


def test_base_format_keeps_the_posts_of_that_format():
    carousel = PostFactory(base_format=BaseFormat.CAROUSEL)
    PostFactory(base_format=BaseFormat.VIDEO)
    PostFactory()

    assert set(filtered({"base_format": "carousel"})) == ids(carousel)


def test_content_type_keeps_the_posts_of_that_content_type():
    long_video = PostFactory(content_type=ContentType.VIDEO_LONG)
    PostFactory(content_type=ContentType.VIDEO_SHORT)
    PostFactory()

    assert set(filtered({"content_type": "video_long"})) == ids(long_video)


@pytest.mark.parametrize("field", ["post_date", "added_date"])
def test_a_date_range_keeps_the_posts_inside_it_bounds_included(field):
    now = timezone.now().replace(microsecond=0)
    start, end = now - timedelta(days=7), now - timedelta(days=1)
    on_start = PostFactory(**{field: start})
    inside = PostFactory(**{field: now - timedelta(days=3)})
    on_end = PostFactory(**{field: end})
    before = PostFactory(**{field: start - timedelta(seconds=1)})
    after = PostFactory(**{field: end + timedelta(seconds=1)})

    both = {f"{field}_after": start.isoformat(), f"{field}_before": end.isoformat()}
    assert set(filtered(both)) == ids(on_start, inside, on_end)
    assert set(filtered({f"{field}_after": end.isoformat()})) == ids(on_end, after)
    assert set(filtered({f"{field}_before": start.isoformat()})) == ids(before, on_start)


def test_a_date_only_bound_is_accepted():
    recent = PostFactory(post_date=timezone.now())
    PostFactory(post_date=timezone.now() - timedelta(days=400))
    since = (timezone.now() - timedelta(days=30)).date().isoformat()

    assert set(filtered({"post_date_after": since})) == ids(recent)


@pytest.mark.parametrize(
    ("field", "low", "middle", "high"),
    [
        ("views", 10, 500, 90_000),
        ("likes", 1, 50, 7_000),
        ("engagement_rate", Decimal("0.50"), Decimal("3.25"), Decimal("12.00")),
    ],
)
def test_a_stat_range_keeps_the_posts_between_min_and_max(field, low, middle, high):
    posts = {value: PostFactory(**{field: value}) for value in (low, middle, high)}
    PostFactory(**{field: None})

    assert set(filtered({f"{field}_min": middle, f"{field}_max": middle})) == ids(posts[middle])
    assert set(filtered({f"{field}_min": middle})) == ids(posts[middle], posts[high])
    assert set(filtered({f"{field}_max": middle})) == ids(posts[low], posts[middle])


def test_search_by_any_form_of_a_post_url_finds_that_post():
    post = PostFactory(post_id="DAbc123xyz", url="https://www.instagram.com/p/DAbc123xyz/")
    PostFactory(post_id="DAbc123xyZ", url="https://www.instagram.com/p/DAbc123xyZ/")

    for form in (
        "https://www.instagram.com/p/DAbc123xyz/",
        "instagram.com/reel/DAbc123xyz?igsh=abc",
        "https://m.instagram.com/someone/reel/DAbc123xyz/",
    ):
        assert filtered({"search": form}) == [post.pk]


def test_search_by_a_profile_url_finds_the_posts_of_that_author():
    author = PostFactory(username="sunny.days")
    PostFactory(username="sunny.days.two")

    assert filtered({"search": "https://www.instagram.com/sunny.days/"}) == [author.pk]


def test_search_by_text_matches_a_username_prefix_or_a_caption():
    by_prefix = PostFactory(username="sunny.days")
    by_caption = PostFactory(caption="Summer: sunny and warm")
    PostFactory(username="rain.sunny", caption="grey")

    assert set(filtered({"search": "@Sunny"})) == ids(by_prefix)
    assert set(filtered({"search": "SUNNY"})) == ids(by_prefix, by_caption)


def test_an_empty_search_keeps_every_post():
    posts = PostFactory.create_batch(2)

    assert set(filtered({"search": "  "})) == ids(*posts)


@pytest.mark.parametrize(
    "field",
    [
        "post_date",
        "added_date",
        "views",
        "likes",
        "comments",
        "shares",
        "engagement_rate",
        "last_updated",
        "username",
    ],
)
def test_ordering_sorts_by_each_offered_field_both_ways(field):
    now = timezone.now()
    values = {
        "post_date": [now - timedelta(days=d) for d in (3, 1, 2)],
        "added_date": [now - timedelta(days=d) for d in (3, 1, 2)],
        "last_updated": [now - timedelta(days=d) for d in (3, 1, 2)],
        "username": ["alpha", "gamma", "beta"],
        "engagement_rate": [Decimal("1.00"), Decimal("9.00"), Decimal("5.00")],
    }.get(field, [1, 100, 10])
    low, high, middle = (PostFactory(**{field: value}) for value in values)

    assert filtered({"ordering": field}) == [low.pk, middle.pk, high.pk]
    assert filtered({"ordering": f"-{field}"}) == [high.pk, middle.pk, low.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"post_date_after": "notadate"},
        {"views_min": "x"},
        {"trial_status": "maybe"},
        {"category": "abc"},
        {"subcategory": "987654"},
        {"assignee": "987654"},
        {"finance_item": "x"},
        {"ordering": "caption"},
    ],
)
def test_invalid_values_make_the_filterset_invalid_instead_of_failing(params):
    filterset = PostFilterSet(QueryDict(urlencode(params)), queryset=Post.objects.all())

    assert not filterset.is_valid()


def test_snapshots_filter_by_a_captured_at_range():
    post = PostFactory()
    now = timezone.now()
    old = PostSnapshotFactory(post=post, captured_at=now - timedelta(days=9))
    recent = PostSnapshotFactory(post=post, captured_at=now - timedelta(days=1))

    def snapshots(params):
        filterset = PostSnapshotFilterSet(params, queryset=PostSnapshot.objects.all())
        assert filterset.is_valid(), filterset.errors
        return set(filterset.qs.values_list("id", flat=True))

    week_ago = (now - timedelta(days=7)).isoformat()
    assert snapshots({"captured_at_after": week_ago}) == {recent.pk}
    assert snapshots({"captured_at_before": week_ago}) == {old.pk}
