"""The per-platform rules checked before scheduling: each broken rule is named, with the
platform and the numbers, and scheduling (service and API) refuses the post per target."""

from datetime import datetime

import pytest

from core.errors import DomainError
from publishing.choices import ConnectionMethod, MediaKind
from publishing.models import ScheduledPost
from publishing.services.scheduling import scheduled_post_create, scheduled_post_update
from publishing.validation import post_validate
from tests.creators.factories import AccountFactory
from tests.publishing.factories import (
    MediaAssetFactory,
    PublishTargetFactory,
    SocialConnectionFactory,
)

MB = 1024 * 1024


def image(**kw):
    fields = {"mime": "image/jpeg", "width": 1080, "height": 1350, "size": 2 * MB} | kw
    return MediaAssetFactory.build(kind=MediaKind.IMAGE, **fields)


def video(**kw):
    fields = {
        "mime": "video/mp4",
        "width": 1080,
        "height": 1920,
        "size": 40 * MB,
        "duration_s": 30.0,
        "codec": "h264",
        "frame_rate": 30.0,
    } | kw
    return MediaAssetFactory.build(kind=MediaKind.VIDEO, **fields)


def messages(platform, **kw):
    kw.setdefault("media", [image()])
    return [p.message for p in post_validate(platform=platform, **kw)]


def test_a_good_image_post_passes_instagram_and_tiktok():
    assert messages("instagram", caption="Hello #summer") == []
    assert messages("tiktok", caption="Hello") == []


def test_instagram_counts_hashtags_of_the_caption_and_the_list_together():
    caption = " ".join(f"#tag{i}" for i in range(20))
    hashtags = [f"more{i}" for i in range(11)]

    assert messages("instagram", caption=caption, hashtags=hashtags) == [
        "Instagram: at most 30 hashtags (you have 31)."
    ]
    assert messages("instagram", caption=caption, hashtags=hashtags[:10]) == []


def test_caption_limits_count_the_hashtags_as_posted():
    at_limit = "x" * 2200

    assert messages("instagram", caption=at_limit) == []
    assert messages("instagram", caption=at_limit, hashtags=["a"]) == [
        "Instagram: the caption takes at most 2,200 characters with its hashtags (you have 2,204)."
    ]
    assert messages("tiktok", caption="y" * 2201) == [
        "TikTok: the caption takes at most 2,200 characters with its hashtags (you have 2,201)."
    ]


def test_youtube_needs_one_video_a_title_of_at_most_100_characters_and_no_angle_brackets():
    assert messages("youtube", title="Launch", caption="Watch", media=[video()]) == []
    assert messages("youtube", title="t" * 101, media=[video()]) == [
        "YouTube: the title takes at most 100 characters (you have 101)."
    ]
    assert messages("youtube", title="A <b> title", media=[video()]) == [
        "YouTube: the title may not contain “<”.",
        "YouTube: the title may not contain “>”.",
    ]
    assert messages("youtube", title="Photo", media=[image()]) == [
        "YouTube: a post cannot be a single image."
    ]
    assert messages("youtube", title="Two", media=[video(), video()]) == [
        "YouTube: a post is one video (you have 2 items)."
    ]


def test_youtube_descriptions_are_counted_in_bytes():
    assert messages("youtube", title="T", caption="é" * 2500, media=[video()]) == []
    assert messages("youtube", title="T", caption="é" * 2501, media=[video()]) == [
        "YouTube: the description takes at most 5,000 bytes with its hashtags (you have 5,002)."
    ]


def test_every_platform_needs_media():
    assert messages("instagram", media=[]) == ["Instagram: a post needs an image or a video."]
    assert messages("youtube", title="T", media=[]) == ["YouTube: a post needs a video."]


def test_instagram_images_are_jpeg_up_to_8_mb_between_4_5_and_1_91_1():
    assert messages("instagram", media=[image(mime="image/png")]) == [
        "Instagram: the image is PNG; accepted: JPEG."
    ]
    assert messages("instagram", media=[image(size=9 * MB)]) == [
        "Instagram: the image is 9 MB; at most 8 MB."
    ]
    assert messages("instagram", media=[image(width=1080, height=1920)]) == [
        "Instagram: the image is 1080×1920 (ratio 0.56); the ratio must be between 4:5 and 1.91:1."
    ]
    assert messages("instagram", media=[image(width=1080, height=566)]) == []  # 1.91:1


def test_instagram_reels_last_3_s_to_15_min_and_carousel_videos_at_most_60_s():
    assert messages("instagram", media=[video(duration_s=2.0)]) == [
        "Instagram: the video lasts 2 s; at least 3 s."
    ]
    assert messages("instagram", media=[video(duration_s=901.0)]) == [
        "Instagram: the video lasts 901 s; at most 15 min."
    ]
    assert messages("instagram", media=[video(duration_s=61.0), image()]) == [
        "Instagram: item 1 lasts 61 s; at most 1 min."
    ]


def test_instagram_video_codec_and_frame_rate_are_checked():
    assert messages(
        "instagram", media=[video(codec="vp9", mime="video/webm", frame_rate=15.0)]
    ) == [
        "Instagram: the video is WebM; accepted: MP4, MOV.",
        "Instagram: the video runs at 15 fps; between 23 and 60.",
        "Instagram: the video is encoded as vp9; accepted: h264, hevc.",
    ]


def test_instagram_carousels_hold_at_most_10_items():
    assert messages("instagram", media=[image() for _ in range(10)]) == []
    assert messages("instagram", media=[image() for _ in range(11)]) == [
        "Instagram: at most 10 items in a carousel (you have 11)."
    ]


