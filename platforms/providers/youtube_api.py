"""YouTube Data API v3: posts (`videos.list`), channels (`channels.list`), recent uploads.

Every call costs 1 quota unit of the project's 10 000 a day, whatever its size: `videos.list`
takes 50 ids a call. Counts come as strings; there is no share count and no shorts flag (a
`/shorts/` URL or a vertical player says short).
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.utils import timezone

from platforms import http, ratelimit
from platforms.credentials import credential

from .base import (
    AccountToken,
    Capabilities,
    NotFound,
    PostRef,
    PostResult,
    PostStats,
    ProfileRef,
    ProfileStats,
    Provider,
    ProviderError,
    QuotaExhausted,
    RateLimited,
)
from .mapping import detect_format, dig, first, iso_duration_seconds, to_datetime, to_int

NAME = "youtube_api"
BATCH_SIZE = 50
# Asking for a player size makes the answer carry the video's aspect ratio (embedWidth/Height).
PLAYER_MAX_HEIGHT = 1280
_QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
_RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
_NOT_FOUND_REASONS = {
    "channelNotFound",
    "playlistNotFound",
    "videoNotFound",
    "playlistItemsNotFound",
}


# --- Mapping (pure) ---------------------------------------------------------------------------
def map_video(item: dict[str, Any], *, ref: PostRef | None = None) -> PostStats:
    """One `videos.list` item as PostStats (string counts to int; missing counters None)."""
    snippet = item.get("snippet") or {}
    statistics = item.get("statistics") or {}
    player = item.get("player") or {}
    width = to_int(player.get("embedWidth"))
    height = to_int(player.get("embedHeight"))
    is_short = bool(ref and (ref.is_short or "/shorts/" in ref.url)) or None
    base_format, content_type = detect_format(width=width, height=height, is_short=is_short)
    video_id = item.get("id") or (ref.post_id if ref else "")
    return PostStats(
        platform="youtube",
        post_id=video_id,
        url=f"https://www.youtube.com/watch?v={video_id}",
        username=ref.username if ref else None,
        author_id=snippet.get("channelId") or None,
        post_date=to_datetime(snippet.get("publishedAt")),
        caption=snippet.get("title"),
        thumbnail_url=_best_thumbnail(snippet.get("thumbnails")),
        duration_s=iso_duration_seconds(dig(item, "contentDetails.duration")),
        width=width,
        height=height,
        views=to_int(statistics.get("viewCount")),
        likes=to_int(statistics.get("likeCount")),
        comments=to_int(statistics.get("commentCount")),
        shares=None,  # the API has no share count
        base_format=base_format,
        content_type=content_type,
        source=NAME,
    )


def map_channel(item: dict[str, Any]) -> ProfileStats:
    """One `channels.list` item as ProfileStats; the handle (customUrl) is the username."""
    snippet = item.get("snippet") or {}
    statistics = item.get("statistics") or {}
    handle = (snippet.get("customUrl") or "").lstrip("@").lower()
    hidden = statistics.get("hiddenSubscriberCount") is True
    return ProfileStats(
        platform="youtube",
        username=handle or item.get("id", ""),
        external_id=item.get("id"),
        full_name=snippet.get("title"),
        biography=snippet.get("description"),
        profile_pic_url=_best_thumbnail(snippet.get("thumbnails")),
        followers=None if hidden else to_int(statistics.get("subscriberCount")),
        following=None,
        media_count=to_int(statistics.get("videoCount")),
        source=NAME,
    )


def uploads_playlist(item: dict[str, Any]) -> str | None:
    """The channel's uploads playlist (UU…) from a `channels.list` item."""
    playlist = dig(item, "contentDetails.relatedPlaylists.uploads")
    if playlist:
        return playlist
    channel_id = item.get("id") or ""
    return "UU" + channel_id[2:] if channel_id.startswith("UC") else None


def playlist_video_ids(response: dict[str, Any]) -> list[str]:
    """The video ids of one `playlistItems.list` page, in order."""
    ids = []
    for entry in response.get("items") or []:
        video_id = first(entry, "contentDetails.videoId", "snippet.resourceId.videoId")
        if video_id:
            ids.append(video_id)
    return ids


def error_for(status: int, payload: Any) -> ProviderError | None:
    """The typed error of a non-2xx API answer (Google's error envelope), or None."""
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return None
    reasons = {e.get("reason") for e in error.get("errors") or [] if isinstance(e, dict)}
    message = f"YouTube API: {error.get('message') or status} ({', '.join(sorted(filter(None, reasons))) or status})"
    if reasons & _QUOTA_REASONS:
        return QuotaExhausted(
            message,
            retry_after=math.ceil((ratelimit.next_quota_reset() - timezone.now()).total_seconds()),
        )
    if reasons & _RATE_REASONS:
        return RateLimited(message)
    if status == 404 or reasons & _NOT_FOUND_REASONS:
        return NotFound(message)
    return ProviderError(message)


def _best_thumbnail(thumbnails: Any) -> str | None:
    if not isinstance(thumbnails, dict):
        return None
    for size in ("maxres", "standard", "high", "medium", "default"):
        url = dig(thumbnails, f"{size}.url")
        if url:
            return url
    return None


