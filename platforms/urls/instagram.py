"""Instagram: posts (/p/, /reel/, /tv/), share links and profiles."""

from __future__ import annotations

import re

from .common import (
    PLATFORM_INSTAGRAM,
    Follow,
    ParsedURL,
    UnsupportedURL,
    first,
    path,
    post_ref,
    profile_ref,
    quote,
)

_IG_SHORTCODE_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_IG_USERNAME_RE = re.compile(r"[a-z0-9._]{1,30}")
_IG_POST_TYPES = frozenset({"p", "reel", "reels", "tv"})
# Deep-link prefixes that carry no meaning of their own (/dm/p/ID, /_u/USER).
_IG_IGNORED_PREFIXES = frozenset({"dm", "_u"})
_IG_EPHEMERAL = frozenset({"stories", "s"})
_IG_PROFILE_TABS = frozenset(
    {"reels", "tagged", "profilecard", "saved", "guides", "channel", "feed", "igtv"}
)
_IG_RESERVED = frozenset(
    {
        "about",
        "accounts",
        "api",
        "challenge",
        "developer",
        "direct",
        "directory",
        "dm",
        "embed",
        "emails",
        "explore",
        "graphql",
        "help",
        "legal",
        "locations",
        "oauth",
        "press",
        "privacy",
        "session",
        "share",
        "static",
        "terms",
        "web",
        "_u",
    }
    | _IG_POST_TYPES
    | _IG_EPHEMERAL
)
_IG_EPHEMERAL_REASON = "Instagram stories and highlights are ephemeral and cannot be tracked"


def parse_instagram(segments: list[str], query: list[tuple[str, str]]) -> ParsedURL | Follow:
    while segments and segments[0].lower() in _IG_IGNORED_PREFIXES:
        segments = segments[1:]
    if not segments:
        raise UnsupportedURL("the Instagram URL names no post or profile")
    lowered = [s.lower() for s in segments]
    head = lowered[0]

    if head in _IG_EPHEMERAL:
        raise UnsupportedURL(_IG_EPHEMERAL_REASON)
    if head == "share":
        return _instagram_share(segments[1:])
    if head == "accounts" and first(query, "next"):
        # Logged-out visitors land on /accounts/login/?next=/p/ID/.
        return Follow(
            first(query, "next"), "https://www.instagram.com", PLATFORM_INSTAGRAM, "login page"
        )
    if head in _IG_POST_TYPES:
        return _instagram_post(segments, 0, username=None)
    # /USER/reels/ is the profile's reels tab; /USER/reel/ID is a post.
    is_profile_tab = len(segments) == 2 and lowered[1] in _IG_PROFILE_TABS
    if len(segments) >= 2 and lowered[1] in _IG_POST_TYPES and not is_profile_tab:
        return _instagram_post(segments, 1, username=_instagram_username(segments[0]))

    username = _instagram_username(segments[0])
    if len(segments) > 2 or (len(segments) == 2 and lowered[1] not in _IG_PROFILE_TABS):
        raise UnsupportedURL(f"{quote(path(segments))} is not an Instagram post or profile page")
    return profile_ref(PLATFORM_INSTAGRAM, username, f"https://www.instagram.com/{username}/")


def _instagram_post(segments: list[str], index: int, username: str | None) -> ParsedURL:
    post_type = segments[index].lower()
    if len(segments) <= index + 1:
        if post_type == "reels":
            raise UnsupportedURL("/reels/ is Instagram's reels feed, not a post")
        raise UnsupportedURL(f"the Instagram URL has no post id after /{post_type}/")
    shortcode = segments[index + 1]
    if post_type == "reels" and shortcode.lower() == "audio":
        raise UnsupportedURL("Instagram audio pages are not posts")
    if not _IG_SHORTCODE_RE.fullmatch(shortcode):
        raise UnsupportedURL(f"{quote(shortcode)} is not a valid Instagram post id")
    # Whatever follows the shortcode (/embed/, /embed/captioned/, /c/COMMENT/,
    # /liked_by/) is a view of the same post. Shortcodes are case-sensitive.
    return post_ref(
        PLATFORM_INSTAGRAM, shortcode, username, f"https://www.instagram.com/p/{shortcode}/"
    )


def _instagram_share(rest: list[str]) -> ParsedURL:
    # /share/CODE, /share/p/CODE, /share/reel/CODE: the code is a redirect
    # token, not the post's shortcode, so it has to be followed first.
    post_type = ""
    if rest and rest[0].lower() in _IG_POST_TYPES:
        post_type = rest[0].lower() + "/"
        rest = rest[1:]
    if not rest:
        raise UnsupportedURL("the Instagram share link has no code")
    code = rest[0]
    if not _IG_SHORTCODE_RE.fullmatch(code):
        raise UnsupportedURL(f"{quote(code)} is not a valid Instagram share code")
    return post_ref(
        PLATFORM_INSTAGRAM,
        None,
        None,
        f"https://www.instagram.com/share/{post_type}{code}/",
        needs_redirect=True,
    )


def _instagram_username(raw: str) -> str:
    username = raw.lower()
    if username in _IG_RESERVED:
        raise UnsupportedURL(f"/{username}/ is an Instagram page, not a profile")
    if not _IG_USERNAME_RE.fullmatch(username):
        raise UnsupportedURL(f"{quote(raw)} is not a valid Instagram username")
    return username
