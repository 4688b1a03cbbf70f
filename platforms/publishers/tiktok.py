"""TikTok Content Posting API: creator info, video and photo init, chunked upload, status.

Direct Post is irreversible once TikTok has the media: the init of a `PULL_FROM_URL` direct post
and the last chunk of a `FILE_UPLOAD` are commit calls (never repeated by the client; a lost
answer is `OutcomeUnknown`, reconciled with `status`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, BinaryIO

import requests

from .base import PublisherClient
from .errors import NewContainer, PublishError, classify_tiktok

TIKTOK_BASE_URL = "https://open.tiktokapis.com"
MIN_CHUNK = 5 * 1024 * 1024  # "5 MB"; the MiB reading is above either meaning
MAX_CHUNK = 64_000_000  # "64 MB"; the decimal reading is below either meaning
DEFAULT_CHUNK = 10_000_000
MAX_CHUNKS = 1000
DIRECT_POST = "DIRECT_POST"
MEDIA_UPLOAD = "MEDIA_UPLOAD"


@dataclass(frozen=True)
class CreatorInfo:
    """What the creator may post now: privacy levels to offer, interaction switches, max length."""

    username: str
    nickname: str
    privacy_level_options: list[str]
    comment_disabled: bool
    duet_disabled: bool
    stitch_disabled: bool
    max_video_post_duration_sec: int | None


@dataclass(frozen=True)
class ChunkPlan:
    """How a file is cut for FILE_UPLOAD (specs/publishing.md §2): chunks of `chunk_size`, the
    last one taking the remainder, `floor(size / chunk_size)` chunks; under 5 MB one chunk."""

    video_size: int
    chunk_size: int
    total_chunk_count: int

    def ranges(self) -> list[tuple[int, int]]:
        """(first byte, last byte) of each chunk, inclusive."""
        starts = [i * self.chunk_size for i in range(self.total_chunk_count)]
        ends = [s - 1 for s in starts[1:]] + [self.video_size - 1]
        return list(zip(starts, ends, strict=True))

    def source_info(self) -> dict[str, Any]:
        return {
            "source": "FILE_UPLOAD",
            "video_size": self.video_size,
            "chunk_size": self.chunk_size,
            "total_chunk_count": self.total_chunk_count,
        }


@dataclass(frozen=True)
class InitResult:
    """A started publish: its `publish_id` (checkpoint it) and, for FILE_UPLOAD, the upload URL."""

    publish_id: str
    upload_url: str | None = None


@dataclass(frozen=True)
class PostStatus:
    """`status/fetch`: PROCESSING_UPLOAD, PROCESSING_DOWNLOAD, SEND_TO_USER_INBOX,
    PUBLISH_COMPLETE or FAILED (with `fail_reason`)."""

    status: str
    fail_reason: str | None = None
    post_ids: list[str] = field(default_factory=list)
    uploaded_bytes: int | None = None

    @property
    def complete(self) -> bool:
        return self.status in ("PUBLISH_COMPLETE", "SEND_TO_USER_INBOX")

    def error(self) -> PublishError | None:
        """The error-table action of a FAILED status, else None."""
        if self.status != "FAILED":
            return None
        return classify_tiktok(self.fail_reason or "", f"publish failed: {self.fail_reason}")


@dataclass(frozen=True)
class RecentVideo:
    """One of the creator's latest posts (`video/list`, Display API scope `video.list`)."""

    id: str
    title: str
    create_time: int | None = None
    share_url: str | None = None


