"""Turn the post and profile URLs users paste into one canonical form.

Pure: no network, no Django. Short links (``needs_redirect``) are returned as
they are; a later network step follows the redirect and calls
:func:`parse_url` again on where it lands.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from .common import (
    ACCEPTED_FORMS,
    ALLOWED_HOSTS,
    ESCAPED_AMPERSAND_RE,
    HOST_PLATFORM,
    INSTAGRAM_HOSTS,
    KIND_POST,
    KIND_PROFILE,
    MAX_NESTING,
    MAX_URL_LENGTH,
    PLATFORM_INSTAGRAM,
    PLATFORM_NAMES,
    PLATFORM_TIKTOK,
    PLATFORM_YOUTUBE,
    TIKTOK_HOSTS,
    TIKTOK_SHORT_HOSTS,
    YOUTU_BE,
    YOUTUBE_CONSENT,
    YOUTUBE_HOSTS,
    Follow,
    Kind,
    ParsedURL,
    Platform,
    UnsupportedURL,
    first,
    is_allowed_host,
    path_segments,
    quote,
    split,
)
from .instagram import parse_instagram
from .tiktok import parse_tiktok, parse_tiktok_short_host
from .youtube import parse_youtu_be, parse_youtube, youtube_fragment

__all__ = [
    "ACCEPTED_FORMS",
    "ALLOWED_HOSTS",
    "KIND_POST",
    "KIND_PROFILE",
    "MAX_URL_LENGTH",
    "PLATFORM_INSTAGRAM",
    "PLATFORM_TIKTOK",
    "PLATFORM_YOUTUBE",
    "Kind",
    "ParsedURL",
    "Platform",
    "UnsupportedURL",
    "is_allowed_host",
    "parse_url",
]


def parse_url(url: str) -> ParsedURL:
    """Parse a pasted Instagram, TikTok or YouTube URL into a ParsedURL.

    Accepts the forms users paste (any host case, www./m. hosts, missing or
    protocol-relative scheme, tracking parameters, fragments, short links,
    embeds, consent and login walls) and returns the canonical URL, so the
    same post pasted in two forms gives equal results. Raises UnsupportedURL
    with a user-facing message for anything else. Does no network I/O.
    """
    return _parse(url, depth=0)


def _parse(url: str, depth: int) -> ParsedURL:
    if not isinstance(url, str):
        raise UnsupportedURL("expected the URL as text")
    text = url.strip()
    if not text:
        raise UnsupportedURL("the URL is empty")
    if len(text) > MAX_URL_LENGTH:
        raise UnsupportedURL(f"the URL is longer than {MAX_URL_LENGTH} characters")
    while True:
        unescaped = ESCAPED_AMPERSAND_RE.sub("&", text)
        if unescaped == text:
            break
        text = unescaped

    parts, host = split(text)
    if host not in ALLOWED_HOSTS:
        raise UnsupportedURL(f"{quote(host)} is not an Instagram, TikTok or YouTube address")
    if "@" in parts.netloc:
        # https://instagram.com@evil.com/ is a classic phishing shape.
        raise UnsupportedURL("the address contains a user name or password")

    segments = path_segments(parts.path)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if host in YOUTUBE_HOSTS:
        segments, query = youtube_fragment(segments, query, parts.fragment)
    result = _by_host(host, segments, query)
    return _follow(result, depth) if isinstance(result, Follow) else result


def _by_host(host: str, segments: list[str], query: list[tuple[str, str]]) -> ParsedURL | Follow:
    if host in INSTAGRAM_HOSTS:
        return parse_instagram(segments, query)
    if host in TIKTOK_SHORT_HOSTS:
        return parse_tiktok_short_host(host, segments)
    if host in TIKTOK_HOSTS:
        return parse_tiktok(segments, query)
    if host == YOUTU_BE:
        return parse_youtu_be(segments)
    if host == YOUTUBE_CONSENT:
        return Follow(
            first(query, "continue"), "https://www.youtube.com", PLATFORM_YOUTUBE, "consent page"
        )
    return parse_youtube(segments, query)


def _follow(follow: Follow, depth: int) -> ParsedURL:
    """Parse the URL wrapped by a consent or login page, if it stays on its platform."""
    target, base, platform, what = follow.target, follow.base, follow.platform, follow.what
    if not target:
        raise UnsupportedURL(f"the {what} does not say which page it leads to")
    if depth >= MAX_NESTING:
        raise UnsupportedURL(f"the {what} wraps too many redirects")
    if target.startswith("/") and not target.startswith("//"):
        target = base + target
    _, host = split(target.strip())
    if HOST_PLATFORM.get(host) != platform:
        raise UnsupportedURL(f"the {what} leads away from {PLATFORM_NAMES[platform]}")
    return _parse(target, depth + 1)
