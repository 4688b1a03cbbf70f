from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from platforms.urls import ACCEPTED_FORMS
from posts.choices import BaseFormat, ProcessingStatus, ReelStyle, TrialStatus
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
from tests.utils import key_client

POSTS = "/api/v1/posts/"
BULK = "/api/v1/posts/bulk/"
REEL = "https://www.instagram.com/reel/DAbc123xyz/"
REEL_OTHER_FORM = "instagram.com/p/DAbc123xyz/?igsh=tracking"
REEL_CANONICAL = "https://www.instagram.com/p/DAbc123xyz/"
TIKTOK = "https://www.tiktok.com/@dancer.one/video/7234567890123456789?lang=en"
YOUTUBE = "https://youtu.be/dQw4w9WgXcQ"


# Adding one post


def test_adding_a_post_by_url_creates_it_with_platform_post_id_and_canonical_url(api, staff):
    response = api.post(POSTS, {"url": REEL})

    assert response.status_code == 201, response.data
    post = Post.objects.get()
    assert response.data["id"] == post.pk
    assert response.data["platform"] == "instagram"
    assert response.data["platform_display"] == "Instagram"
    assert response.data["post_id"] == "DAbc123xyz"
    assert response.data["url"] == REEL_CANONICAL
    assert response.data["added_by"] == staff.pk
    assert post.added_by == staff


def test_adding_the_same_post_in_another_url_form_answers_200_with_the_existing_post(api):
    first = api.post(POSTS, {"url": REEL})
    again = api.post(POSTS, {"url": REEL_OTHER_FORM})

    assert again.status_code == 200
    assert again.data["id"] == first.data["id"]
    assert Post.objects.count() == 1


def test_adding_a_post_of_each_platform_detects_its_platform(api):
    tiktok = api.post(POSTS, {"url": TIKTOK}).data
    youtube = api.post(POSTS, {"url": YOUTUBE}).data

    assert (tiktok["platform"], tiktok["post_id"], tiktok["username"]) == (
        "tiktok",
        "7234567890123456789",
        "dancer.one",
    )
    assert (youtube["platform"], youtube["url"]) == (
        "youtube",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    )


def test_adding_a_post_links_it_to_its_tracked_author(api):
    account = AccountFactory(
        platform="tiktok", username="dancer.one", url="https://www.tiktok.com/@dancer.one"
    )

    data = api.post(POSTS, {"url": TIKTOK}).data

    assert data["account"] == account.pk
    assert data["account_username"] == "dancer.one"


def test_adding_a_post_stores_the_business_fields(api):
    client, editor, assignee = ClientFactory(), EditorFactory(), UserFactory()
    boards = [BoardFactory(), BoardFactory()]
    finance_item = FinanceItemFactory()

    response = api.post(
        POSTS,
        {
            "url": REEL,
            "client": client.pk,
            "editor": editor.pk,
            "assignee": assignee.pk,
            "type": "clip_side",
            "boards": [b.pk for b in boards],
            "finance_item": finance_item.pk,
            "extra": {"color": "red"},
        },
    )

    assert response.status_code == 201, response.data
    post = Post.objects.get()
    assert (post.client, post.editor, post.assignee, post.finance_item) == (
        client,
        editor,
        assignee,
        finance_item,
    )
    assert post.type == "clip_side"
    assert set(post.boards.all()) == set(boards)
    assert post.extra == {"color": "red"}
    assert response.data["type_display"] == "Clip / Side Account"
    assert sorted(response.data["boards"]) == sorted(b.pk for b in boards)


def test_adding_a_trial_reel_makes_it_pending(api):
    data = api.post(POSTS, {"url": REEL, "is_trial": True}).data

    assert data["is_trial"] is True
    assert data["trial_status"] == TrialStatus.PENDING
    assert data["trial_status_display"] == "Pending"


