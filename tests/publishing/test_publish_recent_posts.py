"""Reconciliation through the account's recent posts (specs/publishing.md §4): when TikTok's
status or YouTube's probe cannot tell whether a post went out, the publisher looks for it among
the account's latest posts (same caption or title, since the commit) — found, it is published
with its URL; not found for PUBLISH_UNCONFIRMED_AFTER_SECONDS, it is `unconfirmed`. Never a
second post."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from operations.jobs import publish_due_targets
from publishing.choices import MediaKind, TargetState
from tests.platforms.publish_fakes import Fault
from tests.publishing.publish_setup import due_target, fake_platforms, media_asset

pytestmark = pytest.mark.django_db

VIDEO = bytes(range(256)) * 2500


@pytest.fixture
def fakes(settings, tmp_path):
    yield from fake_platforms(settings, tmp_path)


def later(seconds: float = 1):
    return timezone.now() + timedelta(seconds=seconds)


def photo(n: int = 0):
    return media_asset(f"photo {n}".encode(), kind=MediaKind.IMAGE, mime="image/jpeg")


def test_a_tiktok_photo_post_whose_init_answer_was_lost_is_found_among_recent_posts(fakes):
    tiktok = fakes["tiktok"]
    tiktok.fail("init", Fault(after_commit=True, drop=True))
    target = due_target("tiktok", photo(), privacy_level="PUBLIC_TO_EVERYONE")
    publish_due_targets()
    target.refresh_from_db()
    assert target.state == TargetState.AWAITING_REMOTE
    assert "publish_id" not in target.remote_handle  # nothing to ask status/fetch about

    publish_due_targets(now=later())
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    assert target.platform_post_id == tiktok.posts[0]["id"]
    assert target.published_url == f"https://www.tiktok.com/@tiktok/video/{tiktok.posts[0]['id']}"
    assert tiktok.count("init") == 1 and len(tiktok.posts) == 1


def test_a_tiktok_status_that_keeps_failing_is_settled_by_the_recent_posts(fakes):
    tiktok = fakes["tiktok"]
    tiktok.fail("status", *[Fault(status=500)] * 3)
    target = due_target("tiktok", photo(), privacy_level="PUBLIC_TO_EVERYONE")
    publish_due_targets()
    target.refresh_from_db()
    assert target.state == TargetState.AWAITING_REMOTE  # the status poll after the init failed

    tiktok.fail("status", *[Fault(status=500)] * 3)
    publish_due_targets(now=later())
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    assert target.platform_post_id == tiktok.posts[0]["id"]
    assert tiktok.count("recent") == 1 and len(tiktok.posts) == 1


def test_a_youtube_upload_whose_session_is_gone_is_found_among_the_channels_uploads(
    fakes, django_capture_on_commit_callbacks
):
    youtube = fakes["youtube"]
    youtube.fail("final_chunk", Fault(after_commit=True, drop=True))
    target = due_target("youtube", media_asset(VIDEO))
    publish_due_targets()
    target.refresh_from_db()
    assert target.state == TargetState.AWAITING_REMOTE
    youtube.sessions.clear()  # the session expired: the probe answers 404

    with django_capture_on_commit_callbacks(execute=True):
        publish_due_targets(now=later())
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    video_id = youtube.posts[0]["id"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{11}", video_id)
    assert target.platform_post_id == video_id
    assert target.published_url == f"https://www.youtube.com/watch?v={video_id}"
    assert youtube.count("probe") == 1 and youtube.count("recent") == 1
    assert len(youtube.posts) == 1
    assert target.tracked_post is not None  # an id shaped like YouTube's is tracked


def test_a_post_found_nowhere_becomes_unconfirmed_and_is_never_sent_again(fakes):
    tiktok = fakes["tiktok"]
    tiktok.fail("init", Fault(status=502))  # a 5xx to the commit call: did it post?
    target = due_target("tiktok", photo())
    publish_due_targets()
    publish_due_targets(now=later())
    target.refresh_from_db()
    assert target.state == TargetState.AWAITING_REMOTE  # not found yet: looked at again

    publish_due_targets(now=later(settings.PUBLISH_UNCONFIRMED_AFTER_SECONDS + 5))
    target.refresh_from_db()
    assert target.state == TargetState.UNCONFIRMED
    assert tiktok.count("init") == 1 and tiktok.posts == []


def test_an_earlier_post_with_the_same_caption_is_not_claimed_twice(fakes):
    tiktok = fakes["tiktok"]
    first = due_target("tiktok", photo(1), privacy_level="PUBLIC_TO_EVERYONE")
    publish_due_targets()
    first.refresh_from_db()
    assert first.state == TargetState.PUBLISHED

    tiktok.fail("init", Fault(status=502))
    second = due_target("tiktok", photo(2), privacy_level="PUBLIC_TO_EVERYONE")
    second.connection = first.connection
    second.save(update_fields=["connection"])
    publish_due_targets(now=later())
    publish_due_targets(now=later(2))
    second.refresh_from_db()
    assert second.state == TargetState.AWAITING_REMOTE  # the only match is the first's post
    assert tiktok.count("recent") >= 1 and len(tiktok.posts) == 1
