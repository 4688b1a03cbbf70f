"""The post admin: seed columns, FilterSet filters through admin URLs, adding by URL, editing."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from platforms.urls import ACCEPTED_FORMS
from posts.filters import PostFilterSet
from posts.models import Post
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


CHANGELIST = "admin:posts_post_changelist"


def change_url(post: Post) -> str:
    return reverse("admin:posts_post_change", args=[post.pk])


def changelist(client, params=None, **kwargs):
    response = client.get(reverse(CHANGELIST), params or {}, **kwargs)
    # An unknown parameter would have sent us to ?e=1.
    assert response.status_code == 200, response.get("Location")
    return response


def at(day: str):
    return timezone.make_aware(datetime.fromisoformat(day))


def tiktok_post(**kwargs) -> Post:
    post_id = kwargs.pop("post_id", "7300000000000000001")
    return PostFactory(
        platform="tiktok",
        post_id=post_id,
        url=f"https://www.tiktok.com/@someone/video/{post_id}",
        **kwargs,
    )


# --- Every FilterSet filter through the admin URL ---------------------------------------------
# Each case makes a post that matches, one that does not, and the query string.


def case_search():
    match, other = PostFactory(post_id="SeArch01"), PostFactory()
    return {"search": "https://www.instagram.com/reel/SeArch01/?igsh=abc"}, match, other


def case_is_trial():
    match, other = PostFactory(is_trial=True, trial_status="pending"), PostFactory()
    return {"is_trial": "true"}, match, other


def case_trial_status():
    match = PostFactory(is_trial=True, trial_status="rejected")
    other = PostFactory(is_trial=True, trial_status="pending")
    return {"trial_status": "rejected"}, match, other


def case_platform():
    return {"platform": "tiktok"}, tiktok_post(), PostFactory()


def case_account():
    account = AccountFactory()
    match, other = PostFactory(account=account), PostFactory(account=AccountFactory())
    return {"account": account.pk}, match, other


def case_username():
    match, other = PostFactory(username="alice"), PostFactory(username="alicette")
    return {"username": "@Alice"}, match, other


def case_client():
    client = ClientFactory()
    return {"client": client.pk}, PostFactory(client=client), PostFactory(client=ClientFactory())


def case_editor():
    editor = EditorFactory()
    return {"editor": editor.pk}, PostFactory(editor=editor), PostFactory(editor=EditorFactory())


def case_assignee():
    user = UserFactory()
    return {"assignee": user.pk}, PostFactory(assignee=user), PostFactory(assignee=UserFactory())


def case_board():
    board = BoardFactory()
    match, other = PostFactory(), PostFactory()
    match.boards.add(board)
    other.boards.add(BoardFactory())
    return {"board": board.pk}, match, other


def case_finance_item():
    item = FinanceItemFactory()
    match = PostFactory(finance_item=item)
    return {"finance_item": item.pk}, match, PostFactory(finance_item=FinanceItemFactory())


def case_category():
    category = CategoryFactory()
    match = PostFactory(category=category)
    return {"category": category.pk}, match, PostFactory(category=CategoryFactory())


def case_subcategory():
    subcategory = SubcategoryFactory()
    match, other = PostFactory(), PostFactory()
    match.subcategories.add(subcategory)
    other.subcategories.add(SubcategoryFactory(category=subcategory.category))
    return {"subcategory": subcategory.pk}, match, other


def case_reel_style():
    match = PostFactory(base_format="video", reel_style="hybrid")
    other = PostFactory(base_format="video", reel_style="talking_head")
    return {"reel_style": "hybrid"}, match, other


def case_processing_status():
    match, other = PostFactory(processing_status="failed"), PostFactory()
    return {"processing_status": "failed"}, match, other


def case_base_format():
    match, other = PostFactory(base_format="carousel"), PostFactory(base_format="video")
    return {"base_format": "carousel"}, match, other


def case_content_type():
    match = PostFactory(content_type="photo_single")
    other = PostFactory(content_type="video_short")
    return {"content_type": "photo_single"}, match, other


def case_post_date():
    match, other = PostFactory(post_date=at("2026-01-15")), PostFactory(post_date=at("2025-12-01"))
    return {"post_date_after": "2026-01-01", "post_date_before": "2026-01-31"}, match, other


def case_added_date():
    match = PostFactory(added_date=at("2026-02-10"))
    other = PostFactory(added_date=at("2026-03-10"))
    return {"added_date_after": "2026-02-01", "added_date_before": "2026-02-28"}, match, other


def case_views():
    match, other = PostFactory(views=2_000), PostFactory(views=10_000)
    return {"views_min": "1000", "views_max": "5000"}, match, other


def case_likes():
    match, other = PostFactory(likes=150), PostFactory(likes=50)
    return {"likes_min": "100"}, match, other


def case_engagement_rate():
    match = PostFactory(engagement_rate=Decimal("7.50"))
    other = PostFactory(engagement_rate=Decimal("2.00"))
    return {"engagement_rate_min": "5", "engagement_rate_max": "10"}, match, other


def case_refresh_failing():
    match = PostFactory(refresh_failures=2, refresh_error="TemporaryError: 503")
    return {"refresh_failing": "true"}, match, PostFactory()


def case_detected():
    return {"detected": "true"}, PostFactory(detected_at=at("2026-02-10")), PostFactory()


def case_detected_at():
    match = PostFactory(detected_at=at("2026-02-10"))
    other = PostFactory(detected_at=at("2026-03-10"))
    return {"detected_at_after": "2026-02-01", "detected_at_before": "2026-02-28"}, match, other


FILTER_CASES = {
    name.removeprefix("case_"): function
    for name, function in list(globals().items())
    if name.startswith("case_")
}


def test_every_filter_of_the_filterset_has_an_admin_case():
    assert set(FILTER_CASES) | {"ordering"} == set(PostFilterSet.base_filters)


@pytest.mark.parametrize("name", sorted(FILTER_CASES))
def test_the_admin_url_filters_posts_through_the_filterset(superuser_client, name):
    params, match, other = FILTER_CASES[name]()

    content = changelist(superuser_client, params).content.decode()

    assert change_url(match) in content
    assert change_url(other) not in content


def test_the_admin_url_filters_like_the_api_with_several_parameters(superuser_client):
    client = ClientFactory()
    match = tiktok_post(
        is_trial=True, trial_status="pending", client=client, post_date=at("2026-01-05")
    )
    too_old = tiktok_post(
        post_id="7300000000000000002",
        is_trial=True,
        trial_status="pending",
        client=client,
        post_date=at("2025-06-01"),
    )
    instagram = PostFactory(is_trial=True, trial_status="pending", client=client)
    url = (
        f"{reverse(CHANGELIST)}?is_trial=true&platform=tiktok&client={client.pk}"
        "&post_date_after=2026-01-01"
    )

    response = superuser_client.get(url)

    assert response.status_code == 200
    content = response.content.decode()
    assert change_url(match) in content
    assert change_url(too_old) not in content
    assert change_url(instagram) not in content


def test_ordering_from_the_filterset_orders_the_changelist(superuser_client):
    low, high = PostFactory(views=10), PostFactory(views=1_000)

    descending = changelist(superuser_client, {"ordering": "-views"}).content.decode()
    ascending = changelist(superuser_client, {"ordering": "views"}).content.decode()

    assert descending.index(change_url(high)) < descending.index(change_url(low))
    assert ascending.index(change_url(low)) < ascending.index(change_url(high))


def test_the_search_box_finds_a_post_by_its_pasted_url(superuser_client):
    match, other = PostFactory(post_id="PaSted9"), PostFactory()

    content = changelist(
        superuser_client, {"q": "https://instagram.com/p/PaSted9?utm_source=ig_web_copy_link"}
    ).content.decode()

    assert change_url(match) in content
    assert change_url(other) not in content


def test_the_search_box_finds_posts_by_username_prefix(superuser_client):
    match, other = PostFactory(username="creatorjane"), PostFactory(username="someoneelse")

    content = changelist(superuser_client, {"q": "@creator"}).content.decode()

    assert change_url(match) in content
    assert change_url(other) not in content


def test_the_sidebar_offers_the_filtersets_choices_as_links(superuser_client):
    board = BoardFactory(name="Clipping")

    content = changelist(superuser_client, {"platform": "tiktok"}).content.decode()

    assert "?platform=tiktok" in content
    assert "By platform" in content
    assert "By board (belongs to)" in content
    assert f"board={board.pk}" in content
    assert 'name="views_min"' in content
    assert 'name="post_date_after"' in content
    assert '<li class="selected">\n    <a href="?platform=tiktok">TikTok</a>' in content


def test_empty_sidebar_inputs_are_dropped_from_the_url(superuser_client):
    response = superuser_client.get(reverse(CHANGELIST), {"views_min": "", "platform": "tiktok"})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse(CHANGELIST)}?platform=tiktok"


def test_an_invalid_filter_value_is_reported_not_crashed_on(superuser_client):
    post = PostFactory()

    response = changelist(superuser_client, {"client": "999999"})

    assert change_url(post) in response.content.decode()
    assert any("ignored" in str(m) for m in get_messages(response.wsgi_request))


# --- The table --------------------------------------------------------------------------------


def test_the_changelist_shows_the_seeds_columns(superuser_client):
    category = CategoryFactory(name="Fitness")
    subcategory = SubcategoryFactory(category=category, name="Home workouts")
    board = BoardFactory(name="Clipping")
    post = PostFactory(
        username="janedoe",
        thumbnail_url="https://cdn.example.com/thumb.jpg",
        views=1_234_567,
        likes=45_678,
        engagement_rate=Decimal("3.75"),
        base_format="video",
        content_type="video_short",
        reel_style="talking_head",
        category=category,
        processing_status="completed",
        client=ClientFactory(name="Acme"),
        assignee=UserFactory(username="maria"),
        added_by=UserFactory(username="sam"),
    )
    post.subcategories.add(subcategory)
    post.boards.add(board)
    bare = PostFactory(username="", thumbnail_url="", views=None)

    # Every seed column, on demand (the default shows those that fit 1440 px).
    content = changelist(superuser_client, {"cols": "all"}).content.decode()

    for header in (
        "Thumbnail",
        "Platform",
        "Username",
        "Views",
        "Likes",
        "Engagement rate",
        "Base format",
        "Content type",
        "Category",
        "Subcategories",
        "Reel style",
        "Assignee",
        "Client",
        "Boards",
        "AI status",
        "Last updated",
        "Added by",
    ):
        assert f">{header}<" in content, header
    assert 'src="https://cdn.example.com/thumb.jpg"' in content
    assert 'loading="lazy"' in content
    assert 'referrerpolicy="no-referrer"' in content
    assert 'width="48"' in content
    assert "co-thumb-empty" in content  # the post without a thumbnail
    for value in (
        "@janedoe",
        "1,234,567",
        "45,678",
        "3.75%",
        "Video/Reels",
        "Video – Short (9:16)",
        "Talking Head",
        "Fitness",
        "Home workouts",
        "Clipping",
        "Acme",
        "maria",
        "sam",
        "Completed",
    ):
        assert value in content, value
    assert change_url(bare) in content
    assert "—" in content


def test_a_thumbnail_url_is_escaped(superuser_client):
    PostFactory(thumbnail_url='https://cdn.example.com/a.jpg"><script>alert(1)</script>')

    content = changelist(superuser_client).content.decode()

    assert "<script>alert(1)</script>" not in content
    assert "&quot;&gt;&lt;script&gt;" in content


def make_posts(count: int) -> None:
    boards = [BoardFactory(), BoardFactory()]
    subcategories = [SubcategoryFactory(), SubcategoryFactory()]
    client, category = ClientFactory(), CategoryFactory()
    user = UserFactory()
    for _ in range(count):
        post = PostFactory(
            client=client, category=category, assignee=user, added_by=user, account=AccountFactory()
        )
        post.boards.set(boards)
        post.subcategories.set(subcategories)


def count_changelist_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        changelist(client)
    return len(queries)


def test_the_changelist_query_count_does_not_grow_with_rows(superuser_client):
    make_posts(3)
    few = count_changelist_queries(superuser_client)
    make_posts(27)
    many = count_changelist_queries(superuser_client)

    assert Post.objects.count() == 30
    assert many == few


# --- Adding by URL ----------------------------------------------------------------------------


def test_the_add_page_asks_for_a_url_and_the_business_fields(superuser_client):
    BoardFactory()

    response = superuser_client.get(reverse("admin:posts_post_add"))

    assert response.status_code == 200
    content = response.content.decode()
    for name in (
        "url",
        "is_trial",
        "client",
        "editor",
        "assignee",
        "type",
        "boards",
        "finance_item",
    ):
        assert f'name="{name}"' in content, name
    assert 'name="views"' not in content


def test_adding_a_post_by_url_creates_it_through_the_service(superuser_client, superuser):
    client, board = ClientFactory(), BoardFactory()

    response = superuser_client.post(
        reverse("admin:posts_post_add"),
        {
            "url": "https://www.instagram.com/reel/NewReel01/?igsh=abc",
            "is_trial": "on",
            "client": client.pk,
            "type": "main",
            "boards": [board.pk],
        },
    )

    assert response.status_code == 302
    post = Post.objects.get(post_id="NewReel01")
    assert post.url == "https://www.instagram.com/p/NewReel01/"
    assert post.is_trial and post.trial_status == "pending"
    assert post.client == client and post.type == "main"
    assert list(post.boards.all()) == [board]
    assert post.added_by == superuser


def test_adding_an_already_tracked_post_in_another_form_redirects_to_it(superuser_client):
    existing = PostFactory(post_id="Known01")

    response = superuser_client.post(
        reverse("admin:posts_post_add"), {"url": "instagram.com/reel/Known01?igsh=zz"}
    )

    assert response.status_code == 302
    assert response["Location"] == change_url(existing)
    assert Post.objects.count() == 1
    assert any("already tracked" in str(m) for m in get_messages(response.wsgi_request))


def test_adding_an_unsupported_url_shows_the_accepted_forms(superuser_client):
    response = superuser_client.post(
        reverse("admin:posts_post_add"), {"url": "https://example.com/x"}
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["url"]
    assert "Not a supported URL" in errors[0]
    assert ACCEPTED_FORMS in errors[0]
    assert Post.objects.count() == 0


def test_adding_a_profile_url_as_a_post_says_to_add_an_account(superuser_client):
    response = superuser_client.post(
        reverse("admin:posts_post_add"), {"url": "https://www.instagram.com/somebody/"}
    )

    assert response.status_code == 200
    assert "add it as an account" in response.context["adminform"].form.errors["url"][0]


def test_the_changelist_links_to_bulk_add(superuser_client):
    content = changelist(superuser_client).content.decode()

    assert reverse("admin:posts_post_bulk_add") in content
    assert superuser_client.get(reverse("admin:posts_post_bulk_add")).status_code == 200


def test_bulk_add_reports_each_url_and_applies_the_business_fields(superuser_client, superuser):
    existing = PostFactory(post_id="Exists01")
    client, board = ClientFactory(), BoardFactory()
    urls = [
        "https://www.instagram.com/p/BulkOne01/",
        "https://www.tiktok.com/@creator/video/7311111111111111111",
        "https://www.instagram.com/reel/Exists01/",
        "https://example.com/not-a-post",
        "",
        "https://instagram.com/reel/BulkOne01/?igsh=x",
    ]

    response = superuser_client.post(
        reverse("admin:posts_post_bulk_add"),
        {"urls": "\n".join(urls), "client": client.pk, "boards": [board.pk], "is_trial": "on"},
    )

    assert response.status_code == 200
    results = response.context["results"]
    assert [(r["url"], r["status"]) for r in results] == [
        (urls[0], "created"),
        (urls[1], "created"),
        (urls[2], "exists"),
        (urls[3], "invalid"),
        (urls[5], "exists"),
    ]
    assert "Not a supported URL" in results[3]["error"]
    assert results[2]["obj_url"] == change_url(existing)
    content = response.content.decode()
    assert "Already there" in content and "Invalid" in content and "Created" in content
    created = Post.objects.filter(post_id__in=["BulkOne01", "7311111111111111111"])
    assert created.count() == 2
    for post in created:
        assert post.client == client and post.is_trial and post.added_by == superuser
        assert list(post.boards.all()) == [board]
    existing.refresh_from_db()
    assert existing.client is None and not existing.is_trial
    assert any(
        "2 created, 2 already there, 1 invalid" in str(m) for m in response.context["messages"]
    )


def test_bulk_add_with_no_urls_is_a_form_error(superuser_client):
    response = superuser_client.post(reverse("admin:posts_post_bulk_add"), {"urls": "  \n "})

    assert response.status_code == 200
    assert response.context["form"].errors["urls"]


# --- Change page ------------------------------------------------------------------------------


def change_form_data(post: Post, **overrides) -> dict:
    data = {
        "client": post.client_id or "",
        "editor": post.editor_id or "",
        "assignee": post.assignee_id or "",
        "type": post.type or "",
        "boards": [b.pk for b in post.boards.all()],
        "finance_item": post.finance_item_id or "",
        "extra": "{}",
    }
    data.update(overrides)
    return data


def test_the_change_page_keeps_identity_read_only_and_saves_business_fields(superuser_client):
    post = PostFactory(views=500, username="owner")
    client, board = ClientFactory(), BoardFactory()

    response = superuser_client.post(
        change_url(post),
        change_form_data(
            post,
            client=client.pk,
            boards=[board.pk],
            type="clip_side",
            views=999_999,
            url="https://www.instagram.com/p/hijack/",
            username="hijacker",
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    post.refresh_from_db()
    assert post.client == client and post.type == "clip_side"
    assert list(post.boards.all()) == [board]
    assert post.views == 500
    assert post.username == "owner"
    assert post.url.endswith(f"/{post.post_id}/")


def test_the_change_page_shows_the_latest_snapshots_only(superuser_client):
    post = PostFactory()
    start = timezone.now() - timedelta(days=30)
    for day in range(25):
        PostSnapshotFactory(post=post, captured_at=start + timedelta(days=day), views=1000 + day)

    response = superuser_client.get(change_url(post))

    assert response.status_code == 200
    content = response.content.decode()
    assert "1,024" in content  # the newest
    assert "1,005" in content  # the 20th newest
    assert "1,004" not in content
    assert f"{reverse('admin:posts_postsnapshot_changelist')}?post={post.pk}" in content


def test_the_snapshot_list_filters_by_post_and_is_read_only(superuser_client):
    post, other = PostFactory(), PostFactory()
    mine = PostSnapshotFactory(post=post)
    theirs = PostSnapshotFactory(post=other)
    url = reverse("admin:posts_postsnapshot_changelist")

    content = superuser_client.get(url, {"post": post.pk}).content.decode()

    assert reverse("admin:posts_postsnapshot_change", args=[mine.pk]) in content
    assert reverse("admin:posts_postsnapshot_change", args=[theirs.pk]) not in content
    assert superuser_client.get(reverse("admin:posts_postsnapshot_add")).status_code == 403