def test_an_unsupported_url_answers_400_naming_the_accepted_forms(api):
    response = api.post(POSTS, {"url": "https://example.com/some/page"})

    assert response.status_code == 400
    error = response.data["error"]
    assert ACCEPTED_FORMS in error["message"]
    assert error["fields"]["url"]
    assert not Post.objects.exists()


def test_a_profile_url_is_refused_as_a_post(api):
    response = api.post(POSTS, {"url": "https://www.instagram.com/some.creator/"})

    assert response.status_code == 400
    assert "profile URL" in response.data["error"]["message"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "url"),
        ({"url": REEL, "client": 987654}, "client"),
        ({"url": REEL, "client": "abc"}, "client"),
        ({"url": REEL, "boards": "not-a-list"}, "boards"),
        ({"url": REEL, "type": "unknown"}, "type"),
        ({"url": REEL, "extra": ["not", "an", "object"]}, "extra"),
        ({"url": REEL, "views": 5}, "views"),
        ({"url": REEL, "clinet": 1}, "clinet"),
    ],
)
def test_adding_a_post_with_bad_fields_answers_400_naming_the_field(api, payload, field):
    response = api.post(POSTS, payload)

    assert response.status_code == 400
    assert field in response.data["error"]["fields"]
    assert not Post.objects.exists()


def test_only_active_staff_can_be_assigned_a_post(api):
    outsider = UserFactory(is_staff=False)

    response = api.post(POSTS, {"url": REEL, "assignee": outsider.pk})

    assert response.status_code == 400
    assert "assignee" in response.data["error"]["fields"]


def test_a_post_can_be_added_with_an_api_key(db):
    owner = UserFactory()

    response = key_client(owner).post(POSTS, {"url": REEL})

    assert response.status_code == 201
    assert response.data["added_by"] == owner.pk


# Adding many posts


def test_bulk_add_reports_created_exists_and_invalid_per_url_in_order(api):
    PostFactory(
        platform="youtube", post_id="dQw4w9WgXcQ", url="https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    )

    response = api.post(
        BULK, {"urls": [REEL, "not a url", YOUTUBE, REEL_OTHER_FORM, TIKTOK]}, format="json"
    )

    assert response.status_code == 200, response.data
    results = response.data["results"]
    assert [r["status"] for r in results] == ["created", "invalid", "exists", "exists", "created"]
    assert [r["url"] for r in results] == [REEL, "not a url", YOUTUBE, REEL_OTHER_FORM, TIKTOK]
    assert results[0]["id"] == results[3]["id"] == Post.objects.get(post_id="DAbc123xyz").pk
    assert results[1]["id"] is None
    assert "Accepted" in results[1]["error"]
    assert results[0]["error"] == ""
    assert (response.data["created"], response.data["exists"], response.data["invalid"]) == (
        2,
        2,
        1,
    )
    assert Post.objects.count() == 3


def test_bulk_add_accepts_pasted_text_one_url_per_line(api):
    response = api.post(BULK, {"text": f"{REEL}\n\n  {TIKTOK}  \r\n"}, format="json")

    assert response.status_code == 200
    assert [r["url"] for r in response.data["results"]] == [REEL, TIKTOK]
    assert response.data["created"] == 2


def test_bulk_add_reports_a_blank_list_item_as_invalid_so_results_line_up_with_the_list(api):
    response = api.post(BULK, {"urls": [REEL, " ", TIKTOK]}, format="json")

    assert [r["status"] for r in response.data["results"]] == ["created", "invalid", "created"]
    assert "empty" in response.data["results"][1]["error"]


def test_bulk_add_gives_created_posts_the_business_fields_and_trial_status(api, staff):
    client, board = ClientFactory(), BoardFactory()

    api.post(
        BULK,
        {"urls": [REEL, TIKTOK], "client": client.pk, "boards": [board.pk], "is_trial": True},
        format="json",
    )

    posts = Post.objects.all()
    assert len(posts) == 2
    for post in posts:
        assert post.client == client
        assert list(post.boards.all()) == [board]
        assert (post.is_trial, post.trial_status) == (True, TrialStatus.PENDING)
        assert post.added_by == staff


def test_bulk_add_refuses_more_urls_than_the_setting_allows(api, settings):
    settings.API_BULK_MAX_URLS = 2

    response = api.post(BULK, {"urls": [REEL, TIKTOK, YOUTUBE]}, format="json")

    assert response.status_code == 400
    assert "At most 2 URLs" in response.data["error"]["message"]
    assert not Post.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"urls": REEL},
        {"urls": [[REEL]]},
        {},
        {"urls": []},
        {"text": "  \n "},
        {"urls": [REEL], "text": TIKTOK},
        {"urls": [REEL], "client": "abc"},
    ],
    ids=[
        "urls-not-a-list",
        "nested-list",
        "nothing",
        "empty-list",
        "blank-text",
        "both",
        "bad-client",
    ],
)
def test_bulk_add_with_malformed_input_answers_400(api, payload):
    response = api.post(BULK, payload, format="json")

    assert response.status_code == 400
    assert set(response.data["error"]) == {"code", "message", "fields"}
    assert response.data["error"]["message"]
    assert not Post.objects.exists()