# --- Provider ---------------------------------------------------------------------------------
class YouTubeAPIProvider(Provider):
    """YouTube Data API v3 with `YOUTUBE_API_KEY`."""

    name = NAME
    capabilities = Capabilities.everything_on("youtube")
    batch_size = BATCH_SIZE

    def is_configured(self) -> bool:
        """True when `YOUTUBE_API_KEY` is set."""
        return bool(credential("YOUTUBE_API_KEY"))

    def call_cost(self, operation: str, *, count: int = 1) -> int:
        """Quota units: 1 per API call (recent posts: channel, playlist pages, videos)."""
        if operation == "recent_posts":
            return 1 + 2 * max(1, math.ceil(count / BATCH_SIZE))
        return max(1, math.ceil(count / BATCH_SIZE)) if operation == "posts" else 1

    def fetch_posts(self, refs: list[PostRef]) -> list[PostResult]:
        """Stats of up to 50 videos per `videos.list` call; a video absent from the answer
        (deleted or private) is NotFound."""
        results = {}
        by_token: dict[AccountToken | None, list[PostRef]] = {}
        for ref in refs:  # an own channel's videos are read with its token
            by_token.setdefault(ref.token, []).append(ref)
        for token, same in by_token.items():
            for result in self._fetch_posts(same, token):
                results[result.ref] = result
        return [results[ref] for ref in refs]

    def _fetch_posts(self, refs: list[PostRef], token: AccountToken | None) -> list[PostResult]:
        results = []
        for start in range(0, len(refs), BATCH_SIZE):
            batch = refs[start : start + BATCH_SIZE]
            ids = [r.post_id for r in batch]
            items = {item.get("id"): item for item in self._videos(ids, token)}
            for ref in batch:
                item = items.get(ref.post_id)
                if item is None:
                    results.append(
                        PostResult(
                            ref=ref, error=NotFound(f"YouTube video {ref.post_id} not found.")
                        )
                    )
                else:
                    results.append(PostResult(ref=ref, stats=map_video(item, ref=ref)))
        return results

    def fetch_profile(self, ref: ProfileRef) -> ProfileStats:
        """The channel by id (UC…), handle (/@x, /c/x) or legacy username (/user/x)."""
        return map_channel(self._channel(ref))

    def list_recent_posts(self, ref: ProfileRef, limit: int) -> list[PostStats | PostRef]:
        """The newest `limit` uploads (uploads playlist, then `videos.list` for their stats)."""
        channel = self._channel(ref)
        playlist = uploads_playlist(channel)
        if not playlist:
            raise ProviderError(f"YouTube channel {ref.username} has no uploads playlist.")
        handle = map_channel(channel).username
        ids: list[str] = []
        page_token = None
        while len(ids) < limit:
            params = {
                "part": "contentDetails",
                "playlistId": playlist,
                "maxResults": min(BATCH_SIZE, limit - len(ids)),
            }
            if page_token:
                params["pageToken"] = page_token
            page = self._get("playlistItems", params, ref.token)
            ids.extend(playlist_video_ids(page))
            page_token = page.get("nextPageToken")
            if not page_token:
                break
        refs = [
            PostRef(
                "youtube",
                video_id,
                f"https://www.youtube.com/watch?v={video_id}",
                handle,
                token=ref.token,
            )
            for video_id in ids[:limit]
        ]
        return [result.stats or result.ref for result in self.fetch_posts(refs)]

    # --- calls ---
    def _videos(self, ids: list[str], token: AccountToken | None = None) -> list[dict[str, Any]]:
        answer = self._get(
            "videos",
            {
                "part": "snippet,contentDetails,statistics,player",
                "id": ",".join(ids),
                "maxResults": BATCH_SIZE,
                "maxHeight": PLAYER_MAX_HEIGHT,
            },
            token,
        )
        return answer.get("items") or []

    def _channel(self, ref: ProfileRef) -> dict[str, Any]:
        params: dict[str, Any] = {"part": "snippet,statistics,contentDetails"}
        external_id = (
            (ref.token.user_id if ref.token else None)
            or ref.external_id
            or (ref.username if ref.username.startswith("UC") and "/channel/" in ref.url else None)
        )
        if external_id:
            params["id"] = external_id
        elif "/user/" in ref.url:
            params["forUsername"] = ref.username
        else:
            params["forHandle"] = "@" + ref.username.lstrip("@")
        items = self._get("channels", params, ref.token).get("items") or []
        if not items:
            raise NotFound(f"YouTube channel {ref.username} not found.")
        return items[0]

    def _get(
        self, resource: str, params: dict[str, Any], token: AccountToken | None = None
    ) -> dict[str, Any]:
        # An own channel: its OAuth token (private and unlisted videos too), not the API key.
        auth = (
            {"headers": {"Authorization": f"Bearer {token.access_token}"}, "params": params}
            if token
            else {"params": {**params, "key": credential("YOUTUBE_API_KEY")}}
        )
        answer = http.request_json(
            NAME,
            "GET",
            f"{settings.YOUTUBE_API_BASE_URL.rstrip('/')}/{resource}",
            **auth,
            error_mapper=lambda response, payload: error_for(response.status_code, payload),
        )
        if not isinstance(answer, dict):
            raise ProviderError(f"YouTube API: unexpected answer to {resource}.list.")
        return answer
