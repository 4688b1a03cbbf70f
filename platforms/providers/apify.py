"""Apify scraper actors for Instagram and TikTok (`APIFY_TOKEN`).

Each call runs an actor synchronously (`run-sync-get-dataset-items`) with a batch of URLs and
maps the dataset items it returns. The only source of Instagram views for accounts we do not
own. Actors and their field names: Instagram `apify~instagram-scraper` (`shortCode`,
`likesCount`, `videoPlayCount`, `ownerUsername`, `type` Image/Video/Sidecar) and
`apify~instagram-profile-scraper` (`followersCount`, `followsCount`, `postsCount`,
`latestPosts`); TikTok `clockworks~tiktok-scraper` (`playCount`, `diggCount`, `authorMeta`).
The mappings also read Instagram's and TikTok's own web shapes, which some actors pass through.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from platforms import http
from platforms.credentials import credential
from platforms.urls import UnsupportedURL, parse_url

from .base import (
    Capabilities,
    NotFound,
    PostRef,
    PostResult,
    PostStats,
    Private,
    ProfileRef,
    ProfileStats,
    Provider,
    ProviderError,
    QuotaExhausted,
)
from .mapping import detect_format, dig, first, to_datetime, to_float, to_int

NAME = "apify"
# Instagram's mobile API numbers its media types.
_MOBILE_MEDIA_TYPES = {1: "image", 2: "video", 8: "sidecar"}


# --- Mapping (pure) ---------------------------------------------------------------------------
def map_instagram_post(item: dict[str, Any]) -> PostStats:
    """An Instagram scraper item (or Instagram's web `GraphSidecar`/`GraphImage` node) as
    PostStats; views are the play count (`videoPlayCount`, else `videoViewCount`)."""
    kind = str(first(item, "type", "__typename") or "").removeprefix("Graph").lower()
    kind = kind or _MOBILE_MEDIA_TYPES.get(item.get("media_type"), "")
    is_video = kind == "video" or bool(first(item, "isVideo", "is_video"))
    versions = item.get("video_versions") or item.get("image_versions") or [{}]
    width = to_int(first(item, "dimensionsWidth", "dimensions.width") or versions[0].get("width"))
    height = to_int(
        first(item, "dimensionsHeight", "dimensions.height") or versions[0].get("height")
    )
    shortcode = first(item, "shortCode", "shortcode", "code") or ""
    url = item.get("url") or (f"https://www.instagram.com/p/{shortcode}/" if shortcode else None)
    is_reel = first(item, "productType", "product_type") == "clips" or None
    base_format, content_type = detect_format(
        is_carousel=kind in ("sidecar", "carousel"),
        is_video=is_video,
        width=width,
        height=height,
        is_short=is_reel,
    )
    views = to_int(
        first(item, "videoPlayCount", "videoViewCount", "play_count", "video_view_count")
    )
    return PostStats(
        platform="instagram",
        post_id=shortcode,
        url=url,
        username=_lower(first(item, "ownerUsername", "owner.username", "user.username")),
        post_date=to_datetime(first(item, "timestamp", "taken_at_timestamp", "taken_at")),
        caption=first(item, "caption", "caption_text") or _first_caption_edge(item),
        thumbnail_url=first(item, "displayUrl", "display_url"),
        duration_s=to_float(first(item, "videoDuration", "video_duration")),
        width=width,
        height=height,
        views=views if is_video else None,
        likes=to_int(
            first(
                item,
                "likesCount",
                "like_count",
                "edge_liked_by.count",
                "edge_media_preview_like.count",
            )
        ),
        comments=to_int(
            first(item, "commentsCount", "comment_count", "edge_media_to_comment.count")
        ),
        shares=None,
        base_format=base_format,
        content_type=content_type,
        source=NAME,
    )


def map_instagram_profile(item: dict[str, Any]) -> ProfileStats:
    """An Instagram profile scraper item (or the web `data.user` object) as ProfileStats."""
    return ProfileStats(
        platform="instagram",
        username=_lower(item.get("username")) or "",
        external_id=_str(first(item, "id", "pk")),
        full_name=first(item, "fullName", "full_name"),
        biography=item.get("biography"),
        profile_pic_url=first(item, "profilePicUrlHD", "profilePicUrl", "profile_pic_url"),
        is_verified=first(item, "verified", "is_verified"),
        is_private=first(item, "private", "is_private"),
        followers=to_int(first(item, "followersCount", "edge_followed_by.count", "follower_count")),
        following=to_int(first(item, "followsCount", "edge_follow.count", "following_count")),
        media_count=to_int(
            first(item, "postsCount", "edge_owner_to_timeline_media.count", "media_count")
        ),
        source=NAME,
    )


def instagram_profile_posts(item: dict[str, Any]) -> list[PostStats]:
    """The recent posts a profile item carries (`latestPosts`, or the web timeline edges)."""
    posts = item.get("latestPosts")
    if posts is None:
        posts = [e.get("node") for e in dig(item, "edge_owner_to_timeline_media.edges") or []]
    username = _lower(item.get("username"))
    mapped = []
    for post in posts:
        if isinstance(post, dict):
            stats = map_instagram_post(post)
            stats.username = stats.username or username
            mapped.append(stats)
    return mapped


def map_tiktok_post(item: dict[str, Any]) -> PostStats:
    """A TikTok scraper item (or TikTok's web `itemStruct`) as PostStats; every TikTok video
    counts as short, a photo post as a carousel."""
    post_id = _str(item.get("id")) or ""
    username = _lower(first(item, "authorMeta.name", "author.uniqueId", "author.unique_id"))
    url = first(item, "webVideoUrl", "url")
    if not url and post_id:
        url = f"https://www.tiktok.com/@{username or '_'}/video/{post_id}"
    width = to_int(first(item, "videoMeta.width", "video.width"))
    height = to_int(first(item, "videoMeta.height", "video.height"))
    is_photo = bool(
        item.get("isSlideshow")
        or item.get("imagePost")
        or item.get("slideshowImageLinks")
        or (url and "/photo/" in url)
    )
    base_format, content_type = detect_format(
        is_carousel=is_photo, width=width, height=height, is_short=True
    )
    return PostStats(
        platform="tiktok",
        post_id=post_id,
        url=url,
        username=username,
        post_date=to_datetime(first(item, "createTimeISO", "createTime")),
        caption=first(item, "text", "desc"),
        thumbnail_url=first(item, "videoMeta.coverUrl", "video.cover"),
        duration_s=to_float(first(item, "videoMeta.duration", "video.duration")),
        width=width,
        height=height,
        views=to_int(first(item, "playCount", "stats.playCount")),
        likes=to_int(first(item, "diggCount", "stats.diggCount")),
        comments=to_int(first(item, "commentCount", "stats.commentCount")),
        shares=to_int(first(item, "shareCount", "stats.shareCount")),
        base_format=base_format,
        content_type=content_type,
        followers=to_int(first(item, "authorMeta.fans", "authorStats.followerCount")),
        source=NAME,
    )


def map_tiktok_profile(author: dict[str, Any], stats: dict[str, Any] | None = None) -> ProfileStats:
    """A TikTok author as ProfileStats: a scraper item's `authorMeta`, or a web `user` with
    its `stats` block (`followerCount`, `followingCount`, `videoCount`)."""
    stats = stats or {}
    return ProfileStats(
        platform="tiktok",
        username=_lower(first(author, "name", "uniqueId", "username")) or "",
        external_id=_str(first(author, "id", "open_id")),
        full_name=first(author, "nickName", "nickname", "display_name"),
        biography=first(author, "signature", "bio_description"),
        profile_pic_url=first(author, "avatar", "avatarLarger", "avatar_url"),
        is_verified=first(author, "verified", "is_verified"),
        is_private=first(author, "privateAccount", "private"),
        followers=to_int(first(author, "fans", "follower_count") or stats.get("followerCount")),
        following=to_int(
            first(author, "following", "following_count") or stats.get("followingCount")
        ),
        media_count=to_int(first(author, "video", "video_count") or stats.get("videoCount")),
        source=NAME,
    )


def item_error(item: dict[str, Any]) -> ProviderError | None:
    """The error an actor reports for one input (`{"error": …, "errorDescription": …}`)."""
    error = item.get("error") or item.get("errorCode")
    if not error:
        return None
    text = f"{error} {item.get('errorDescription') or ''}".strip()
    lowered = text.lower()
    if "private" in lowered:
        return Private(f"Apify: {text}")
    if "not_found" in lowered or "not found" in lowered or "does not exist" in lowered:
        return NotFound(f"Apify: {text}")
    return ProviderError(f"Apify: {text}")


def error_for(status: int, payload: Any) -> ProviderError | None:
    """The typed error of a non-2xx Apify API answer."""
    error = payload.get("error") if isinstance(payload, dict) else None
    kind = error.get("type", "") if isinstance(error, dict) else ""
    message = (
        f"Apify: {error.get('message') if isinstance(error, dict) else status} ({kind or status})"
    )
    if status == 402 or "limit-reached" in kind or "usage" in kind:
        return QuotaExhausted(message)
    return ProviderError(message)


def _first_caption_edge(item: dict[str, Any]) -> str | None:
    edges = dig(item, "edge_media_to_caption.edges") or []
    return dig(edges[0], "node.text") if edges and isinstance(edges[0], dict) else None


def _lower(value: Any) -> str | None:
    return str(value).lstrip("@").lower() if value else None


def _str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _instagram_shortcode(url: str | None) -> str | None:
    try:
        return parse_url(url).post_id if url else None
    except UnsupportedURL:
        return None


# --- Provider ---------------------------------------------------------------------------------
class ApifyProvider(Provider):
    """Apify actors with `APIFY_TOKEN`; one actor run per batch of URLs."""

    name = NAME
    capabilities = Capabilities.everything_on("instagram", "tiktok")

    @property
    def batch_size(self) -> int:  # type: ignore[override]
        return settings.APIFY_BATCH_SIZE

    def is_configured(self) -> bool:
        """True when `APIFY_TOKEN` is set."""
        return bool(credential("APIFY_TOKEN"))

    def fetch_posts(self, refs: list[PostRef]) -> list[PostResult]:
        """One actor run per platform for the batch; items are matched to refs by post id."""
        results: dict[PostRef, PostResult] = {}
        for platform in ("instagram", "tiktok"):
            batch = [ref for ref in refs if ref.platform == platform]
            if not batch:
                continue
            urls = [ref.url for ref in batch]
            if platform == "instagram":
                items = self.run(
                    settings.APIFY_INSTAGRAM_ACTOR,
                    {"directUrls": urls, "resultsType": "posts", "resultsLimit": 1},
                )
                mapper = map_instagram_post
            else:
                items = self.run(
                    settings.APIFY_TIKTOK_ACTOR,
                    {
                        "postURLs": urls,
                        "resultsPerPage": 1,
                        "shouldDownloadVideos": False,
                        "shouldDownloadCovers": False,
                    },
                )
                mapper = map_tiktok_post
            by_id: dict[str, PostStats] = {}
            errors: dict[str, ProviderError] = {}
            for item in items:
                error = item_error(item)
                if error is not None:
                    key = _instagram_shortcode(item.get("url")) or str(item.get("url") or "")
                    errors[key] = error
                    continue
                stats = mapper(item)
                by_id[stats.post_id] = stats
            for ref in batch:
                stats = by_id.get(ref.post_id)
                if stats is not None:
                    stats.url = ref.url
                    results[ref] = PostResult(ref=ref, stats=stats)
                else:
                    error = errors.get(ref.post_id) or errors.get(ref.url)
                    results[ref] = PostResult(
                        ref=ref,
                        error=error
                        or ProviderError(f"Apify returned nothing for {ref.url} (deleted?)."),
                    )
        return [
            results.get(ref)
            or PostResult(ref=ref, error=ProviderError(f"Apify does not fetch {ref.platform}."))
            for ref in refs
        ]

    def fetch_profile(self, ref: ProfileRef) -> ProfileStats:
        """Instagram: the profile scraper; TikTok: the author of the profile's latest post."""
        if ref.platform == "instagram":
            return map_instagram_profile(self._instagram_profile(ref))
        items = self._tiktok_profile_items(ref, 1)
        return map_tiktok_profile(items[0].get("authorMeta") or {})

    def list_recent_posts(self, ref: ProfileRef, limit: int) -> list[PostStats | PostRef]:
        """Instagram: the profile's `latestPosts`; TikTok: the profile's newest videos."""
        if ref.platform == "instagram":
            return list(instagram_profile_posts(self._instagram_profile(ref))[:limit])
        return [map_tiktok_post(item) for item in self._tiktok_profile_items(ref, limit)][:limit]

    def _instagram_profile(self, ref: ProfileRef) -> dict[str, Any]:
        items = self.run(settings.APIFY_INSTAGRAM_PROFILE_ACTOR, {"usernames": [ref.username]})
        return self._single(items, ref)

    def _tiktok_profile_items(self, ref: ProfileRef, limit: int) -> list[dict[str, Any]]:
        items = self.run(
            settings.APIFY_TIKTOK_ACTOR,
            {
                "profiles": [ref.username],
                "resultsPerPage": limit,
                "shouldDownloadVideos": False,
                "shouldDownloadCovers": False,
            },
        )
        self._single(items, ref)
        return [item for item in items if not item_error(item)]

    def _single(self, items: list[dict[str, Any]], ref: ProfileRef) -> dict[str, Any]:
        if not items:
            raise NotFound(f"Apify found no {ref.platform} profile {ref.username}.")
        error = item_error(items[0])
        if error is not None:
            raise error
        return items[0]

    def run(self, actor: str, actor_input: dict[str, Any]) -> list[dict[str, Any]]:
        """Run `actor` synchronously and return its dataset items."""
        answer = http.request_json(
            NAME,
            "POST",
            f"{settings.APIFY_BASE_URL.rstrip('/')}/acts/{actor}/run-sync-get-dataset-items",
            params={"format": "json", "clean": "true"},
            json=actor_input,
            headers={"Authorization": f"Bearer {credential('APIFY_TOKEN')}"},
            timeout=(settings.PROVIDER_CONNECT_TIMEOUT_S, settings.APIFY_READ_TIMEOUT_S),
            error_mapper=lambda response, payload: error_for(response.status_code, payload),
        )
        if not isinstance(answer, list):
            raise ProviderError(
                f"Apify: actor {actor} answered {type(answer).__name__}, not items."
            )
        return [item for item in answer if isinstance(item, dict)]
