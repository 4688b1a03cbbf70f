"""What every platform's URL parser shares: the platforms and kinds, the allowed hosts, the
parsed result and its error, and the small helpers on paths and queries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import SplitResult, unquote, urlsplit

PLATFORM_INSTAGRAM: Final = "instagram"
PLATFORM_TIKTOK: Final = "tiktok"
PLATFORM_YOUTUBE: Final = "youtube"
KIND_POST: Final = "post"
KIND_PROFILE: Final = "profile"

Platform = Literal["instagram", "tiktok", "youtube"]
Kind = Literal["post", "profile"]

MAX_URL_LENGTH: Final = 2048

ACCEPTED_FORMS: Final = (
    "Instagram post (instagram.com/p/ID, /reel/ID, /tv/ID) or profile (instagram.com/USER); "
    "TikTok video (tiktok.com/@USER/video/ID, vm.tiktok.com/CODE) or profile (tiktok.com/@USER); "
    "YouTube video (youtube.com/watch?v=ID, youtu.be/ID, /shorts/ID) or channel "
    "(youtube.com/@handle, /channel/UC…, /c/NAME, /user/NAME)."
)

INSTAGRAM_HOSTS = frozenset(
    {"instagram.com", "www.instagram.com", "m.instagram.com", "instagr.am", "www.instagr.am"}
)
# t. and us. serve the old share pages; tiktokv.com is the apps' share domain.
TIKTOK_HOSTS = frozenset(
    {
        "tiktok.com",
        "www.tiktok.com",
        "m.tiktok.com",
        "t.tiktok.com",
        "us.tiktok.com",
        "tiktokv.com",
        "www.tiktokv.com",
    }
)
TIKTOK_SHORT_HOSTS = frozenset({"vm.tiktok.com", "vt.tiktok.com"})
YOUTU_BE = "youtu.be"
YOUTUBE_CONSENT = "consent.youtube.com"
YOUTUBE_HOSTS = frozenset(
    {
        "youtube.com",
        "www.youtube.com",
        "m.youtube.com",
        "music.youtube.com",
        "youtube-nocookie.com",
        "www.youtube-nocookie.com",
        "youtubekids.com",
        "www.youtubekids.com",
        "youtube.googleapis.com",
    }
)

ALLOWED_HOSTS: Final = frozenset(
    INSTAGRAM_HOSTS
    | TIKTOK_HOSTS
    | TIKTOK_SHORT_HOSTS
    | YOUTUBE_HOSTS
    | {YOUTU_BE, YOUTUBE_CONSENT}
)

HOST_PLATFORM: dict[str, Platform] = {
    **dict.fromkeys(INSTAGRAM_HOSTS, PLATFORM_INSTAGRAM),
    **dict.fromkeys(TIKTOK_HOSTS | TIKTOK_SHORT_HOSTS, PLATFORM_TIKTOK),
    **dict.fromkeys(YOUTUBE_HOSTS | {YOUTU_BE, YOUTUBE_CONSENT}, PLATFORM_YOUTUBE),
}

PLATFORM_NAMES: dict[Platform, str] = {
    PLATFORM_INSTAGRAM: "Instagram",
    PLATFORM_TIKTOK: "TikTok",
    PLATFORM_YOUTUBE: "YouTube",
}

# Consent walls and login walls wrap the real URL; they may wrap each other,
# but never legitimately more than a couple of times.
MAX_NESTING = 3

SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# Pages and feeds sometimes hand out HTML-escaped hrefs (watch?v=ID&amp;t=10).
# Only ampersands are unescaped: html.unescape would also turn "&copy=" into "©=".
ESCAPED_AMPERSAND_RE = re.compile(r"&(?:amp|#0*38|#x0*26);", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedURL:
    """What a pasted URL points at, with the one URL that identifies it."""

    platform: Platform
    kind: Kind
    post_id: str | None
    username: str | None
    canonical_url: str
    needs_redirect: bool = False
    is_short: bool = False


class UnsupportedURL(ValueError):
    """The input is not a URL of a post or profile we can track.

    ``reason`` says what was wrong; the message adds the accepted forms so
    the user knows what to paste instead.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"Not a supported URL: {reason}. Accepted: {ACCEPTED_FORMS}")

    def __reduce__(self) -> tuple[type[UnsupportedURL], tuple[str]]:
        # Rebuild from the reason, not the message, so pickling (job queues)
        # does not nest the message inside itself.
        return (type(self), (self.reason,))


def is_allowed_host(host: str) -> bool:
    """Return True if ``host`` is one of the platform hostnames in ALLOWED_HOSTS.

    Case-insensitive and tolerant of a trailing dot; subdomains and lookalikes
    (``instagram.com.evil.com``) are not allowed.
    """
    if not host:
        return False
    return host.lower().rstrip(".") in ALLOWED_HOSTS


@dataclass(frozen=True)
class Follow:
    """A platform parser's answer for a consent, login or attribution page: parse `target` (made
    absolute on `base`) as long as it stays on `platform`. The dispatcher follows it, so the
    platform modules never import it back."""

    target: str | None
    base: str
    platform: Platform
    what: str


def post_ref(platform: Platform, post_id: str | None, username: str | None, url: str, **flags):
    """A ParsedURL of a post (`flags`: `needs_redirect`, `is_short`)."""
    return ParsedURL(
        platform=platform,
        kind=KIND_POST,
        post_id=post_id,
        username=username,
        canonical_url=url,
        **flags,
    )


def profile_ref(platform: Platform, username: str, url: str) -> ParsedURL:
    """A ParsedURL of a profile."""
    return ParsedURL(
        platform=platform, kind=KIND_PROFILE, post_id=None, username=username, canonical_url=url
    )


def split(text: str) -> tuple[SplitResult, str]:
    """Split ``text`` as an http(s) URL, adding a scheme when it has none."""
    if text.startswith("//"):
        text = "https:" + text
    else:
        match = SCHEME_RE.match(text)
        # "instagram.com:443/p/ID" is a bare host with a port, not a scheme.
        if match and "." not in match.group(1):
            scheme = match.group(1).lower()
            if scheme not in ("http", "https"):
                raise UnsupportedURL(f"the {scheme}: scheme is not allowed, only http and https")
        else:
            text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        raise UnsupportedURL("the URL is malformed") from exc
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsupportedURL("the URL has no host")
    return parts, host


def path_segments(path: str) -> list[str]:
    """Decoded, non-empty path segments with "." and ".." resolved as a browser would."""
    segments: list[str] = []
    for raw in path.split("/"):
        segment = unquote(raw)
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    return segments


def path(segments: list[str]) -> str:
    return "/" + "/".join(segments)


def first(query: list[tuple[str, str]], key: str) -> str | None:
    # The first occurrence wins, as on the platforms themselves.
    for name, value in query:
        if name == key:
            return value
    return None


def quote(value: str, limit: int = 60) -> str:
    # Echo user input in messages, but never a whole 2 KB paste.
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return f"'{value}'"


def strip_html(segment: str) -> str:
    return segment[: -len(".html")] if segment.lower().endswith(".html") else segment
