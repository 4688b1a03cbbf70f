"""TikTok: videos and photo posts, short links and profiles."""

from __future__ import annotations

import re

from .common import (
    PLATFORM_TIKTOK,
    ParsedURL,
    UnsupportedURL,
    first,
    path,
    post_ref,
    profile_ref,
    quote,
    strip_html,
)

_TT_VIDEO_ID_RE = re.compile(r"[0-9]{1,20}")
_TT_USERNAME_RE = re.compile(r"[a-z0-9._]{1,24}")
_TT_SHORT_CODE_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Every secUid starts with this (base64 of a fixed header); lower-cased here.
_TT_SECUID_PREFIX = "ms4wljabaaaa"
_TT_POST_TYPES = frozenset({"video", "photo"})
_TT_PROFILE_TABS = frozenset({"posts", "reposts", "liked", "favorites"})
_TT_QUERY_ID_KEYS = ("item_id", "shareId", "share_item_id")


def parse_tiktok_short_host(host: str, segments: list[str]) -> ParsedURL:
    if len(segments) != 1:
        raise UnsupportedURL(f"the {host} short link should be {host}/CODE")
    return _tiktok_short_link(f"https://{host}/", segments[0])


def _tiktok_short_link(prefix: str, code: str) -> ParsedURL:
    if not _TT_SHORT_CODE_RE.fullmatch(code):
        raise UnsupportedURL(f"{quote(code)} is not a valid TikTok short-link code")
    return post_ref(PLATFORM_TIKTOK, None, None, f"{prefix}{code}/", needs_redirect=True)


_TT_LIVE_REASON = "TikTok LIVE is ephemeral and cannot be tracked"


def parse_tiktok(segments: list[str], query: list[tuple[str, str]]) -> ParsedURL:
    if segments and segments[0].lower() in ("i18n", "node"):
        # t.tiktok.com/i18n/share/video/ID and /node/share/video/ID: old share pages.
        segments = segments[1:]
    lowered = [s.lower() for s in segments]
    head = lowered[0] if segments else ""

    if head == "t":
        if len(segments) != 2:
            raise UnsupportedURL("the TikTok short link should be tiktok.com/t/CODE")
        return _tiktok_short_link("https://www.tiktok.com/t/", segments[1])

    if head.startswith("@"):
        handle = segments[0][1:]
        if len(segments) >= 2 and lowered[1] in _TT_POST_TYPES:
            if len(segments) < 3:
                raise UnsupportedURL(f"the TikTok URL has no id after /{lowered[1]}/")
            return _tiktok_post(segments[2], _tiktok_author(handle), lowered[1])
        if len(segments) == 1 or (len(segments) == 2 and lowered[1] in _TT_PROFILE_TABS):
            username = _tiktok_profile_username(handle)
            return profile_ref(PLATFORM_TIKTOK, username, f"https://www.tiktok.com/@{username}")
        if len(segments) == 2 and lowered[1] == "live":
            raise UnsupportedURL(
                f"{_TT_LIVE_REASON}; {quote(path(segments))} is not a TikTok video or profile page"
            )
        raise UnsupportedURL(f"{quote(path(segments))} is not a TikTok video or profile page")

    if head == "v" and len(segments) == 2:
        # m.tiktok.com/v/ID.html, the old mobile share form.
        return _tiktok_post(strip_html(segments[1]), None, "video")
    if head == "share" and len(segments) == 3 and lowered[1] == "video":
        return _tiktok_post(strip_html(segments[2]), None, "video")
    if head == "share" and len(segments) >= 2 and lowered[1] == "live":
        raise UnsupportedURL(_TT_LIVE_REASON)
    if head == "embed" and len(segments) >= 2:
        # /embed/ID and /embed/v2/ID
        raw = segments[2] if lowered[1] == "v2" and len(segments) >= 3 else segments[1]
        return _tiktok_post(raw, None, "video")

    for key in _TT_QUERY_ID_KEYS:
        item_id = first(query, key)
        if item_id:
            return _tiktok_post(item_id, None, "video")
    if not segments:
        raise UnsupportedURL("the TikTok URL names no video or profile")
    if (head == "share" and len(segments) == 3 and lowered[1] == "user") or (
        head == "h5" and len(segments) == 4 and lowered[1:3] == ["share", "usr"]
    ):
        # Old app shares name the account by its number, which no provider looks up.
        raise UnsupportedURL(
            "this TikTok link names the account by its internal number; open it and paste "
            "the tiktok.com/@USERNAME address it shows"
        )
    raise UnsupportedURL(f"{quote(path(segments))} is not a TikTok video or profile page")


def _tiktok_post(raw_id: str, username: str | None, post_type: str) -> ParsedURL:
    if not _TT_VIDEO_ID_RE.fullmatch(raw_id):
        raise UnsupportedURL(f"{quote(raw_id)} is not a TikTok video id (expected digits)")
    # "_" stands in for an unknown author; TikTok resolves the id without it.
    return post_ref(
        PLATFORM_TIKTOK,
        raw_id,
        username,
        f"https://www.tiktok.com/@{username or '_'}/{post_type}/{raw_id}",
    )


def _tiktok_author(handle: str) -> str | None:
    # After "@" a post URL may carry a username, nothing, or a secUid
    # (MS4wLjABAAAA…, ~76 chars); only a real username names the author.
    username = handle.lower()
    if username.startswith(_TT_SECUID_PREFIX) or not _TT_USERNAME_RE.fullmatch(username):
        return None
    if username == "_":
        # Our own placeholder in canonical URLs, read back from one.
        return None
    return username


def _tiktok_profile_username(handle: str) -> str:
    if not handle:
        raise UnsupportedURL("the TikTok profile URL has no username after @")
    username = _tiktok_author(handle)
    if username is None:
        if handle.lower().startswith(_TT_SECUID_PREFIX):
            raise UnsupportedURL(
                "the TikTok profile URL names an internal account id, not a username; "
                "paste tiktok.com/@USERNAME"
            )
        raise UnsupportedURL(f"{quote(handle)} is not a valid TikTok username")
    return username
