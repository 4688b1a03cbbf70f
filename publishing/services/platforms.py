"""The state machine's `Publisher` for each platform, on the clients of platforms/publishers/.

Each maps the three steps of publishing/services/steps.py onto one platform's calls:

- Instagram: prepare = the publishing limit, then containers (carousel items first), each
  checkpointed, then their status; commit = `media_publish`; reconcile = the container's
  `status_code` (PUBLISHED: the post is found among the account's recent media).
- TikTok: prepare = `creator_info` (privacy levels, max duration), then for a video the
  FILE_UPLOAD init and every chunk but the last; commit = the last chunk (photos: the pull
  init); reconcile = `status/fetch`.
- YouTube: prepare = the resumable session (or a `bytes */N` probe to resume it) and every
  chunk but the last; commit = the last chunk; reconcile = the probe.

The clients' typed errors (platforms.publishers.errors) become the state machine's outcomes
here, once. Media are read through Django's storage API; platforms that pull media (Instagram,
TikTok photos) get MEDIA_PUBLIC_BASE_URL + the file's storage name.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from platforms.publishers import errors as client_errors
from platforms.publishers.instagram import InstagramPublisher, PublishedMedia
from platforms.publishers.tiktok import ChunkPlan, PostStatus, TikTokPublisher, chunk_plan
from platforms.publishers.youtube import YouTubePublisher

from ..choices import ConnectionMethod, MediaKind
from ..models import PublishTarget, SocialConnection
from .oauth import connection_token_fresh
from .steps import (
    UNKNOWN,
    Checkpoint,
    MediaRef,
    Outcome,
    PublishedRef,
    Publisher,
    PublishError,
    TargetRequest,
)

_OUTCOMES: tuple[tuple[type[client_errors.PublishError], Outcome], ...] = (
    (client_errors.NewContainer, Outcome.NEW_CONTAINER),
    (client_errors.Defer, Outcome.DEFER),
    (client_errors.Reauth, Outcome.NEEDS_REAUTH),
    (client_errors.Final, Outcome.FINAL),
    # A lost commit answer: the state machine reconciles; proven absent, it is a retry.
    (client_errors.OutcomeUnknown, Outcome.RETRY),
    (client_errors.Retry, Outcome.RETRY),
)
_SHORT = {"instagram": "ig", "tiktok": "tiktok", "youtube": "youtube"}
# How far before the commit marker a post found among the recent media may be dated.
_CLOCK_SLACK = timedelta(minutes=10)


def publish_error(error: client_errors.PublishError) -> PublishError:
    """The state machine's error for a client's typed error (the spec's error table)."""
    outcome = next((o for kind, o in _OUTCOMES if isinstance(error, kind)), Outcome.RETRY)
    return PublishError(
        str(error),
        outcome=outcome,
        error_class=_error_class(error),
        retry_after=getattr(error, "retry_after", None),
        defer_until=getattr(error, "until", None),
    )


def _error_class(error: client_errors.PublishError) -> str:
    if isinstance(error, client_errors.Final):
        return error.rule[:32]
    prefix = _SHORT.get(error.platform, error.platform or "platform")
    if isinstance(error, client_errors.OutcomeUnknown):
        return f"{prefix}_outcome_unknown"
    parts = [prefix, str(error.code or error.action)]
    if error.subcode:
        parts.append(str(error.subcode))
    return "_".join(parts)[:32]


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except client_errors.PublishError as error:
        raise publish_error(error) from error


def _final(message: str, error_class: str) -> PublishError:
    return PublishError(message, outcome=Outcome.FINAL, error_class=error_class)


def _connection(request: TargetRequest) -> SocialConnection:
    return SocialConnection.objects.select_related("account").get(pk=request.connection_id)


def _caption(request: TargetRequest) -> str:
    """The caption as posted: the text, then the hashtags."""
    tags = " ".join(f"#{tag.lstrip('#')}" for tag in request.hashtags if tag)
    return "\n\n".join(part for part in (request.caption.strip(), tags) if part)


def media_public_url(media: MediaRef) -> str:
    """The public URL a platform pulls `media` from (MEDIA_PUBLIC_BASE_URL + storage name)."""
    base = settings.MEDIA_PUBLIC_BASE_URL
    if not base:
        raise _final(
            "MEDIA_PUBLIC_BASE_URL is not set: the platform has no public URL to pull the media "
            "from.",
            "media_no_public_url",
        )
    return f"{base.rstrip('/')}/{quote(media.name)}"


def _remember(request: TargetRequest, handle: dict[str, Any]) -> None:
    # A remote id obtained by the commit call itself (a pull init): kept for reconciliation.
    PublishTarget.objects.filter(pk=request.target_id).update(remote_handle=dict(handle))


def _one_video(request: TargetRequest, platform: str) -> MediaRef:
    if len(request.media) != 1 or request.media[0].kind != MediaKind.VIDEO:
        raise _final(f"A {platform} post is exactly one video.", "media_not_one_video")
    return request.media[0]


# --- Instagram ---------------------------------------------------------------------------------
class InstagramSteps:
    """Containers, `media_publish`, container status (Instagram or Facebook Login)."""

    def _client(self, connection: SocialConnection) -> tuple[InstagramPublisher, str]:
        base = (
            settings.FACEBOOK_PUBLISH_BASE_URL
            if connection.method == ConnectionMethod.FACEBOOK_LOGIN
            else settings.INSTAGRAM_PUBLISH_BASE_URL
        )
        user = str(connection.meta.get("ig_user_id") or connection.meta.get("user_id") or "me")
        return InstagramPublisher(base, connection_token_fresh(connection)), user

    def prepare(self, request: TargetRequest, checkpoint: Checkpoint) -> dict[str, Any]:
        if not request.media:
            raise _final("An Instagram post needs an image or a video.", "media_missing")
        client, user = self._client(_connection(request))
        handle = dict(request.remote_handle)
        with _translated():
            limit = client.publishing_limit(user)
            if limit.quota_total and limit.remaining <= 0:
                raise PublishError(
                    f"Instagram: {limit.quota_usage} of {limit.quota_total} posts in 24 h used.",
                    outcome=Outcome.DEFER,
                    error_class="ig_2207042",
                    defer_until=timezone.now() + timedelta(seconds=limit.quota_duration),
                )
            if not handle.get("container_id"):
                handle = self._containers(client, user, request, handle, checkpoint)
            for container in [*handle.get("children", []), handle["container_id"]]:
                client.wait_for_container(
                    container,
                    attempts=settings.PUBLISH_CONTAINER_POLLS,
                    interval=settings.PUBLISH_CONTAINER_POLL_SECONDS,
                )
        return handle

    def _containers(self, client, user, request, handle, checkpoint) -> dict[str, Any]:
        caption = _caption(request)
        if len(request.media) == 1:
            handle["container_id"] = self._item(client, user, request, request.media[0], caption)
            checkpoint(handle)
            return handle
        children = handle.setdefault("children", [])
        for media in request.media[len(children) :]:
            children.append(self._item(client, user, request, media, None))
            checkpoint(handle)
        handle["container_id"] = client.create_carousel_container(user, children, caption=caption)
        checkpoint(handle)
        return handle

    def _item(self, client, user, request, media: MediaRef, caption: str | None) -> str:
        url, item = media_public_url(media), caption is None
        if media.kind == MediaKind.VIDEO:
            return client.create_video_container(
                user,
                url,
                caption=caption or "",
                carousel_item=item,
                share_to_feed=bool(request.options.get("share_to_feed", True)),
            )
        return client.create_image_container(user, url, caption=caption or "", carousel_item=item)

    def commit(self, request: TargetRequest, handle: dict[str, Any]) -> PublishedRef:
        client, user = self._client(_connection(request))
        with _translated():
            media_id = client.publish(user, handle["container_id"])
            return _ig_ref(client.media(media_id))

    def reconcile(self, request: TargetRequest) -> Any:
        container = request.remote_handle.get("container_id")
        if not container:
            return UNKNOWN
        client, user = self._client(_connection(request))
        with _translated():
            status = client.container_status(container)
            if status.published:
                found = _ig_find(client.recent_media(user), request)
                # Published for certain; without its media id only if the listing lags.
                return found or PublishedRef(platform_post_id="", url="")
        if status.status_code in ("FINISHED", "IN_PROGRESS", "EXPIRED", "ERROR"):
            return None  # the container was never published: nothing is on the account
        return UNKNOWN


def _ig_ref(media: PublishedMedia) -> PublishedRef:
    return PublishedRef(
        platform_post_id=media.id,
        url=media.permalink or "",
        published_at=_parse_time(media.timestamp),
    )


def _ig_find(recent: list[PublishedMedia], request: TargetRequest) -> PublishedRef | None:
    caption = _caption(request)
    since = (request.commit_started_at or request.scheduled_at) - _CLOCK_SLACK
    for media in recent:
        at = _parse_time(media.timestamp)
        if (media.caption or "") == caption and (at is None or at >= since):
            url = media.permalink or (
                f"https://www.instagram.com/p/{media.shortcode}/" if media.shortcode else ""
            )
            return PublishedRef(platform_post_id=media.id, url=url, published_at=at)
    return None


def _parse_time(value: str | None) -> datetime | None:
    try:
        return datetime.strptime(value or "", "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None


# --- TikTok ------------------------------------------------------------------------------------
class TikTokSteps:
    """creator_info, FILE_UPLOAD in chunks (the last one commits) or a photo pull, status."""

    def _client(self, connection: SocialConnection) -> TikTokPublisher:
        return TikTokPublisher(settings.TIKTOK_API_BASE_URL, connection_token_fresh(connection))

    def prepare(self, request: TargetRequest, checkpoint: Checkpoint) -> dict[str, Any]:
        if not request.media:
            raise _final("A TikTok post needs a video or photos.", "media_missing")
        client = self._client(_connection(request))
        with _translated():
            post_info = _tiktok_post_info(request, client.creator_info())
            if request.media[0].kind != MediaKind.VIDEO:
                return {"mode": "photo", "post_info": post_info}
            return self._upload(client, request, post_info, checkpoint)

    def _upload(self, client, request, post_info, checkpoint) -> dict[str, Any]:
        video = _one_video(request, "TikTok video")
        handle = dict(request.remote_handle)
        if not (handle.get("publish_id") and handle.get("upload_url")):
            plan = chunk_plan(video.size, settings.PUBLISH_TIKTOK_CHUNK_BYTES)
            started = client.init_video_upload(post_info, plan)
            handle = {
                "mode": "file",
                "publish_id": started.publish_id,
                "upload_url": started.upload_url,
                "plan": [plan.video_size, plan.chunk_size, plan.total_chunk_count],
                "sent": 0,
            }
            checkpoint(handle)
        plan = ChunkPlan(*handle["plan"])
        with default_storage.open(video.name, "rb") as file:
            for first, last in plan.ranges()[:-1]:
                if first < handle["sent"]:
                    continue
                file.seek(first)
                data = file.read(last - first + 1)
                client.upload_chunk(
                    handle["upload_url"], data, first_byte=first, total=plan.video_size
                )
                handle = {**handle, "sent": last + 1}
                checkpoint(handle)
        return handle

    def commit(self, request: TargetRequest, handle: dict[str, Any]) -> PublishedRef:
        connection = _connection(request)
        client = self._client(connection)
        with _translated():
            if handle.get("mode") == "photo":
                urls = [media_public_url(media) for media in request.media]
                publish_id = client.init_photo_pull(handle["post_info"], urls).publish_id
                _remember(request, {**handle, "publish_id": publish_id})
            else:
                publish_id = handle["publish_id"]
                self._last_chunk(client, request, handle)
            status = _tiktok_wait(client, publish_id)
        if not status.complete:
            problem = status.error()
            if problem is not None:
                raise publish_error(problem)
            raise PublishError(
                "TikTok is still processing the post: its outcome is checked again shortly.",
                outcome=Outcome.RETRY,
                error_class="tiktok_processing",
            )
        return _tiktok_ref(connection, publish_id, status)

    def _last_chunk(self, client, request, handle) -> None:
        plan = ChunkPlan(*handle["plan"])
        first, last = plan.ranges()[-1]
        with default_storage.open(request.media[0].name, "rb") as file:
            file.seek(first)
            data = file.read(last - first + 1)
        client.upload_chunk(handle["upload_url"], data, first_byte=first, total=plan.video_size)

    def reconcile(self, request: TargetRequest) -> Any:
        publish_id = request.remote_handle.get("publish_id")
        if not publish_id:
            return UNKNOWN
        connection = _connection(request)
        with _translated():
            status = self._client(connection).status(publish_id)
        if status.complete:
            return _tiktok_ref(connection, publish_id, status)
        if status.status == "FAILED":
            return None  # TikTok says it failed: nothing was posted
        return UNKNOWN


def _tiktok_post_info(request: TargetRequest, info) -> dict[str, Any]:
    """The post_info of an init, checked against what the creator may post now."""
    options = info.privacy_level_options
    privacy = request.options.get("privacy_level") or (
        "SELF_ONLY" if "SELF_ONLY" in options else (options or ["SELF_ONLY"])[0]
    )
    if options and privacy not in options:
        raise _final(
            f"TikTok: this account cannot post as {privacy} now (it may: {', '.join(options)}).",
            "privacy_level_option_mismatch",
        )
    longest = info.max_video_post_duration_sec
    for media in request.media:
        if longest and media.duration_s and media.duration_s > longest:
            raise _final(
                f"TikTok: this account posts videos up to {longest} s; this one is "
                f"{media.duration_s:.0f} s.",
                "tiktok_duration_over_max",
            )
    return {
        "title": _caption(request),
        "privacy_level": privacy,
        "disable_comment": info.comment_disabled or bool(request.options.get("disable_comment")),
        "disable_duet": info.duet_disabled or bool(request.options.get("disable_duet")),
        "disable_stitch": info.stitch_disabled or bool(request.options.get("disable_stitch")),
    }


def _tiktok_wait(client: TikTokPublisher, publish_id: str) -> PostStatus:
    status = client.status(publish_id)
    for _ in range(settings.PUBLISH_CONTAINER_POLLS - 1):
        if status.complete or status.status == "FAILED":
            break
        time.sleep(settings.PUBLISH_CONTAINER_POLL_SECONDS)
        status = client.status(publish_id)
    return status


def _tiktok_ref(connection: SocialConnection, publish_id: str, status: PostStatus) -> PublishedRef:
    if status.post_ids:
        post_id = status.post_ids[0]
        url = f"https://www.tiktok.com/@{connection.account.username}/video/{post_id}"
        return PublishedRef(platform_post_id=post_id, url=url)
    # A private post has no public id: the publish id stands for it.
    return PublishedRef(platform_post_id=publish_id, url="")


# --- YouTube -----------------------------------------------------------------------------------
class YouTubeSteps:
    """A resumable upload: every chunk but the last in prepare, the last one commits."""

    def _client(self, connection: SocialConnection) -> YouTubePublisher:
        return YouTubePublisher(
            settings.YOUTUBE_UPLOAD_BASE_URL, connection_token_fresh(connection)
        )

    def prepare(self, request: TargetRequest, checkpoint: Checkpoint) -> dict[str, Any]:
        video = _one_video(request, "YouTube")
        client = self._client(_connection(request))
        handle = dict(request.remote_handle)
        with _translated():
            if handle.get("session_uri"):
                received = client.probe(handle["session_uri"], video.size).received
            else:
                uri = client.start_session(
                    _youtube_resource(request), size=video.size, mime=video.mime
                )
                handle, received = {"session_uri": uri}, 0
                checkpoint({**handle, "received": 0})
            chunk = settings.PUBLISH_YOUTUBE_CHUNK_BYTES
            with default_storage.open(video.name, "rb") as file:
                while video.size - received > chunk:
                    file.seek(received)
                    progress = client.upload_chunk(
                        handle["session_uri"],
                        file.read(chunk),
                        first_byte=received,
                        total=video.size,
                    )
                    received = progress.received
                    checkpoint({**handle, "received": received})
        return {**handle, "received": received}

    def commit(self, request: TargetRequest, handle: dict[str, Any]) -> PublishedRef:
        video = request.media[0]
        client = self._client(_connection(request))
        received = handle["received"]
        with _translated(), default_storage.open(video.name, "rb") as file:
            # The server may keep fewer bytes than sent (308): send the rest until it is whole.
            for _ in range(5):
                file.seek(received)
                progress = client.upload_chunk(
                    handle["session_uri"], file.read(), first_byte=received, total=video.size
                )
                if progress.complete:
                    return _youtube_ref(progress.video_id)
                received = progress.received
        raise PublishError(
            "YouTube kept asking for the rest of the file: the upload is checked again shortly.",
            outcome=Outcome.RETRY,
            error_class="youtube_incomplete",
        )

    def reconcile(self, request: TargetRequest) -> Any:
        uri = request.remote_handle.get("session_uri")
        if not uri or not request.media:
            return UNKNOWN
        with _translated():
            progress = self._client(_connection(request)).probe(uri, request.media[0].size)
        if progress.complete:
            return _youtube_ref(progress.video_id)
        return None  # the session holds part of the file and no video: resumed by a retry


def _youtube_resource(request: TargetRequest) -> dict[str, Any]:
    caption = _caption(request)
    title = request.title or (caption.splitlines() or ["Untitled"])[0]
    return {
        "snippet": {
            "title": title[:100],
            "description": caption[:5000],
            "tags": [tag.lstrip("#") for tag in request.hashtags],
        },
        "status": {
            "privacyStatus": request.options.get("privacy_status", "private"),
            "selfDeclaredMadeForKids": bool(request.options.get("made_for_kids", False)),
        },
    }


def _youtube_ref(video_id: str | None) -> PublishedRef:
    return PublishedRef(
        platform_post_id=video_id or "", url=f"https://www.youtube.com/watch?v={video_id}"
    )


# --- The factory the state machine gets ---------------------------------------------------------
PUBLISHERS: dict[str, type] = {
    "instagram": InstagramSteps,
    "tiktok": TikTokSteps,
    "youtube": YouTubeSteps,
}


def platform_publisher(platform: str) -> Publisher:
    """The `Publisher` of `platform` (the `publisher_for` of publishing_pass)."""
    return PUBLISHERS[platform]()
