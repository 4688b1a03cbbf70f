"""The three fake platforms on 127.0.0.1, settings pointed at them, media files in a temporary
storage, and due targets to publish through the real job."""

import hashlib
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from platforms import http
from publishing.choices import ConnectionMethod, MediaKind
from publishing.models import MediaAsset, PublishTarget, ScheduledPostMedia
from tests.creators.factories import AccountFactory
from tests.platforms.publish_fakes import TOKEN, FakeGraph, FakeTikTok, FakeYouTube
from tests.publishing.factories import (
    PublishTargetFactory,
    ScheduledPostFactory,
    SocialConnectionFactory,
)

PUBLIC = "https://media.example.com/media"
METHODS = {
    "instagram": ConnectionMethod.INSTAGRAM_LOGIN,
    "tiktok": ConnectionMethod.TIKTOK,
    "youtube": ConnectionMethod.GOOGLE,
}


def fake_platforms(settings, tmp_path):
    """The body of a test file's `fakes` fixture (yields {platform: fake})."""
    graph, tiktok, youtube = FakeGraph().start(), FakeTikTok().start(), FakeYouTube().start()
    settings.INSTAGRAM_PUBLISH_BASE_URL = graph.url + "/v21.0"
    settings.TIKTOK_API_BASE_URL = tiktok.url
    settings.YOUTUBE_UPLOAD_BASE_URL = youtube.url
    settings.MEDIA_PUBLIC_BASE_URL = PUBLIC
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PROVIDER_RETRY_BACKOFF_S = 0.0
    settings.PROVIDER_RETRIES = 2
    settings.PROVIDER_READ_TIMEOUT_S = 1.0
    settings.PUBLISH_CONTAINER_POLL_SECONDS = 0
    settings.PUBLISH_TIKTOK_CHUNK_BYTES = 6_000_000
    settings.PUBLISH_YOUTUBE_CHUNK_BYTES = 256 * 1024
    http._sessions.clear()
    yield {"instagram": graph, "tiktok": tiktok, "youtube": youtube}
    for fake in (graph, tiktok, youtube):
        fake.stop()
    http._sessions.clear()


def media_asset(data: bytes, *, kind: str = MediaKind.VIDEO, mime: str = "video/mp4"):
    """A media asset whose file is in the storage."""
    checksum = hashlib.sha256(data).hexdigest()
    extension = "mp4" if kind == MediaKind.VIDEO else "jpg"
    name = default_storage.save(
        f"publishing/{checksum[:2]}/{checksum}.{extension}", ContentFile(data)
    )
    return MediaAsset.objects.create(
        file=name,
        kind=kind,
        mime=mime,
        size=len(data),
        width=1080,
        height=1920,
        duration_s=12.0 if kind == MediaKind.VIDEO else None,
        checksum=checksum,
    )


def due_target(platform: str, *assets, token: str = TOKEN, **options) -> PublishTarget:
    """A target of `platform` due a minute ago, with `assets` in order."""
    due = timezone.now() - timedelta(minutes=1)
    post = ScheduledPostFactory(
        scheduled_at=due, caption="Launch day", title="Launch", hashtags=["agency"]
    )
    for position, asset in enumerate(assets):
        ScheduledPostMedia.objects.create(post=post, asset=asset, position=position)
    account = AccountFactory(platform=platform)
    connection = SocialConnectionFactory(
        account=account, platform=platform, method=METHODS[platform], access_token=token
    )
    return PublishTargetFactory(post=post, connection=connection, options=options)