def test_bulk_add_with_a_read_only_key_is_forbidden(db):
    response = key_client(UserFactory(), scopes=["read"]).post(
        BULK, {"urls": [REEL]}, format="json"
    )

    assert response.status_code == 403
    assert not Post.objects.exists()


# Reading


def test_a_post_shows_every_documented_field(api):
    post = PostFactory()

    data = api.get(f"{POSTS}{post.pk}/").data

    assert set(data) == {
        *[
            "id",
            "url",
            "platform",
            "platform_display",
            "post_id",
            "account",
            "account_username",
            "username",
        ],
        *[
            "post_date",
            "caption",
            "thumbnail_url",
            "duration_s",
            "width",
            "height",
            "views",
            "likes",
            "comments",
        ],
        *["shares", "engagement_rate", "base_format", "base_format_display", "content_type"],
        *["content_type_display", "idea_concept", "category", "category_name", "subcategories"],
        *["subcategory_names", "reel_style", "reel_style_display", "processing_status"],
        *["processing_status_display", "ai_error", "last_updated", "next_refresh_at", "is_trial"],
        *["refresh_failures", "refresh_error", "refresh_error_at"],
        *["detected_at", "deleted_at"],
        *["ai_attempts", "ai_next_attempt_at", "ai_processed_at", "ai_model"],
        *["ai_prompt_version", "ai_prompt_tokens", "ai_completion_tokens"],
        *[
            "trial_status",
            "trial_status_display",
            "trial_decided_at",
            "trial_note",
            "client",
            "editor",
        ],
        *[
            "type",
            "type_display",
            "boards",
            "finance_item",
            "assignee",
            "added_by",
            "added_date",
            "extra",
        ],
        *["created_at", "updated_at"],
    }


def test_a_post_shows_its_taxonomy_by_id_and_name(api):
    category = CategoryFactory(name="Fitness")
    subcategories = [SubcategoryFactory(category=category, name=n) for n in ("Yoga", "Running")]
    post = PostFactory(
        category=category,
        base_format=BaseFormat.VIDEO,
        reel_style=ReelStyle.TALKING_HEAD,
        processing_status=ProcessingStatus.COMPLETED,
    )
    post.subcategories.set(subcategories)

    data = api.get(f"{POSTS}{post.pk}/").data

    assert (data["category"], data["category_name"]) == (category.pk, "Fitness")
    assert sorted(data["subcategories"]) == sorted(s.pk for s in subcategories)
    assert sorted(data["subcategory_names"]) == ["Running", "Yoga"]
    assert (data["reel_style"], data["reel_style_display"]) == ("talking_head", "Talking Head")
    assert (data["base_format"], data["base_format_display"]) == ("video", "Video/Reels")
    assert data["processing_status_display"] == "Completed"


