"""Instagram content publishing through the Graph API, for both login methods.

Instagram Login tokens talk to graph.instagram.com, Facebook Login (a Page's IG user) tokens to
graph.facebook.com; the calls are the same. Publishing is container first (the platform pulls
the media from a public URL), then `media_publish` — the one commit call.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from .base import PublisherClient
from .errors import PublishError, Retry, classify_container_status, classify_graph

GRAPH_VERSION = "v21.0"
INSTAGRAM_LOGIN_BASE_URL = f"https://graph.instagram.com/{GRAPH_VERSION}"
FACEBOOK_LOGIN_BASE_URL = f"https://graph.facebook.com/{GRAPH_VERSION}"
BASE_URLS = {"instagram_login": INSTAGRAM_LOGIN_BASE_URL, "facebook_login": FACEBOOK_LOGIN_BASE_URL}
#: Meta's guide: query a container's status once a minute, for no more than five minutes.
POLL_INTERVAL_S = 60
POLL_ATTEMPTS = 5


@dataclass(frozen=True)
class ContainerStatus:
    """An IG container's state: `status_code` is IN_PROGRESS, FINISHED, PUBLISHED, ERROR or
    EXPIRED; `status` the platform's sentence (the error subcode on ERROR)."""

    id: str
    status_code: str
    status: str = ""

    @property
    def ready(self) -> bool:
        return self.status_code == "FINISHED"

    @property
    def published(self) -> bool:
        return self.status_code == "PUBLISHED"


@dataclass(frozen=True)
class PublishingLimit:
    """Posts published in the rolling window (`quota_duration` seconds) and the cap."""

    quota_usage: int
    quota_total: int
    quota_duration: int

    @property
    def remaining(self) -> int:
        return max(0, self.quota_total - self.quota_usage)


@dataclass(frozen=True)
class PublishedMedia:
    """A published IG media: its id and, once looked up, its permalink."""

    id: str
    permalink: str | None = None
    shortcode: str | None = None
    timestamp: str | None = None
    caption: str | None = None