def test_tiktok_takes_one_video_or_up_to_35_photos_never_both():
    assert messages("tiktok", media=[image() for _ in range(35)]) == []
    assert messages("tiktok", media=[image() for _ in range(36)]) == [
        "TikTok: at most 35 items in a carousel (you have 36)."
    ]
    assert messages("tiktok", media=[video(), image()]) == [
        "TikTok: one video, or photos only: not both in one post."
    ]
    assert messages("tiktok", media=[video(), video()]) == [
        "TikTok: item 1: a carousel takes no videos.",
        "TikTok: item 2: a carousel takes no videos.",
    ]


def test_tiktok_video_sizes_and_length_follow_its_limits():
    assert messages("tiktok", media=[video()]) == []
    assert messages("tiktok", media=[video(width=320, height=568)]) == [
        "TikTok: the video is 320×568; each side must be at least 360 px."
    ]
    assert messages("tiktok", media=[video(duration_s=601.0)]) == [
        "TikTok: the video lasts 601 s; at most 10 min."
    ]
    assert messages("tiktok", media=[video(size=5 * 1024 * MB)]) == [
        "TikTok: the video is 5 GB; at most 4 GB."
    ]


def test_tiktok_photos_are_jpeg_or_webp_at_most_1080p():
    assert messages("tiktok", media=[image(mime="image/png")]) == [
        "TikTok: the image is PNG; accepted: JPEG, WEBP."
    ]
    assert messages("tiktok", media=[image(width=4000, height=3000)]) == [
        "TikTok: the image is 4000×3000; at most 1920×1080 (1080p), either way round."
    ]


def test_without_a_public_media_url_instagram_and_tiktok_photos_are_refused_naming_the_setting(
    settings,
):
    settings.MEDIA_PUBLIC_BASE_URL = ""

    instagram = messages("instagram", media=[image()])
    tiktok_photo = messages("tiktok", media=[image()])
    tiktok_video = messages("tiktok", media=[video()])

    assert len(instagram) == 1 and "MEDIA_PUBLIC_BASE_URL" in instagram[0]
    assert instagram[0].startswith("Instagram: the platform pulls media from a public URL")
    assert len(tiktok_photo) == 1 and "MEDIA_PUBLIC_BASE_URL" in tiktok_photo[0]
    assert tiktok_video == []  # uploaded in chunks, not pulled


# --- Scheduling refuses, per target, with the rules -------------------------------------------
@pytest.fixture
def manager(role_user):
    return role_user("Manager")


def connection(platform):
    method = {
        "instagram": ConnectionMethod.INSTAGRAM_LOGIN,
        "tiktok": ConnectionMethod.TIKTOK,
        "youtube": ConnectionMethod.GOOGLE,
    }[platform]
    return SocialConnectionFactory(
        account=AccountFactory(platform=platform), platform=platform, method=method
    )


@pytest.mark.django_db
def test_scheduling_refuses_a_post_one_target_cannot_publish_and_says_why(manager):
    png = MediaAssetFactory(mime="image/png", width=1080, height=1080)

    with pytest.raises(DomainError) as error:
        scheduled_post_create(
            caption="Drop",
            media=[png],
            connections=[connection("instagram"), connection("tiktok"), connection("youtube")],
            local_time=datetime(2030, 5, 1, 9, 0),
            timezone="Europe/Berlin",
            created_by=manager,
        )

    assert error.value.code == "post_invalid"
    assert error.value.fields["media"] == [
        "Instagram: the image is PNG; accepted: JPEG.",
        "TikTok: the image is PNG; accepted: JPEG, WEBP.",
        "YouTube: a post cannot be a single image.",
    ]
    assert not ScheduledPost.objects.exists()


@pytest.mark.django_db
def test_editing_a_caption_past_a_targets_limit_is_refused(manager):
    target = PublishTargetFactory(connection=connection("instagram"))
    target.post.media_items.create(asset=MediaAssetFactory(), position=0)

    with pytest.raises(DomainError) as error:
        scheduled_post_update(target.post, caption=" ".join(f"#t{i}" for i in range(31)))
    scheduled_post_update(target.post, caption="Fine #one")

    assert error.value.fields == {"hashtags": ["Instagram: at most 30 hashtags (you have 31)."]}
    target.post.refresh_from_db()
    assert target.post.caption == "Fine #one"


@pytest.mark.django_db
def test_the_api_answers_the_broken_rules_by_field(staff):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(staff)
    tiktok = connection("tiktok")
    photos = [MediaAssetFactory() for _ in range(34)]
    clip = MediaAssetFactory(kind="video", mime="video/mp4", duration_s=5)

    answer = client.post(
        "/api/v1/scheduled-posts/",
        {
            "caption": "Too many",
            "media": [*(p.pk for p in photos), clip.pk],
            "connections": [tiktok.pk],
            "local_time": "2030-05-01T09:00",
            "timezone": "Europe/Berlin",
        },
        format="json",
    )

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "post_invalid"
    assert error["fields"]["media"] == ["TikTok: one video, or photos only: not both in one post."]


@pytest.mark.django_db
def test_scheduling_to_instagram_without_a_public_media_url_names_the_setting(manager, settings):
    settings.MEDIA_PUBLIC_BASE_URL = ""

    with pytest.raises(DomainError) as error:
        scheduled_post_create(
            caption="Drop",
            media=[MediaAssetFactory()],
            connections=[connection("instagram")],
            local_time=datetime(2030, 5, 1, 9, 0),
            timezone="Europe/Berlin",
            created_by=manager,
        )

    assert "MEDIA_PUBLIC_BASE_URL" in error.value.fields["media"][0]
    assert not ScheduledPost.objects.exists()
