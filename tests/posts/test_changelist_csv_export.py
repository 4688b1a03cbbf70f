"""CSV export of the posts and accounts changelists: the rows the list shows (its filters,
search and the user's visibility), every seed column, streamed in batches."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import csv_export
from tests.creators.factories import AccountFactory
from tests.posts.factories import PostFactory
from tests.settings_app.factories import (
    BoardFactory,
    CategoryFactory,
    ClientFactory,
    EditorFactory,
    SubcategoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

POSTS_EXPORT = "admin:posts_post_export_csv"
ACCOUNTS_EXPORT = "admin:creators_account_export_csv"


def exported(client, name, params=None) -> list[dict]:
    response = client.get(reverse(name), params or {})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_the_posts_export_holds_the_filtered_rows_with_every_seed_column(superuser_client):
    fitness = CategoryFactory(name="Fitness")
    wanted = PostFactory(
        platform="tiktok",
        post_id="7301",
        url="https://www.tiktok.com/@jane/video/7301",
        username="jane",
        views=1234,
        category=fitness,
        client=ClientFactory(name="Acme"),
        base_format="video",
        caption="=HYPERLINK(1)",
    )
    wanted.subcategories.add(SubcategoryFactory(category=fitness, name="Home workouts"))
    wanted.boards.add(BoardFactory(name="Clipping"), BoardFactory(name="Finance"))
    PostFactory(platform="instagram")

    rows = exported(superuser_client, POSTS_EXPORT, {"platform": "tiktok"})

    assert len(rows) == 1
    row = rows[0]
    assert row["post_id"] == "7301"
    assert row["views"] == "1234"
    assert row["platform"] == "TikTok"
    assert row["base_format"] == "Video/Reels"
    assert row["category"] == "Fitness"
    assert row["subcategories"] == "Fitness › Home workouts"
    assert set(row["boards"].split("; ")) == {"Clipping", "Finance"}
    assert row["client"] == "Acme"
    assert row["caption"] == "'=HYPERLINK(1)"  # never a formula
    for column in (
        "url",
        "engagement_rate",
        "content_type",
        "reel_style",
        "is_trial",
        "trial_status",
        "editor",
        "assignee",
        "finance_item",
        "added_by",
        "added_date",
        "processing_status",
        "idea_concept",
        "duration_s",
    ):
        assert column in row


def test_the_export_follows_the_search_box(superuser_client):
    PostFactory(username="creatorjane")
    PostFactory(username="someoneelse")

    rows = exported(superuser_client, POSTS_EXPORT, {"q": "@creator"})

    assert [r["username"] for r in rows] == ["creatorjane"]


def test_an_editor_exports_only_the_posts_they_may_see(client):
    editor_user = UserFactory(username="ed", is_staff=True, roles=["Editor"])
    mine = PostFactory(editor=EditorFactory(user=editor_user))
    PostFactory()
    client.force_login(editor_user)

    rows = exported(client, POSTS_EXPORT)

    assert [r["id"] for r in rows] == [str(mine.pk)]


def test_the_changelist_links_to_the_export_of_its_filters(superuser_client):
    content = superuser_client.get(
        reverse("admin:posts_post_changelist"), {"platform": "tiktok"}
    ).content.decode()

    assert f'href="{reverse(POSTS_EXPORT)}?platform=tiktok"' in content
    assert ">Export CSV<" in content


def test_the_export_reads_the_rows_in_batches(superuser_client, monkeypatch):
    monkeypatch.setattr(csv_export, "EXPORT_BATCH_SIZE", 5)
    board = BoardFactory()
    for _ in range(12):
        PostFactory().boards.add(board)

    with CaptureQueriesContext(connection) as queries:
        rows = exported(superuser_client, POSTS_EXPORT)

    assert len(rows) == 12
    board_reads = [q for q in queries if "settings_app_board" in q["sql"]]
    assert len(board_reads) == 3  # one per batch of 5, not one per row nor one for all


def test_the_accounts_export_holds_the_filtered_accounts_with_every_seed_column(
    superuser_client,
):
    wanted = AccountFactory(
        platform="tiktok",
        username="jane",
        url="https://www.tiktok.com/@jane",
        followers=5000,
        client=ClientFactory(name="Acme"),
    )
    wanted.boards.add(BoardFactory(name="Clipping"))
    AccountFactory()

    rows = exported(superuser_client, ACCOUNTS_EXPORT, {"platform": "tiktok"})

    assert [r["username"] for r in rows] == ["jane"]
    assert rows[0]["followers"] == "5000"
    assert rows[0]["client"] == "Acme"
    assert rows[0]["boards"] == "Clipping"
    for column in (
        "avg_views",
        "posts_last_30d",
        "views_last_30d",
        "tracking_enabled",
        "editor",
        "type",
        "finance_item",
        "started_date",
        "kpi_status",
    ):
        assert column in rows[0]
