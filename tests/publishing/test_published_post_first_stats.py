"""A post we published gets its first stats through its connection's own token (specs/publishing.md
§1 and §3): the publish job tracks it, the refresh (the task the adding service queues, or the
scheduled pass) reads the account's own node on the Graph host of the connection against the
fake Instagram, and the likes and comments land on the post with a snapshot. No agency-wide
Business Discovery credentials are needed for an account we hold the token of."""

import re

import pytest
from django_q.models import OrmQ

from operations import jobs
from posts.models import Post, PostSnapshot
from posts.tasks import refresh_posts
from publishing.choices import TargetState
from tests.publishing.publish_setup import due_target, fake_platforms, media_asset

pytestmark = pytest.mark.django_db

VIDEO = bytes(range(256)) * 4096
IG_USER = "17841407673135339"  # shared/samples/ig_graph_own_user_fields.json


@pytest.fixture
def fakes(settings, tmp_path):
    from platforms.providers import registry

    settings.PLATFORM_PROVIDERS = {"instagram": ["instagram_graph"], "tiktok": [], "youtube": []}
    settings.INSTAGRAM_GRAPH_TOKEN = ""  # no Business Discovery account of the agency's
    settings.INSTAGRAM_GRAPH_USER_ID = ""
    registry.clear_cache()
    yield from fake_platforms(settings, tmp_path)
    registry.clear_cache()


@pytest.fixture
def published(fakes, django_capture_on_commit_callbacks):
    """A reel published to the fake Instagram by the real job, and its tracked post."""
    target = due_target("instagram", media_asset(VIDEO), token="own-token-of-maya")
    fakes["instagram"].tokens.add("own-token-of-maya")
    target.connection.meta = {"ig_user_id": IG_USER}
    target.connection.save(update_fields=["meta"])
    with django_capture_on_commit_callbacks(execute=True):
        jobs.publish_due_targets()
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED, target.error
    post = Post.objects.get(url=target.published_url)
    assert post.views is None and post.likes is None
    return target, post


def admin_stat(html: str, field: str) -> str:
    """The value shown in the post admin page's Stats box for `field` (e.g. likes_display)."""
    found = re.search(
        rf'fieldBox field-{field}">\s*<label[^>]*>[^<]*</label>\s*<div class="readonly">([^<]*)<',
        html,
    )
    assert found, field
    return found.group(1).strip()


def own_reads(fake):
    return [c for c in fake.calls if c.operation == "own_media"]


def test_the_first_refresh_of_a_published_reel_reads_its_stats_with_the_connection_token(
    published, fakes
):
    _target, post = published
    (queued,) = [t for t in OrmQ.objects.all() if t.func() == "posts.tasks.refresh_posts"]

    refresh_posts(*queued.args())  # what the worker runs once the post is added

    post.refresh_from_db()
    assert (post.likes, post.comments) == (87, 11)
    assert post.views is None  # the Graph API gives no views for media
    assert post.last_updated is not None and post.refresh_error == ""
    (snapshot,) = PostSnapshot.objects.filter(post=post)
    assert (snapshot.likes, snapshot.comments, snapshot.source) == (87, 11, "instagram_graph")
    (read,) = own_reads(fakes["instagram"])
    assert read.headers["authorization"] == "Bearer own-token-of-maya"
    assert read.path.endswith(f"/{IG_USER}")
    assert "business_discovery" not in read.query["fields"]


def test_the_scheduled_refresh_pass_gives_a_published_post_its_first_stats(
    published, fakes, admin_client
):
    _target, post = published
    fakes["instagram"].posts[0]["like_count"] = 120  # the post got liked meanwhile

    jobs.refresh_post_stats()

    post.refresh_from_db()
    assert (post.likes, post.comments) == (120, 11)
    assert post.next_refresh_at is not None
    assert len(own_reads(fakes["instagram"])) == 1
    html = admin_client.get(f"/admin/posts/post/{post.pk}/change/").content.decode()
    assert admin_stat(html, "likes_display") == "120"
    assert admin_stat(html, "comments_display") == "11"
    assert admin_stat(html, "views_display") == "—"


def test_a_connection_needing_a_reconnect_lends_no_token_and_the_post_waits(published, fakes):
    from publishing.choices import ConnectionStatus

    target, post = published
    target.connection.status = ConnectionStatus.NEEDS_REAUTH
    target.connection.save(update_fields=["status"])

    jobs.refresh_post_stats()

    post.refresh_from_db()
    assert post.likes is None
    assert "No configured provider" in post.refresh_error
    assert own_reads(fakes["instagram"]) == []


def test_an_instagram_login_connection_without_a_stored_user_id_reads_its_own_node_as_me(
    fakes, django_capture_on_commit_callbacks
):
    """Like the publisher, which posts to /me/media when the connection stored no id."""
    target = due_target("instagram", media_asset(VIDEO))
    assert not target.connection.meta.get("ig_user_id")
    with django_capture_on_commit_callbacks(execute=True):
        jobs.publish_due_targets()

    jobs.refresh_post_stats()

    target.refresh_from_db()
    post = Post.objects.get(url=target.published_url)
    assert (post.likes, post.comments) == (87, 11)
    (read,) = own_reads(fakes["instagram"])
    assert read.path.endswith("/me")