def test_an_unknown_or_non_numeric_post_id_answers_404(api):
    for path in (f"{POSTS}987654/", f"{POSTS}abc/"):
        response = api.get(path)
        assert response.status_code == 404
        assert response.data["error"]["code"] == "not_found"


def _make_listed_posts(count: int) -> None:
    category = CategoryFactory()
    subcategory = SubcategoryFactory(category=category)
    board, client, editor = BoardFactory(), ClientFactory(), EditorFactory()
    for _ in range(count):
        post = PostFactory(
            account=AccountFactory(), category=category, client=client, editor=editor
        )
        post.boards.add(board)
        post.subcategories.add(subcategory)


def _list_query_count(api, count: int) -> int:
    _make_listed_posts(count)
    with CaptureQueriesContext(connection) as queries:
        response = api.get(POSTS, {"page_size": 100})
    assert response.status_code == 200
    assert len(response.data["results"]) == count
    Post.objects.all().delete()
    return len(queries)


def test_the_posts_list_query_count_does_not_grow_with_the_number_of_posts(api):
    assert _list_query_count(api, 3) == _list_query_count(api, 30)


# Filtering, searching, ordering, paginating


def test_the_list_filters_by_several_values_of_one_filter(api):
    instagram = PostFactory()
    tiktok = PostFactory(platform="tiktok", post_id="1")
    PostFactory(platform="youtube", post_id="dQw4w9WgXcQ")

    response = api.get(f"{POSTS}?platform=instagram&platform=tiktok")

    assert {p["id"] for p in response.data["results"]} == {instagram.pk, tiktok.pk}


def test_the_list_filters_by_a_post_date_range(api):
    now = timezone.now()
    inside = PostFactory(post_date=now - timedelta(days=2))
    PostFactory(post_date=now - timedelta(days=10))
    PostFactory(post_date=None)

    response = api.get(
        POSTS,
        {
            "post_date_after": (now - timedelta(days=3)).isoformat(),
            "post_date_before": now.isoformat(),
        },
    )

    assert [p["id"] for p in response.data["results"]] == [inside.pk]


def test_the_list_filters_by_a_views_range_and_trial_flag(api):
    wanted = PostFactory(views=500, is_trial=True, trial_status=TrialStatus.PENDING)
    PostFactory(views=500)
    PostFactory(views=50, is_trial=True, trial_status=TrialStatus.PENDING)

    response = api.get(POSTS, {"views_min": 100, "views_max": 1000, "is_trial": "true"})

    assert [p["id"] for p in response.data["results"]] == [wanted.pk]


def test_searching_another_form_of_a_url_finds_its_post(api):
    wanted = PostFactory(post_id="DAbc123xyz", url=REEL_CANONICAL)
    PostFactory()

    response = api.get(POSTS, {"search": REEL})

    assert [p["id"] for p in response.data["results"]] == [wanted.pk]


def test_searching_finds_posts_by_username_prefix_and_by_caption(api):
    by_name = PostFactory(username="sunny.days")
    by_caption = PostFactory(caption="Best SUNNY beaches of 2024")
    PostFactory(username="rainy", caption="clouds")

    by_prefix = api.get(POSTS, {"search": "@sun"}).data["results"]
    by_word = api.get(POSTS, {"search": "sunny"}).data["results"]

    assert [p["id"] for p in by_prefix] == [by_name.pk]
    assert {p["id"] for p in by_word} == {by_name.pk, by_caption.pk}


def test_the_list_orders_by_the_requested_field(api):
    low, high, middle = PostFactory(views=1), PostFactory(views=300), PostFactory(views=20)

    ascending = api.get(POSTS, {"ordering": "views"}).data["results"]
    descending = api.get(POSTS, {"ordering": "-views"}).data["results"]

    assert [p["id"] for p in ascending] == [low.pk, middle.pk, high.pk]
    assert [p["id"] for p in descending] == [high.pk, middle.pk, low.pk]


