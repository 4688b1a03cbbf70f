"""A published target becomes a tracked post (specs/publishing.md §3): once the publish commits,
its URL is added like a pasted one (owned by the connection's account, added by the post's
author, its first stats refresh queued), a second time links the same post, a private TikTok
post without a URL creates nothing, and a refused URL never un-publishes the target."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_q.models import OrmQ

from operations.jobs import publish_due_targets
from posts.models import Post
from publishing.choices import AttemptStep, TargetState
from publishing.services.tracking import target_track
from tests.creators.factories import AccountFactory
from tests.platforms.publish_fakes import Fault
from tests.posts.factories import PostFactory
from tests.publishing.factories import PublishTargetFactory
from tests.publishing.publish_setup import due_target, fake_platforms, media_asset

pytestmark = pytest.mark.django_db

VIDEO = bytes(range(256)) * 4096


@pytest.fixture
def fakes(settings, tmp_path):
    yield from fake_platforms(settings, tmp_path)


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Run the publish job as a worker does: its on-commit work runs after it."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            publish_due_targets(**kwargs)

    return run


def queued_refreshes() -> list[list[int]]:
    return [t.args()[0] for t in OrmQ.objects.all() if t.func() == "posts.tasks.refresh_posts"]


def authored_target(platform: str, *assets, **options):
    target = due_target(platform, *assets, **options)
    author = get_user_model().objects.create_user("planner", password="x")
    target.post.created_by = author
    target.post.save(update_fields=["created_by"])
    return target


def test_a_published_reel_becomes_a_tracked_post_of_its_account_queued_for_refresh(fakes, publish):
    target = authored_target("instagram", media_asset(VIDEO))
    publish()
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    post = Post.objects.get(url=target.published_url)
    assert post.account == target.connection.account
    assert post.username == target.connection.account.username
    assert post.added_by == target.post.created_by
    assert target.tracked_post == post
    assert queued_refreshes() == [[post.pk]]


def test_a_public_tiktok_video_is_tracked_under_its_author(fakes, publish):
    target = authored_target("tiktok", media_asset(VIDEO), privacy_level="PUBLIC_TO_EVERYONE")
    publish()
    target.refresh_from_db()
    post = Post.objects.get(url=target.published_url)
    assert post.platform == "tiktok" and post.post_id == target.platform_post_id
    assert post.account == target.connection.account


def test_a_private_tiktok_post_without_a_url_creates_no_post(fakes, publish):
    target = authored_target("tiktok", media_asset(VIDEO), privacy_level="SELF_ONLY")
    publish()
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED and target.published_url == ""
    assert Post.objects.count() == 0 and target.tracked_post is None
    assert not target.attempts.filter(step=AttemptStep.TRACK).exists()


def test_a_publish_found_by_reconciliation_is_tracked_too(fakes, publish):
    fakes["instagram"].fail("publish", Fault(after_commit=True, late_s=2.0))
    target = authored_target("instagram", media_asset(VIDEO))
    publish()
    target.refresh_from_db()
    assert target.state == TargetState.AWAITING_REMOTE and Post.objects.count() == 0

    publish(now=timezone.now() + timedelta(seconds=1))
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    assert Post.objects.get(url=target.published_url) == target.tracked_post


def published_target(url: str, **kwargs):
    return PublishTargetFactory(
        state=TargetState.PUBLISHED, published_at=timezone.now(), published_url=url, **kwargs
    )


def test_tracking_twice_links_the_same_post():
    target = published_target("https://www.instagram.com/p/C17890001/")
    first = target_track(target.pk)
    second = target_track(target.pk)
    assert first == second and Post.objects.count() == 1
    assert first.account == target.connection.account


def test_a_post_already_tracked_is_linked_and_gets_the_account_it_lacked():
    existing = PostFactory(
        url="https://www.instagram.com/p/C17890002/", post_id="C17890002", account=None
    )
    target = published_target(existing.url)
    assert target_track(target.pk) == existing
    existing.refresh_from_db()
    assert existing.account == target.connection.account
    target.refresh_from_db()
    assert target.tracked_post == existing


def test_a_post_tracked_under_another_account_keeps_it():
    owner = AccountFactory(platform="instagram")
    existing = PostFactory(
        url="https://www.instagram.com/p/C17890003/", post_id="C17890003", account=owner
    )
    target = published_target(existing.url)
    assert target_track(target.pk) == existing
    existing.refresh_from_db()
    assert existing.account == owner


def test_a_url_the_adding_service_refuses_leaves_the_target_published_with_the_reason_logged():
    target = published_target("https://www.youtube.com/watch?v=tooshort")
    assert target_track(target.pk) is None
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED and target.tracked_post is None
    (log,) = target.attempts.filter(step=AttemptStep.TRACK)
    assert log.outcome == "track_failed" and log.error_class == "tracking"
    assert "not a YouTube video id" in log.error
    assert Post.objects.count() == 0
