"""The real job, the real clients and the database against the fake platforms: a reel, a TikTok
video in chunks and a YouTube upload end published with their ids; every fake counts its remote
posts, and no test ever sees a duplicate."""

import pytest

from operations.jobs import publish_due_targets
from operations.models import JobRun
from publishing.choices import MediaKind, TargetState
from tests.publishing.publish_setup import PUBLIC, due_target, fake_platforms, media_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def fakes(settings, tmp_path):
    yield from fake_platforms(settings, tmp_path)


VIDEO = bytes(range(256)) * 4096  # 1 MiB


def test_an_instagram_reel_is_published_once_with_its_permalink(fakes):
    graph = fakes["instagram"]
    target = due_target("instagram", media_asset(VIDEO))
    run_id = publish_due_targets()
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    assert len(graph.posts) == 1
    assert target.platform_post_id == graph.posts[0]["id"]
    assert target.published_url == f"https://www.instagram.com/p/C{target.platform_post_id}/"
    created = graph.posts[0]
    assert created["media_type"] == "REELS"
    assert created["video_url"].startswith(PUBLIC + "/publishing/")
    assert created["caption"] == "Launch day\n\n#agency"
    assert JobRun.objects.get(pk=run_id).items_ok == 1


def test_an_instagram_carousel_is_one_post_of_its_items_in_order(fakes):
    graph = fakes["instagram"]
    images = [
        media_asset(f"image {n}".encode(), kind=MediaKind.IMAGE, mime="image/jpeg")
        for n in range(3)
    ]
    target = due_target("instagram", *images)
    publish_due_targets()
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    assert len(graph.posts) == 1 and graph.posts[0]["media_type"] == "CAROUSEL"
    children = graph.posts[0]["children"].split(",")
    urls = [graph.containers[c]["params"]["image_url"] for c in children]
    assert urls == [f"{PUBLIC}/{image.file.name}" for image in images]
    assert target.remote_handle["children"] == children


def test_a_tiktok_video_is_uploaded_in_chunks_and_posted_once(fakes):
    tiktok = fakes["tiktok"]
    video = bytes(range(256)) * 50_000  # 12.8 MB: two chunks of 6 MB, the last with the rest
    target = due_target("tiktok", media_asset(video), privacy_level="PUBLIC_TO_EVERYONE")
    publish_due_targets()
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    assert tiktok.count("creator_info") == 1 and tiktok.count("chunk") == 2
    assert len(tiktok.posts) == 1
    assert target.platform_post_id == tiktok.posts[0]["id"]
    username = target.connection.account.username
    assert target.published_url == (
        f"https://www.tiktok.com/@{username}/video/{target.platform_post_id}"
    )
    assert tiktok.posts[0]["privacy_level"] == "PUBLIC_TO_EVERYONE"


def test_a_tiktok_privacy_level_the_creator_cannot_use_fails_before_any_upload(fakes):
    tiktok = fakes["tiktok"]
    target = due_target("tiktok", media_asset(VIDEO), privacy_level="FOLLOWER_OF_CREATOR")
    publish_due_targets()
    target.refresh_from_db()
    assert target.state == TargetState.FAILED
    assert target.error_class == "privacy_level_option_mismatch"
    assert tiktok.count("init") == 0 and tiktok.posts == []


def test_a_youtube_video_is_uploaded_resumably_and_published_once(fakes):
    youtube = fakes["youtube"]
    video = bytes(range(256)) * 2500  # 640 000 bytes: two 256 KiB chunks, then the last
    target = due_target("youtube", media_asset(video))
    publish_due_targets()
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    assert youtube.count("chunk") == 2 and youtube.count("final_chunk") == 1
    assert len(youtube.posts) == 1
    assert target.platform_post_id == youtube.posts[0]["id"]
    assert target.published_url == f"https://www.youtube.com/watch?v={target.platform_post_id}"
    session = next(iter(youtube.sessions.values()))
    assert session["data"] == video
    assert session["resource"]["status"]["privacyStatus"] == "private"
