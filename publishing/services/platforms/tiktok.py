"""TikTok: prepare = `creator_info` (privacy levels, max duration), then for a video the
FILE_UPLOAD init and every chunk but the last; commit = the last chunk (photos: the pull init);
reconcile = `status/fetch`, then (still unknown) the creator's recent posts (`video/list`)."""

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from platforms.publishers.tiktok import (
    ChunkPlan,
    PostStatus,
    RecentVideo,
    TikTokPublisher,
    chunk_plan,
)

from ...choices import MediaKind
from ...models import SocialConnection
from ..steps import UNKNOWN, Checkpoint, Outcome, PublishedRef, PublishError, TargetRequest
from .common import (
    _caption,
    _commit_call,
    _connection,
    _final,
    _limiter,
    _listed_since,
    _one_video,
    _remember,
    _same_text,
    _taken_ids,
    _translated,
    media_public_url,
    publish_error,
)

# How long after the commit marker an incomplete upload is believed (a chunk may be in flight).
_UPLOAD_SETTLE = timedelta(seconds=60)


class TikTokSteps:
    """creator_info, FILE_UPLOAD in chunks (the last one commits) or a photo pull, status."""

    def _client(self, connection: SocialConnection) -> TikTokPublisher:
        return TikTokPublisher(
            settings.TIKTOK_API_BASE_URL, connection.access_token, limiter=_limiter(connection)
        )

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
                with _commit_call():
                    publish_id = client.init_photo_pull(handle["post_info"], urls).publish_id
                _remember(request, {**handle, "publish_id": publish_id})
            else:
                publish_id = handle["publish_id"]
                with _commit_call():
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
        """`status/fetch` first; when it cannot tell (no publish id: the pull init's answer was
        lost; still processing; the status call fails), the creator's recent posts."""
        publish_id = request.remote_handle.get("publish_id")
        connection = _connection(request)
        client = self._client(connection)
        if publish_id:
            try:
                with _translated():
                    status = client.status(publish_id)
            except PublishError:
                status = None
            if status is not None and status.complete:
                return _tiktok_ref(connection, publish_id, status)
            if status is not None and status.status == "FAILED":
                return None  # TikTok says it failed: nothing was posted
            if status is not None and _upload_incomplete(request, status):
                return None  # the last chunk never arrived: nothing can be posted
        with _translated():
            return _tiktok_find(client.recent_videos(), request, connection) or UNKNOWN


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


def _upload_incomplete(request: TargetRequest, status: PostStatus) -> bool:
    """TikTok holds fewer bytes than the file a while after the last chunk was sent: the chunk
    never arrived, so no post can exist (re-sending it to the same upload URL is safe). Only
    believed a minute after the commit marker, so a chunk still in flight
    is not taken for a lost one."""
    plan = request.remote_handle.get("plan")
    if not plan or status.uploaded_bytes is None or request.commit_started_at is None:
        return False
    now = request.now or timezone.now()
    settled = now - request.commit_started_at >= _UPLOAD_SETTLE
    return settled and status.status == "PROCESSING_UPLOAD" and status.uploaded_bytes < plan[0]


def _tiktok_find(
    recent: list[RecentVideo], request: TargetRequest, connection: SocialConnection
) -> PublishedRef | None:
    """Our post among the creator's recent ones: same title (the caption as posted), created
    since the commit marker (less the clock slack), not already another target's."""
    since = _listed_since(request).timestamp()
    taken = _taken_ids(request, [video.id for video in recent])
    for video in recent:
        fresh = video.create_time is None or video.create_time >= since
        if video.id not in taken and fresh and _same_text(video.title, _caption(request)):
            url = (video.share_url or "").split("?")[0] or (
                f"https://www.tiktok.com/@{connection.account.username}/video/{video.id}"
            )
            at = datetime.fromtimestamp(video.create_time, UTC) if video.create_time else None
            return PublishedRef(platform_post_id=video.id, url=url, published_at=at)
    return None


def _tiktok_ref(connection: SocialConnection, publish_id: str, status: PostStatus) -> PublishedRef:
    if status.post_ids:
        post_id = status.post_ids[0]
        url = f"https://www.tiktok.com/@{connection.account.username}/video/{post_id}"
        return PublishedRef(platform_post_id=post_id, url=url)
    # A private post has no public id: the publish id stands for it.
    return PublishedRef(platform_post_id=publish_id, url="")