def chunk_plan(video_size: int, chunk_size: int = DEFAULT_CHUNK) -> ChunkPlan:
    """The chunk plan for a video of `video_size` bytes, near `chunk_size` within TikTok's rules."""
    if video_size <= 0:
        raise ValueError("A video of 0 bytes cannot be uploaded.")
    if video_size < MIN_CHUNK:
        return ChunkPlan(video_size, video_size, 1)
    chunk = min(max(chunk_size, MIN_CHUNK), MAX_CHUNK, video_size)
    if video_size // chunk > MAX_CHUNKS:
        chunk = -(-video_size // MAX_CHUNKS)
    return ChunkPlan(video_size, chunk, video_size // chunk)


class TikTokPublisher(PublisherClient):
    """One creator's token: creator info, inits, chunk uploads and status."""

    platform = "tiktok"

    def map_error(self, response: requests.Response, payload: Any) -> PublishError:
        error = payload.get("error") if isinstance(payload, dict) else None
        error = error if isinstance(error, dict) else {}
        if response.status_code in (403, 404) and "upload" in response.url and not error:
            return NewContainer(
                f"TikTok: the upload URL is no longer valid (HTTP {response.status_code}).",
                platform=self.platform,
                http_status=response.status_code,
            )
        return classify_tiktok(
            str(error.get("code") or ""), str(error.get("message") or ""), response.status_code
        )

    def creator_info(self) -> CreatorInfo:
        """The creator's posting options (ask before every init: they change)."""
        data = self._post("/v2/post/publish/creator_info/query/", {}, bucket="tiktok.creator_info")
        return CreatorInfo(
            username=str(data.get("creator_username") or ""),
            nickname=str(data.get("creator_nickname") or ""),
            privacy_level_options=list(data.get("privacy_level_options") or []),
            comment_disabled=bool(data.get("comment_disabled")),
            duet_disabled=bool(data.get("duet_disabled")),
            stitch_disabled=bool(data.get("stitch_disabled")),
            max_video_post_duration_sec=data.get("max_video_post_duration_sec"),
        )

    def init_video_upload(self, post_info: dict[str, Any], plan: ChunkPlan) -> InitResult:
        """Direct post of a file sent in chunks; nothing is posted before the last chunk."""
        body = {"post_info": post_info, "source_info": plan.source_info()}
        data = self._post("/v2/post/publish/video/init/", body, bucket="tiktok.init")
        return InitResult(str(data["publish_id"]), data.get("upload_url"))

    def init_video_pull(self, post_info: dict[str, Any], video_url: str) -> InitResult:
        """COMMIT: direct post of a video TikTok pulls from a verified domain."""
        body = {
            "post_info": post_info,
            "source_info": {"source": "PULL_FROM_URL", "video_url": video_url},
        }
        data = self._post("/v2/post/publish/video/init/", body, bucket="tiktok.init", commit=True)
        return InitResult(str(data["publish_id"]))

    def init_photo_pull(
        self,
        post_info: dict[str, Any],
        image_urls: list[str],
        *,
        cover_index: int = 0,
        post_mode: str = DIRECT_POST,
    ) -> InitResult:
        """Photo post (up to 35 images pulled from a verified domain); a commit in DIRECT_POST."""
        body = {
            "post_info": post_info,
            "source_info": {
                "source": "PULL_FROM_URL",
                "photo_cover_index": cover_index,
                "photo_images": image_urls,
            },
            "post_mode": post_mode,
            "media_type": "PHOTO",
        }
        data = self._post(
            "/v2/post/publish/content/init/",
            body,
            bucket="tiktok.init",
            commit=post_mode == DIRECT_POST,
        )
        return InitResult(str(data["publish_id"]))

    def upload_chunk(
        self, upload_url: str, data: bytes, *, first_byte: int, total: int, mime: str = "video/mp4"
    ) -> bool:
        """PUT one chunk; True when it was the last (201: posting starts). The last chunk is a
        commit call."""
        last_byte = first_byte + len(data) - 1
        response = self.call(
            "PUT",
            upload_url,
            data=data,
            headers={
                "Content-Type": mime,
                "Content-Length": str(len(data)),
                "Content-Range": f"bytes {first_byte}-{last_byte}/{total}",
            },
            commit=last_byte + 1 == total,
        )
        return response.status_code == 201

    def upload_file(self, upload_url: str, file: BinaryIO, plan: ChunkPlan) -> None:
        """Send every chunk of `plan` in order from `file` (seekable)."""
        for first, last in plan.ranges():
            file.seek(first)
            self.upload_chunk(
                upload_url, file.read(last - first + 1), first_byte=first, total=plan.video_size
            )

    def status(self, publish_id: str) -> PostStatus:
        """`status/fetch` for a publish id (reconciliation asks this first)."""
        data = self._post(
            "/v2/post/publish/status/fetch/",
            {"publish_id": publish_id},
            bucket="tiktok.status",
            idempotent=True,
        )
        return PostStatus(
            status=str(data.get("status") or ""),
            fail_reason=data.get("fail_reason") or None,
            post_ids=[str(i) for i in data.get("publicaly_available_post_id") or []],
            uploaded_bytes=data.get("uploaded_bytes"),
        )

    def recent_videos(self, *, max_count: int = 20) -> list[RecentVideo]:
        """The creator's latest public and private posts, newest first (reconciliation looks for
        a post there when `status/fetch` cannot tell)."""
        data = self._post(
            "/v2/video/list/?fields=id,title,video_description,create_time,share_url",
            {"max_count": max_count},
            bucket="tiktok.list",
            idempotent=True,
        )
        return [
            RecentVideo(
                id=str(row["id"]),
                title=str(row.get("title") or row.get("video_description") or ""),
                create_time=row.get("create_time"),
                share_url=row.get("share_url"),
            )
            for row in data.get("videos") or []
            if isinstance(row, dict) and row.get("id")
        ]

    def _post(self, path: str, body: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        answer = self.call_json(
            "POST",
            f"{self.base_url}{path}",
            json=body,
            headers={"Content-Type": "application/json; charset=UTF-8"},
            **kwargs,
        )
        error = answer.get("error") or {}
        # creator_info answers some refusals with HTTP 200 on purpose.
        if error.get("code") not in (None, "", "ok"):
            raise classify_tiktok(str(error["code"]), str(error.get("message") or ""), 200)
        return answer.get("data") or {}
