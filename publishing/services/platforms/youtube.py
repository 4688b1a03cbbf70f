"""YouTube: prepare = the resumable session (or a `bytes */N` probe to resume it) and every
chunk but the last; commit = the last chunk; reconcile = the probe, then (still unknown) the
channel's recent uploads (its uploads playlist)."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage

from platforms.publishers.youtube import RecentUpload, YouTubePublisher

from ...models import SocialConnection
from ..steps import UNKNOWN, Checkpoint, Outcome, PublishedRef, PublishError, TargetRequest
from .common import (
    _caption,
    _commit_call,
    _connection,
    _limiter,
    _listed_since,
    _one_video,
    _same_text,
    _taken_ids,
    _translated,
)


class YouTubeSteps:
    """A resumable upload: every chunk but the last in prepare, the last one commits."""

    def _client(self, connection: SocialConnection) -> YouTubePublisher:
        return YouTubePublisher(
            settings.YOUTUBE_UPLOAD_BASE_URL, connection.access_token, limiter=_limiter(connection)
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
                with _commit_call():
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
        """The `bytes */N` probe first; when it cannot tell (no session URI, the session gone
        or the probe failing), the channel's recent uploads."""
        uri = request.remote_handle.get("session_uri")
        client = self._client(_connection(request))
        if uri and request.media:
            try:
                with _translated():
                    progress = client.probe(uri, request.media[0].size)
            except PublishError:
                progress = None
            if progress is not None and progress.complete:
                return _youtube_ref(progress.video_id)
            if progress is not None:
                return None  # the session holds part of the file and no video: resumable
        with _translated():
            return _youtube_find(client.recent_uploads(), request) or UNKNOWN


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


def _youtube_find(recent: list[RecentUpload], request: TargetRequest) -> PublishedRef | None:
    """Our video among the channel's recent uploads: same title, published since the commit
    marker (less the clock slack), not already another target's."""
    since = _listed_since(request)
    title = _youtube_resource(request)["snippet"]["title"]
    taken = _taken_ids(request, [upload.video_id for upload in recent])
    for upload in recent:
        at = _parse_iso(upload.published_at)
        fresh = at is None or at >= since
        if upload.video_id not in taken and fresh and _same_text(upload.title, title):
            ref = _youtube_ref(upload.video_id)
            return PublishedRef(ref.platform_post_id, ref.url, published_at=at)
    return None


def _parse_iso(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat((value or "").replace("Z", "+00:00"))
    except ValueError:
        return None


def _youtube_ref(video_id: str | None) -> PublishedRef:
    return PublishedRef(
        platform_post_id=video_id or "", url=f"https://www.youtube.com/watch?v={video_id}"
    )
