"""Each destination's own options reach its platform: Instagram's first comment (a refusal
leaves the post published, with a warning), TikTok's commercial-content disclosure, YouTube's
own title and category."""

import pytest

from operations.jobs import publish_due_targets
from publishing.choices import TargetState
from tests.platforms.publish_fakes import Fault
from tests.publishing.publish_setup import due_target, fake_platforms, media_asset

pytestmark = pytest.mark.django_db

VIDEO = bytes(range(256)) * 2500


@pytest.fixture
def fakes(settings, tmp_path):
    yield from fake_platforms(settings, tmp_path)


def test_an_instagram_first_comment_is_posted_under_the_published_reel(fakes):
    graph = fakes["instagram"]
    target = due_target("instagram", media_asset(VIDEO), first_comment="Link in bio")

    publish_due_targets()
    target.refresh_from_db()

    assert target.state == TargetState.PUBLISHED and target.error == ""
    assert graph.posts[0]["comments"] == ["Link in bio"]


def test_a_refused_first_comment_leaves_the_post_published_with_a_warning(fakes):
    graph = fakes["instagram"]
    graph.fail("comment", Fault(status=400, body={"error": {"message": "No", "code": 10}}))
    target = due_target("instagram", media_asset(VIDEO), first_comment="Link in bio")

    publish_due_targets()
    publish_due_targets()  # nothing is published again
    target.refresh_from_db()

    assert target.state == TargetState.PUBLISHED and len(graph.posts) == 1
    assert target.error_class == "published_with_warning"
    assert "first comment was refused" in target.error
    assert target.attempts.get().error == target.error  # in the publishing log too


def test_tiktok_gets_the_commercial_content_disclosure(fakes):
    tiktok = fakes["tiktok"]
    video = bytes(range(256)) * 50_000
    due_target(
        "tiktok",
        media_asset(video),
        privacy_level="PUBLIC_TO_EVERYONE",
        brand_content_toggle=True,
    )

    publish_due_targets()

    (post,) = tiktok.posts
    assert post["brand_content_toggle"] is True and post["brand_organic_toggle"] is False


def test_youtube_takes_the_accounts_own_title_and_category(fakes):
    youtube = fakes["youtube"]
    due_target("youtube", media_asset(VIDEO), title="Behind the scenes", category_id="22")

    publish_due_targets()

    session = next(iter(youtube.sessions.values()))
    assert session["resource"]["snippet"]["title"] == "Behind the scenes"
    assert session["resource"]["snippet"]["categoryId"] == "22"
    assert len(youtube.posts) == 1
