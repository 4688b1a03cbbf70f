import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from posts.choices import BaseFormat, Platform, ReelStyle, TrialStatus
from posts.models import Post, PostSnapshot
from tests.posts.factories import PostFactory, PostSnapshotFactory

pytestmark = pytest.mark.django_db


def test_the_same_canonical_url_cannot_be_stored_twice():
    post = PostFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.create(url=post.url, platform=Platform.INSTAGRAM, post_id="other")


def test_the_same_platform_post_id_cannot_be_stored_twice():
    post = PostFactory(
        platform=Platform.TIKTOK,
        post_id="7300000000000000001",
        url="https://www.tiktok.com/@_/video/7300000000000000001",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.create(
            url="https://www.tiktok.com/@someone/video/7300000000000000001",
            platform=post.platform,
            post_id=post.post_id,
        )


def test_the_same_post_id_on_two_platforms_is_two_posts():
    PostFactory(platform=Platform.INSTAGRAM, post_id="dQw4w9WgXcQ")
    PostFactory(
        platform=Platform.YOUTUBE,
        post_id="dQw4w9WgXcQ",
        url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    )
    assert Post.objects.filter(post_id="dQw4w9WgXcQ").count() == 2


def test_a_post_has_at_most_one_snapshot_per_moment():
    snapshot = PostSnapshotFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        PostSnapshot.objects.create(post=snapshot.post, captured_at=snapshot.captured_at, views=5)


def test_two_posts_may_have_snapshots_at_the_same_moment():
    moment = timezone.now()
    PostSnapshotFactory(captured_at=moment)
    PostSnapshotFactory(captured_at=moment)
    assert PostSnapshot.objects.filter(captured_at=moment).count() == 2


@pytest.mark.parametrize(
    ("is_trial", "trial_status", "allowed"),
    [
        (False, None, True),
        (True, TrialStatus.PENDING, True),
        (True, TrialStatus.REJECTED, True),
        (False, TrialStatus.APPROVED, True),
        (True, None, False),
        (True, TrialStatus.APPROVED, False),
        (False, TrialStatus.PENDING, False),
        (False, TrialStatus.REJECTED, False),
    ],
)
def test_trial_status_must_agree_with_is_trial(is_trial, trial_status, allowed):
    post = PostFactory.build(is_trial=is_trial, trial_status=trial_status)
    if allowed:
        post.full_clean()
        post.save()
        assert Post.objects.filter(pk=post.pk).exists()
    else:
        with pytest.raises(ValidationError, match="trial"):
            post.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            post.save()


@pytest.mark.parametrize("base_format", [BaseFormat.SINGLE_PHOTO, BaseFormat.CAROUSEL, None])
def test_only_videos_have_a_reel_style(base_format):
    post = PostFactory.build(base_format=base_format, reel_style=ReelStyle.TALKING_HEAD)
    with pytest.raises(ValidationError, match="Only videos have a reel style"):
        post.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        post.save()


def test_a_video_may_have_a_reel_style():
    post = PostFactory(base_format=BaseFormat.VIDEO, reel_style=ReelStyle.HYBRID)
    post.full_clean()
    assert post.get_reel_style_display() == "Hybrid"


def test_counters_the_platform_hides_stay_null_not_zero():
    snapshot = PostSnapshotFactory(views=None, shares=None)
    snapshot.refresh_from_db()
    assert snapshot.views is None and snapshot.shares is None


def test_enumerations_carry_the_seed_labels():
    from posts.choices import AccountType, ContentType, ProcessingStatus

    assert [label for _, label in Platform.choices] == ["Instagram", "TikTok", "YouTube"]
    assert [label for _, label in BaseFormat.choices] == ["Video/Reels", "Single Photo", "Carousel"]
    assert [label for _, label in ContentType.choices] == [
        "Video – Short (9:16)",
        "Video – Long (16:9)",
        "Photo – Single",
        "Carousel – Image/Text",
    ]
    assert [label for _, label in ReelStyle.choices] == [
        "Talking Head",
        "Lifestyle/B-roll",
        "Hybrid",
        "Other",
    ]
    assert list(ProcessingStatus.values) == ["pending", "processing", "completed", "failed"]
    assert [label for _, label in AccountType.choices] == ["Main Account", "Clip / Side Account"]
