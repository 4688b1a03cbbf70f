"""yt-dlp as a library, for all three platforms, with no key.

One thin function, `extract_info`, calls yt-dlp; everything else maps its info dicts, so tests
feed recorded info dicts through the same mapping. Often blocked from datacenter IPs; Instagram
profile listings do not work and TikTok `/photo/` posts are not supported.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings

from platforms import http

from .base import (
    Capabilities,
    LoginRequired,
    NotFound,
    PostRef,
    PostResult,
    PostStats,
    Private,
    ProfileRef,
    ProfileStats,
    Provider,
    ProviderError,
    RateLimited,
    TemporaryError,
)
from .mapping import detect_format, first, to_datetime, to_float, to_int, yyyymmdd_to_datetime

NAME = "ytdlp"
_AUDIO_EXTS = {"m4a", "mp3", "aac", "opus", "ogg", "wav"}
_VIDEO_EXTS = {"mp4", "webm", "mkv", "mov", "flv", "m3u8", "mhtml"}

# yt-dlp's error messages, first match wins.
_ERROR_PATTERNS: list[tuple[re.Pattern[str], type[ProviderError]]] = [
    (re.compile(r"HTTP Error 429|Too Many Requests|rate-limit", re.I), RateLimited),
    (re.compile(r"private (video|account)|this account is private|is private", re.I), Private),
    (
        re.compile(
            r"login required|log in|sign in to confirm|requested content is not available"
            r"|cookies",
            re.I,
        ),
        LoginRequired,
    ),
    (
        re.compile(
            r"video unavailable|has been removed|does not exist|not found|HTTP Error 404"
            r"|no longer available|account .*terminated",
            re.I,
        ),
        NotFound,
    ),
    (re.compile(r"timed out|timeout|connection|temporar|HTTP Error 5\d\d", re.I), TemporaryError),
]


def extract_info(url: str, *, flat: bool = False, limit: int | None = None) -> dict[str, Any]:
    """The one call into yt-dlp: the info dict of `url`, no download (replaced in tests).

    `flat` lists a channel's or user's entries without resolving each (`extract_flat`);
    `limit` stops a listing after that many entries. yt-dlp errors become typed errors.
    """
    import yt_dlp

    options: dict[str, Any] = {
        "skip_download": True,
        "ignore_no_formats_error": True,
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        "socket_timeout": settings.YTDLP_SOCKET_TIMEOUT_S,
    }
    if flat:
        options["extract_flat"] = "in_playlist"
    if limit:
        options["playlistend"] = limit
    try:
        with yt_dlp.YoutubeDL(options) as ydl:
            info = ydl.extract_info(url, download=False)
            info = ydl.sanitize_info(info) if isinstance(info, dict) else None
    except yt_dlp.utils.DownloadError as exc:
        raise error_for(str(exc)) from exc
    if not info:
        raise ProviderError(f"yt-dlp returned nothing for {url}.")
    return info


def error_for(message: str) -> ProviderError:
    """The typed error a yt-dlp error message means (private, gone, login wall, 429…)."""
    text = re.sub(r"^ERROR:\s*", "", message.strip())
    for pattern, error_class in _ERROR_PATTERNS:
        if pattern.search(text):
            return error_class(f"yt-dlp: {text}")
    return ProviderError(f"yt-dlp: {text}")


# --- Mapping (pure) ---------------------------------------------------------------------------
def map_post(info: dict[str, Any], platform: str, *, ref: PostRef | None = None) -> PostStats:
    """An info dict (a video, an Instagram multi-media post, a flat listing entry) as
    PostStats. Counters the extractor did not give stay None."""
    url = info.get("webpage_url") or info.get("original_url") or info.get("url") or ""
    if not url and ref:
        url = ref.url
    width, height = to_int(info.get("width")), to_int(info.get("height"))
    aspect_w, aspect_h = (width, height) if width and height else _thumbnail_size(info)
    base_format, content_type = detect_format(
        is_carousel=_is_carousel(info, platform, ref),
        is_video=_is_video(info),
        width=aspect_w,
        height=aspect_h,
        is_short=_is_short(info, platform, url, ref),
    )
    timestamp = to_datetime(info.get("timestamp")) or yyyymmdd_to_datetime(info.get("upload_date"))
    return PostStats(
        platform=platform,
        post_id=str(info.get("id") or (ref.post_id if ref else "")),
        url=ref.url if ref else (url or None),
        username=_username(info, platform) or (ref.username if ref else None),
        author_id=str(info["channel_id"]) if info.get("channel_id") else None,
        post_date=timestamp,
        caption=_caption(info, platform),
        thumbnail_url=_thumbnail(info),
        duration_s=to_float(info.get("duration")),
        width=width,
        height=height,
        views=to_int(info.get("view_count")),
        likes=to_int(info.get("like_count")),
        comments=to_int(info.get("comment_count")),
        shares=to_int(info.get("repost_count")) if platform == "tiktok" else None,
        base_format=base_format,
        content_type=content_type,
        followers=to_int(info.get("channel_follower_count")),
        source=NAME,
    )


def map_channel(info: dict[str, Any]) -> ProfileStats:
    """A YouTube channel (tab) info dict as ProfileStats: the follower count is all yt-dlp
    knows of a profile."""
    handle = first(info, "uploader_id") or ""
    handle = handle.lstrip("@").lower() if handle.startswith("@") else ""
    return ProfileStats(
        platform="youtube",
        username=handle or info.get("channel_id") or str(info.get("id") or ""),
        external_id=info.get("channel_id"),
        full_name=info.get("channel") or info.get("uploader"),
        biography=info.get("description"),
        is_verified=info.get("channel_is_verified"),
        followers=to_int(info.get("channel_follower_count")),
        source=NAME,
    )


def map_listing(info: dict[str, Any], platform: str, limit: int) -> list[PostStats]:
    """A flat listing (a YouTube tab, a TikTok user) as PostStats of its first `limit` entries.

    Flat entries carry little (often only a view count): the rest stays None.
    """
    owner = info.get("uploader_id") or info.get("title") if platform == "tiktok" else None
    posts = []
    for entry in (info.get("entries") or [])[:limit]:
        if not isinstance(entry, dict) or not entry.get("id"):
            continue
        stats = map_post(entry, platform)
        if platform == "tiktok" and not stats.username and owner:
            stats.username = str(owner).lstrip("@").lower()
        posts.append(stats)
    return posts


def _is_carousel(info: dict[str, Any], platform: str, ref: PostRef | None) -> bool:
    if info.get("_type") == "playlist" and platform == "instagram":
        return True
    if platform == "tiktok":
        url = info.get("webpage_url") or (ref.url if ref else "")
        # A TikTok photo post comes back as its soundtrack alone.
        return "/photo/" in url or _is_audio_only(info)
    return False


def _is_audio_only(info: dict[str, Any]) -> bool:
    if info.get("ext") in _AUDIO_EXTS:
        return True
    formats = info.get("formats") or []
    return bool(formats) and all(f.get("vcodec") == "none" for f in formats)


def _is_video(info: dict[str, Any]) -> bool:
    formats = info.get("formats") or []
    if any(f.get("vcodec") not in (None, "none") for f in formats):
        return True
    return bool(
        info.get("duration")
        or info.get("ext") in _VIDEO_EXTS
        or info.get("_type") == "url"  # a flat entry of a listing of videos
        or info.get("media_type") in ("video", "short", "livestream")
    )


def _is_short(info: dict[str, Any], platform: str, url: str, ref: PostRef | None) -> bool | None:
    if platform == "tiktok":
        return True
    if platform == "instagram":
        return "/reel/" in url or "/reels/" in url or info.get("product_type") == "clips" or None
    media_type = info.get("media_type")
    if media_type == "short" or "/shorts/" in url or (ref and ref.is_short):
        return True
    if media_type in ("video", "livestream"):
        return False
    return None


def _username(info: dict[str, Any], platform: str) -> str | None:
    if platform == "instagram":
        value = info.get("channel")
    elif platform == "tiktok":
        value = info.get("uploader")
    else:
        value = info.get("uploader_id")
        value = value if isinstance(value, str) and value.startswith("@") else None
    return value.lstrip("@").lower() if isinstance(value, str) and value else None


def _caption(info: dict[str, Any], platform: str) -> str | None:
    if platform == "youtube":
        return info.get("title")
    return info.get("description") or info.get("title")


def _thumbnail(info: dict[str, Any]) -> str | None:
    url = info.get("thumbnail")
    if isinstance(url, str) and url.startswith("http"):
        return url
    for thumbnail in reversed(info.get("thumbnails") or []):
        if isinstance(thumbnail, dict) and str(thumbnail.get("url", "")).startswith("http"):
            return thumbnail["url"]
    return None


def _thumbnail_size(info: dict[str, Any]) -> tuple[int | None, int | None]:
    """The largest thumbnail's size: its aspect is the video's when the info has none."""
    sized = [
        (to_int(t.get("width")), to_int(t.get("height")))
        for t in info.get("thumbnails") or []
        if isinstance(t, dict) and to_int(t.get("width")) and to_int(t.get("height"))
    ]
    return max(sized, key=lambda size: size[0] * size[1]) if sized else (None, None)


# --- Provider ---------------------------------------------------------------------------------
class YtDlpProvider(Provider):
    """yt-dlp, no credentials; the last resort of every chain."""

    name = NAME
    capabilities = Capabilities(
        posts=frozenset({"instagram", "tiktok", "youtube"}),
        profiles=frozenset({"youtube"}),
        recent_posts=frozenset({"youtube", "tiktok"}),
    )
    batch_size = 1  # one page per call: the rate limiter counts each

    def fetch_posts(self, refs: list[PostRef]) -> list[PostResult]:
        """Each post's page through yt-dlp; errors are per post, except a 429, which stops
        the batch so the provider is paused."""
        results = []
        for ref in refs:
            try:
                http.ensure_allowed(ref.url)
                stats = map_post(extract_info(ref.url), ref.platform, ref=ref)
            except RateLimited:
                raise
            except ProviderError as error:
                results.append(PostResult(ref=ref, error=error))
            else:
                results.append(PostResult(ref=ref, stats=stats))
        return results

    def fetch_profile(self, ref: ProfileRef) -> ProfileStats:
        """A YouTube channel's follower count (the first entry only, to stay quick)."""
        if ref.platform != "youtube":
            raise ProviderError(f"yt-dlp cannot read {ref.platform} profiles.")
        http.ensure_allowed(ref.url)
        return map_channel(extract_info(ref.url, flat=True, limit=1))

    def list_recent_posts(self, ref: ProfileRef, limit: int) -> list[PostStats | PostRef]:
        """A YouTube channel's videos and shorts tabs, or a TikTok user's videos, flat."""
        http.ensure_allowed(ref.url)
        if ref.platform == "youtube":
            posts: list[PostStats | PostRef] = []
            for tab in ("videos", "shorts"):
                info = extract_info(f"{ref.url.rstrip('/')}/{tab}", flat=True, limit=limit)
                posts.extend(map_listing(info, "youtube", limit))
            return posts
        if ref.platform == "tiktok":
            return list(map_listing(extract_info(ref.url, flat=True, limit=limit), "tiktok", limit))
        raise ProviderError(f"yt-dlp cannot list {ref.platform} profiles.")
