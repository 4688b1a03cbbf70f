"""YouTube Data API resumable upload: a session, chunks, 308 resume and the status probe.

The session URI is the remote handle (checkpoint it). Chunks are multiples of 256 KiB except the
last; the last chunk creates the video, so it is a commit call (never repeated by the client; a
lost answer is `OutcomeUnknown`, settled with `probe`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import requests

from platforms.http import retry_after_seconds

from .base import PublisherClient
from .errors import PublishError, classify_youtube

YOUTUBE_UPLOAD_BASE_URL = "https://www.googleapis.com"
CHUNK_UNIT = 256 * 1024
DEFAULT_CHUNK = 32 * CHUNK_UNIT  # 8 MiB
RESUME_INCOMPLETE = 308


@dataclass(frozen=True)
class UploadProgress:
    """Where an upload stands: `received` bytes are stored; once `complete`, `video_id` is set."""

    received: int
    complete: bool = False
    video_id: str | None = None
    video: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RecentUpload:
    """One of the channel's latest uploads (its uploads playlist)."""

    video_id: str
    title: str
    published_at: str | None = None


class YouTubePublisher(PublisherClient):
    """Resumable uploads for one channel's token."""

    platform = "youtube"

    def map_error(self, response: requests.Response, payload: Any) -> PublishError:
        return classify_youtube(
            payload,
            response.status_code,
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )

    def start_session(self, resource: dict[str, Any], *, size: int, mime: str) -> str:
        """Open a resumable session for a video resource (snippet, status); returns the session
        URI. Nothing is created yet: a lost answer only costs a new session."""
        response = self.call(
            "POST",
            f"{self.base_url}/upload/youtube/v3/videos",
            params={"uploadType": "resumable", "part": ",".join(sorted(resource))},
            json=resource,
            headers={
                "Content-Type": "application/json; charset=UTF-8",
                "X-Upload-Content-Length": str(size),
                "X-Upload-Content-Type": mime,
            },
            bucket="youtube.uploads",
        )
        location = response.headers.get("Location")
        if not location:
            raise classify_youtube({"error": {"message": "no session URI in Location"}}, 502)
        return location

    def upload_chunk(
        self, session_uri: str, data: bytes, *, first_byte: int, total: int
    ) -> UploadProgress:
        """PUT one chunk. 308 → the bytes the server holds (it may keep fewer than sent);
        200/201 → the video. The last chunk is a commit call."""
        last_byte = first_byte + len(data) - 1
        if last_byte + 1 < total and len(data) % CHUNK_UNIT:
            raise ValueError(f"A chunk before the last must be a multiple of {CHUNK_UNIT} bytes.")
        response = self.call(
            "PUT",
            session_uri,
            data=data,
            headers={"Content-Range": f"bytes {first_byte}-{last_byte}/{total}"},
            accept=frozenset({RESUME_INCOMPLETE}),
            commit=last_byte + 1 == total,
        )
        return _progress(response, total)

    def probe(self, session_uri: str, total: int) -> UploadProgress:
        """Ask the session how much it holds (`bytes */total`); a finished upload answers with
        the video again. An expired session raises `NewContainer` (nothing was created)."""
        response = self.call(
            "PUT",
            session_uri,
            data=b"",
            headers={"Content-Range": f"bytes */{total}"},
            accept=frozenset({RESUME_INCOMPLETE}),
        )
        return _progress(response, total)

    def upload(
        self,
        session_uri: str,
        file: BinaryIO,
        total: int,
        *,
        chunk_size: int = DEFAULT_CHUNK,
        start: int = 0,
    ) -> UploadProgress:
        """Send the file from byte `start` (after a probe: its `received`) to the end, resuming
        at whatever each 308 says the server kept."""
        if chunk_size <= 0 or chunk_size % CHUNK_UNIT:
            raise ValueError(f"chunk_size must be a positive multiple of {CHUNK_UNIT} bytes.")
        progress = UploadProgress(received=start)
        while not progress.complete:
            file.seek(progress.received)
            data = file.read(min(chunk_size, total - progress.received))
            progress = self.upload_chunk(
                session_uri, data, first_byte=progress.received, total=total
            )
        return progress

    def recent_uploads(self, *, limit: int = 25) -> list[RecentUpload]:
        """The channel's latest uploads, newest first (2 quota units: its uploads playlist, then
        the playlist's items); needs a read scope (youtube.readonly) besides youtube.upload."""
        channels = self.call_json(
            "GET",
            f"{self.base_url}/youtube/v3/channels",
            params={"part": "contentDetails", "mine": "true"},
            bucket="youtube.read",
        )
        items = channels.get("items") or [{}]
        details = (items[0] or {}).get("contentDetails") or {}
        playlist = (details.get("relatedPlaylists") or {}).get("uploads")
        if not playlist:
            return []
        body = self.call_json(
            "GET",
            f"{self.base_url}/youtube/v3/playlistItems",
            params={"part": "snippet", "playlistId": playlist, "maxResults": str(limit)},
            bucket="youtube.read",
        )
        uploads = []
        for row in body.get("items") or []:
            snippet = (row or {}).get("snippet") or {}
            video_id = (snippet.get("resourceId") or {}).get("videoId")
            if video_id:
                uploads.append(
                    RecentUpload(
                        video_id=str(video_id),
                        title=str(snippet.get("title") or ""),
                        published_at=snippet.get("publishedAt"),
                    )
                )
        return uploads


def _progress(response: requests.Response, total: int) -> UploadProgress:
    if response.status_code == RESUME_INCOMPLETE:
        found = re.match(r"bytes=0-(\d+)", response.headers.get("Range") or "")
        return UploadProgress(received=int(found.group(1)) + 1 if found else 0)
    video = response.json()
    return UploadProgress(
        received=total,
        complete=True,
        video_id=str(video.get("id") or ""),
        video=video,
    )