def test_the_list_shows_the_newest_added_posts_first_by_default(api):
    now = timezone.now()
    old = PostFactory(added_date=now - timedelta(days=1))
    new = PostFactory(added_date=now)

    results = api.get(POSTS).data["results"]

    assert [p["id"] for p in results] == [new.pk, old.pk]


def test_the_list_paginates_with_a_page_size_parameter(api):
    PostFactory.create_batch(5)

    first = api.get(POSTS, {"page_size": 2}).data
    last = api.get(POSTS, {"page_size": 2, "page": 3}).data

    assert first["count"] == 5
    assert len(first["results"]) == 2
    assert first["next"] and first["previous"] is None
    assert len(last["results"]) == 1
    assert last["next"] is None


def test_the_page_size_is_capped(api, monkeypatch):
    from core.api.pagination import KeysetPagination

    monkeypatch.setattr(KeysetPagination, "max_page_size", 3)
    PostFactory.create_batch(5)

    response = api.get(POSTS, {"page_size": 1_000_000})

    assert response.status_code == 200
    assert len(response.data["results"]) == 3


@pytest.mark.parametrize(
    "params",
    [
        {"post_date_after": "notadate"},
        {"added_date_before": "2024-13-45"},
        {"views_min": "many"},
        {"platform": "myspace"},
        {"client": "abc"},
        {"client": "987654"},
        {"account": "abc"},
        {"ordering": "password"},
    ],
)
def test_a_bad_filter_value_answers_400_with_the_error_shape(api, params):
    response = api.get(POSTS, params)

    assert response.status_code == 400
    error = response.data["error"]
    assert error["code"] == "invalid"
    assert error["message"]
    assert error["fields"]


def test_a_page_past_the_end_or_not_a_number_answers_404(api):
    PostFactory()

    for page in ("abc", "99"):
        response = api.get(POSTS, {"page": page})
        assert response.status_code == 404
        assert response.data["error"]["code"] == "not_found"


# Editing and deleting


def test_patch_edits_the_business_fields(api):
    post = PostFactory(extra={"a": 1})
    client, editor, assignee, finance_item = (
        ClientFactory(),
        EditorFactory(),
        UserFactory(),
        FinanceItemFactory(),
    )
    board = BoardFactory()

    response = api.patch(
        f"{POSTS}{post.pk}/",
        {
            "client": client.pk,
            "editor": editor.pk,
            "assignee": assignee.pk,
            "type": "main",
            "boards": [board.pk],
            "finance_item": finance_item.pk,
            "extra": {"b": 2},
        },
    )

    assert response.status_code == 200, response.data
    post.refresh_from_db()
    assert (post.client, post.editor, post.assignee, post.finance_item, post.type) == (
        client,
        editor,
        assignee,
        finance_item,
        "main",
    )
    assert list(post.boards.all()) == [board]
    assert post.extra == {"b": 2}
    assert response.data["boards"] == [board.pk]
    assert response.data["type_display"] == "Main Account"


def test_patch_can_clear_a_business_field_and_the_boards(api):
    post = PostFactory(client=ClientFactory())
    post.boards.add(BoardFactory())

    response = api.patch(f"{POSTS}{post.pk}/", {"client": None, "boards": []})

    assert response.status_code == 200
    post.refresh_from_db()
    assert post.client is None
    assert not post.boards.exists()
    assert response.data["boards"] == []


