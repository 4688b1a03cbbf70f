"""YouTube: videos (watch, shorts, embeds, youtu.be) and channels (handles, ids, names)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qsl

from .common import (
    PLATFORM_YOUTUBE,
    Follow,
    ParsedURL,
    UnsupportedURL,
    first,
    path,
    path_segments,
    post_ref,
    profile_ref,
    quote,
)

_YT_VIDEO_ID_RE = re.compile(r"[A-Za-z0-9_-]{11}")
_YT_CHANNEL_ID_RE = re.compile(r"UC[A-Za-z0-9_-]{22}")
# Handles allow letters of any script, digits, "_", "-", "." and the middle dot.
_YT_HANDLE_RE = re.compile(r"[\w.\-\u00b7]{1,100}")
_YT_LEGACY_NAME_RE = re.compile(r"[\w.\-]{1,100}")
# At the root no dots: /robots.txt or /sw.js are files, not channels.
_YT_ROOT_NAME_RE = re.compile(r"[\w\-]{1,100}")
_YT_VIDEO_PATHS = frozenset({"shorts", "live", "embed", "v", "e"})
# Pages that show one video from a `v=` query (the popup player, old movie pages).
_YT_WATCH_PATHS = frozenset({"watch", "watch_popup", "movie", "movie_popup"})
# First path segments that are YouTube's own pages, so never a legacy channel name
# (youtube.com/NAME is the old custom URL of a channel).
_YT_RESERVED = frozenset(
    {
        "about",
        "account",
        "ads",
        "api",
        "attribution_link",
        "browse",
        "c",
        "channel",
        "clip",
        "create_channel",
        "creators",
        "e",
        "embed",
        "explore",
        "feed",
        "feeds",
        "gaming",
        "get_video_info",
        "hashtag",
        "howyoutubeworks",
        "iframe_api",
        "index",
        "kids",
        "live",
        "logout",
        "movie",
        "movie_popup",
        "movies",
        "music",
        "new",
        "oembed",
        "oops",
        "paid_memberships",
        "playlist",
        "post",
        "premium",
        "redirect",
        "reporthistory",
        "results",
        "s",
        "search",
        "shared",
        "shorts",
        "signin",
        "source",
        "storefront",
        "t",
        "trending",
        "upload",
        "user",
        "v",
        "w",
        "watch",
        "watch_popup",
        "yt",
        "youtubei",
    }
)
_YT_CHANNEL_TABS = frozenset(
    {
        "about",
        "home",
        "join",
        "membership",
        "channels",
        "community",
        "courses",
        "featured",
        "live",
        "playlists",
        "podcasts",
        "posts",
        "releases",
        "search",
        "shorts",
        "store",
        "streams",
        "videos",
    }
)


def parse_youtu_be(segments: list[str]) -> ParsedURL:
    if not segments:
        raise UnsupportedURL("the youtu.be link has no video id")
    return _youtube_video(segments[0])


def youtube_fragment(
    segments: list[str], query: list[tuple[str, str]], fragment: str
) -> tuple[list[str], list[tuple[str, str]]]:
    """Old pages kept the video in the fragment: `youtube.com/#/watch?v=ID`, `/watch#!v=ID`."""
    if first(query, "v") is not None or not fragment:
        return segments, query
    fragment = fragment.lstrip("!")
    if fragment.startswith("/") and not segments:
        frag_path, _, frag_query = fragment.partition("?")
        return path_segments(frag_path), parse_qsl(frag_query, keep_blank_values=True)
    if fragment.startswith("v=") or "&v=" in fragment:
        return segments, query + parse_qsl(fragment, keep_blank_values=True)
    return segments, query


def parse_youtube(segments: list[str], query: list[tuple[str, str]]) -> ParsedURL | Follow:
    if not segments:
        if first(query, "v") is not None:
            # youtube.com/?v=ID, as old embeds and redirects wrote it.
            return _youtube_video(first(query, "v") or "")
        raise UnsupportedURL("the YouTube URL names no video or channel")
    lowered = [s.lower() for s in segments]
    found = _youtube_video_page(segments, lowered, query) or _youtube_channel_page(
        segments, lowered
    )
    if found is None:
        raise UnsupportedURL(f"{quote(path(segments))} is not a YouTube video or channel page")
    return found


def _youtube_video_page(
    segments: list[str], lowered: list[str], query: list[tuple[str, str]]
) -> ParsedURL | Follow | None:
    """A video's page, player or share link; None if the path is not one."""
    head = lowered[0]
    if head in _YT_WATCH_PATHS:
        raw = first(query, "v")
        if raw is None and len(segments) >= 2:
            raw = segments[1]
        if raw is None and first(query, "list") is not None:
            raise UnsupportedURL("YouTube playlists are not supported; paste one of its videos")
        if raw is None:
            raise UnsupportedURL("the YouTube watch URL has no v= video id")
        return _youtube_video(raw)
    if head in _YT_VIDEO_PATHS:
        if len(segments) < 2:
            raise UnsupportedURL(f"the YouTube URL has no video id after /{head}/")
        if head == "embed" and lowered[1] == "videoseries":
            raise UnsupportedURL("YouTube playlists are not supported; paste one of its videos")
        if head == "embed" and lowered[1] == "live_stream":
            raise UnsupportedURL(
                "a channel's live-stream embed shows whatever is live now and cannot be tracked; "
                "paste the channel or one of its videos"
            )
        return _youtube_video(segments[1], is_short=head == "shorts")
    if head == "playlist":
        raw = first(query, "v")
        if raw is None:
            raise UnsupportedURL("YouTube playlists are not supported; paste one of its videos")
        return _youtube_video(raw)
    if head == "attribution_link":
        # Old share links: /attribution_link?u=/watch%3Fv%3DID%26feature%3Dshare
        return Follow(
            first(query, "u"), "https://www.youtube.com", PLATFORM_YOUTUBE, "attribution link"
        )

    if head == "clip":
        raise UnsupportedURL("YouTube clips are not supported; paste the video they come from")
    return None