class InstagramPublisher(PublisherClient):
    """Containers, their status, `media_publish`, the publishing limit and permalinks."""

    platform = "instagram"

    def map_error(self, response: requests.Response, payload: Any) -> PublishError:
        return classify_graph(payload, response.status_code, headers=response.headers)

    def create_image_container(
        self, user_id: str, image_url: str, *, caption: str = "", carousel_item: bool = False
    ) -> str:
        """A container for one image (or one carousel item); returns its id."""
        params = {"image_url": image_url}
        params.update({"is_carousel_item": "true"} if carousel_item else {"caption": caption})
        return self._create(user_id, params)

    def create_video_container(
        self,
        user_id: str,
        video_url: str,
        *,
        caption: str = "",
        carousel_item: bool = False,
        share_to_feed: bool = True,
        cover_url: str | None = None,
    ) -> str:
        """A container for a reel (or a video carousel item); returns its id."""
        if carousel_item:
            params = {"media_type": "VIDEO", "video_url": video_url, "is_carousel_item": "true"}
        else:
            params = {
                "media_type": "REELS",
                "video_url": video_url,
                "caption": caption,
                "share_to_feed": "true" if share_to_feed else "false",
            }
        if cover_url:
            params["cover_url"] = cover_url
        return self._create(user_id, params)

    def create_carousel_container(
        self, user_id: str, children: list[str], *, caption: str = ""
    ) -> str:
        """A carousel container over item containers (2 to 10); returns its id."""
        params = {"media_type": "CAROUSEL", "children": ",".join(children), "caption": caption}
        return self._create(user_id, params)

    def container_status(self, container_id: str) -> ContainerStatus:
        """The container's `status_code` (reconciliation reads it: PUBLISHED means done)."""
        body = self.call_json(
            "GET",
            f"{self.base_url}/{container_id}",
            params={"fields": "id,status,status_code"},
            bucket="instagram.read",
        )
        return ContainerStatus(
            id=str(body.get("id") or container_id),
            status_code=str(body.get("status_code") or ""),
            status=str(body.get("status") or ""),
        )

    def wait_for_container(
        self,
        container_id: str,
        *,
        attempts: int = POLL_ATTEMPTS,
        interval: float = POLL_INTERVAL_S,
        sleep: Callable[[float], None] = time.sleep,
    ) -> ContainerStatus:
        """Poll until the container is FINISHED (or already PUBLISHED). `NewContainer` on
        EXPIRED/ERROR; `Retry` if still IN_PROGRESS after `attempts` looks."""
        for attempt in range(attempts):
            if attempt:
                sleep(interval)
            status = self.container_status(container_id)
            problem = classify_container_status(container_id, status.status_code, status.status)
            if problem:
                raise problem
            if status.ready or status.published:
                return status
        raise Retry(
            f"Instagram: container {container_id} still in progress after {attempts} looks.",
            platform=self.platform,
            code="IN_PROGRESS",
        )

    def publish(self, user_id: str, container_id: str) -> str:
        """COMMIT: publish a FINISHED container; returns the media id. Never repeated by the
        client; a lost answer raises `OutcomeUnknown` (reconcile with `container_status`)."""
        body = self.call_json(
            "POST",
            f"{self.base_url}/{user_id}/media_publish",
            params={"creation_id": container_id},
            commit=True,
            bucket="instagram.publish",
        )
        return str(body["id"])

    def comment(self, media_id: str, message: str) -> str:
        """Comment on a published media (the post's first comment); returns the comment id.
        Needs the instagram_manage_comments (or instagram_business_manage_comments) scope."""
        body = self.call_json(
            "POST",
            f"{self.base_url}/{media_id}/comments",
            params={"message": message},
            bucket="instagram.create",
        )
        return str(body["id"])

    def publishing_limit(self, user_id: str) -> PublishingLimit:
        """The account's posts in the rolling 24 h and its cap (read before each publish)."""
        body = self.call_json(
            "GET",
            f"{self.base_url}/{user_id}/content_publishing_limit",
            params={"fields": "quota_usage,config"},
            bucket="instagram.read",
        )
        row = (body.get("data") or [{}])[0]
        config = row.get("config") or {}
        return PublishingLimit(
            quota_usage=int(row.get("quota_usage") or 0),
            quota_total=int(config.get("quota_total") or 0),
            quota_duration=int(config.get("quota_duration") or 86400),
        )

    def media(self, media_id: str) -> PublishedMedia:
        """A published media's permalink, shortcode, time and caption."""
        body = self.call_json(
            "GET",
            f"{self.base_url}/{media_id}",
            params={"fields": "id,permalink,shortcode,timestamp,caption"},
            bucket="instagram.read",
        )
        return PublishedMedia(
            id=str(body.get("id") or media_id),
            permalink=body.get("permalink"),
            shortcode=body.get("shortcode"),
            timestamp=body.get("timestamp"),
            caption=body.get("caption"),
        )

    def recent_media(self, user_id: str, *, limit: int = 25) -> list[PublishedMedia]:
        """The account's latest media, newest first (reconciliation looks for a post there)."""
        body = self.call_json(
            "GET",
            f"{self.base_url}/{user_id}/media",
            params={"fields": "id,permalink,shortcode,timestamp,caption", "limit": str(limit)},
            bucket="instagram.read",
        )
        return [
            PublishedMedia(
                id=str(row.get("id")),
                permalink=row.get("permalink"),
                shortcode=row.get("shortcode"),
                timestamp=row.get("timestamp"),
                caption=row.get("caption"),
            )
            for row in body.get("data") or []
            if isinstance(row, dict) and row.get("id")
        ]

    def _create(self, user_id: str, params: dict[str, str]) -> str:
        # Not a commit: a container nobody publishes expires after 24 h.
        body = self.call_json(
            "POST", f"{self.base_url}/{user_id}/media", params=params, bucket="instagram.create"
        )
        return str(body["id"])