@pytest.mark.parametrize(
    "field", ["url", "platform", "post_id", "views", "category", "is_trial", "trial_status"]
)
def test_patch_refuses_read_only_fields(api, field):
    post = PostFactory(views=10)
    before = Post.objects.values().get(pk=post.pk)

    response = api.patch(f"{POSTS}{post.pk}/", {field: "https://www.instagram.com/p/Other/"})

    assert response.status_code == 400
    assert response.data["error"]["fields"][field] == ["This field is read-only."]
    assert Post.objects.values().get(pk=post.pk) == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"client": 987654}, "client"),
        ({"editor": "abc"}, "editor"),
        ({"type": ""}, "type"),
        ({"boards": [987654]}, "boards"),
        ({"extra": "text"}, "extra"),
    ],
)
def test_patch_with_bad_business_values_answers_400_naming_the_field(api, payload, field):
    post = PostFactory()

    response = api.patch(f"{POSTS}{post.pk}/", payload)

    assert response.status_code == 400
    assert field in response.data["error"]["fields"]


def test_put_is_not_offered(api):
    post = PostFactory()

    response = api.put(f"{POSTS}{post.pk}/", {"client": None})

    assert response.status_code == 405
    assert response.data["error"]["code"] == "method_not_allowed"


def test_staff_can_delete_a_post(api):
    post = PostFactory()

    response = api.delete(f"{POSTS}{post.pk}/")

    assert response.status_code == 204
    assert not Post.objects.filter(pk=post.pk).exists()


def test_the_key_of_a_non_staff_user_cannot_delete_a_post(db):
    post = PostFactory()

    response = key_client(UserFactory(is_staff=False)).delete(f"{POSTS}{post.pk}/")

    assert response.status_code == 403
    assert Post.objects.filter(pk=post.pk).exists()


def test_the_key_of_a_staff_user_can_delete_a_post(db):
    post = PostFactory()

    response = key_client(UserFactory(is_staff=True)).delete(f"{POSTS}{post.pk}/")

    assert response.status_code == 204


# Snapshots


def test_a_posts_snapshots_are_listed_oldest_first(api):
    post = PostFactory()
    now = timezone.now()
    newest = PostSnapshotFactory(post=post, captured_at=now, views=300)
    oldest = PostSnapshotFactory(post=post, captured_at=now - timedelta(days=2), views=100)
    PostSnapshotFactory(captured_at=now - timedelta(days=1))  # another post's

    response = api.get(f"{POSTS}{post.pk}/snapshots/")

    assert response.status_code == 200
    assert [s["id"] for s in response.data["results"]] == [oldest.pk, newest.pk]
    assert set(response.data["results"][0]) == {
        "id",
        "captured_at",
        "views",
        "likes",
        "comments",
        "shares",
        "source",
    }


def test_a_posts_snapshots_filter_by_captured_at_range(api):
    post = PostFactory()
    now = timezone.now()
    days_ago = [
        PostSnapshotFactory(post=post, captured_at=now - timedelta(days=d)) for d in (5, 3, 1)
    ]

    response = api.get(
        f"{POSTS}{post.pk}/snapshots/",
        {
            "captured_at_after": (now - timedelta(days=4)).isoformat(),
            "captured_at_before": (now - timedelta(days=2)).isoformat(),
        },
    )

    assert [s["id"] for s in response.data["results"]] == [days_ago[1].pk]


def test_the_snapshots_of_an_unknown_post_answer_404(api):
    for path in (f"{POSTS}987654/snapshots/", f"{POSTS}abc/snapshots/"):
        response = api.get(path)
        assert response.status_code == 404
        assert response.data["error"]["code"] == "not_found"


def test_a_bad_snapshot_date_filter_answers_400(api):
    post = PostFactory()

    response = api.get(f"{POSTS}{post.pk}/snapshots/", {"captured_at_after": "notadate"})

    assert response.status_code == 400
    assert "captured_at" in response.data["error"]["fields"]


def test_snapshots_are_read_only(api):
    post = PostFactory()

    response = api.post(f"{POSTS}{post.pk}/snapshots/", {"views": 1})

    assert response.status_code == 405