def _youtube_channel_page(segments: list[str], lowered: list[str]) -> ParsedURL | None:
    """A channel's page (by id, handle, legacy or custom name, any tab); None if not one."""
    head = lowered[0]
    if head == "browse" and len(segments) == 2 and _YT_CHANNEL_ID_RE.fullmatch(segments[1]):
        # music.youtube.com/browse/UC… is the channel's page on YouTube Music.
        return _youtube_channel(segments[1], f"https://www.youtube.com/channel/{segments[1]}")

    is_channel_page = len(segments) == 1 or (len(segments) == 2 and lowered[1] in _YT_CHANNEL_TABS)
    if head.startswith("@"):
        if not is_channel_page:
            raise UnsupportedURL(f"{quote(path(segments))} is not a YouTube channel page")
        # Handles are case-insensitive and may be in any script; NFC makes a
        # composed and a decomposed "é" the same handle.
        handle = unicodedata.normalize("NFC", segments[0][1:]).lower()
        if not _YT_HANDLE_RE.fullmatch(handle):
            raise UnsupportedURL(f"{quote(segments[0])} is not a valid YouTube handle")
        return _youtube_channel(handle, f"https://www.youtube.com/@{handle}")
    if head in ("channel", "c", "user"):
        if len(segments) < 2:
            raise UnsupportedURL(f"the YouTube URL has no channel after /{head}/")
        name, tail = segments[1], segments[2:]
        if len(tail) > 1 or (tail and tail[0].lower() not in _YT_CHANNEL_TABS):
            raise UnsupportedURL(f"{quote(path(segments))} is not a YouTube channel page")
        if head == "channel":
            if not _YT_CHANNEL_ID_RE.fullmatch(name):
                raise UnsupportedURL(
                    f"{quote(name)} is not a YouTube channel id (UC + 22 characters)"
                )
        elif not _YT_LEGACY_NAME_RE.fullmatch(name):
            raise UnsupportedURL(f"{quote(name)} is not a valid YouTube channel name")
        return _youtube_channel(name, f"https://www.youtube.com/{head}/{name}")
    if head not in _YT_RESERVED and is_channel_page and _YT_ROOT_NAME_RE.fullmatch(segments[0]):
        # youtube.com/NAME is the old custom URL, the same channel as /c/NAME.
        return _youtube_channel(segments[0], f"https://www.youtube.com/c/{segments[0]}")
    return None


def _youtube_video(raw: str, is_short: bool = False) -> ParsedURL:
    # Old flash embeds put parameters in the path: /v/ID&hl=en_US&fs=1
    video_id = raw.split("&", 1)[0].split(";", 1)[0]
    if not _YT_VIDEO_ID_RE.fullmatch(video_id):
        raise UnsupportedURL(
            f"{quote(raw)} is not a YouTube video id (11 letters, digits, '-' or '_')"
        )
    return post_ref(
        PLATFORM_YOUTUBE,
        video_id,
        None,
        f"https://www.youtube.com/watch?v={video_id}",
        is_short=is_short,
    )


def _youtube_channel(username: str, canonical_url: str) -> ParsedURL:
    return profile_ref(PLATFORM_YOUTUBE, username, canonical_url)
