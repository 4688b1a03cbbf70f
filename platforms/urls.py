"""Turn the post and profile URLs users paste into one canonical form.

Pure: no network, no Django. Short links (``needs_redirect``) are returned as
they are; a later network step follows the redirect and calls
:func:`parse_url` again on where it lands.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

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
    "(youtube.com/@handle, /channel/UC…)."
)

_INSTAGRAM_HOSTS = frozenset({"instagram.com", "www.instagram.com", "m.instagram.com"})
_TIKTOK_HOSTS = frozenset({"tiktok.com", "www.tiktok.com", "m.tiktok.com"})
_TIKTOK_SHORT_HOSTS = frozenset({"vm.tiktok.com", "vt.tiktok.com"})
_YOUTU_BE = "youtu.be"
_YOUTUBE_CONSENT = "consent.youtube.com"
_YOUTUBE_HOSTS = frozenset(
    {
        "youtube.com",
        "www.youtube.com",
        "m.youtube.com",
        "music.youtube.com",
        "youtube-nocookie.com",
        "www.youtube-nocookie.com",
    }
)

ALLOWED_HOSTS: Final = frozenset(
    _INSTAGRAM_HOSTS
    | _TIKTOK_HOSTS
    | _TIKTOK_SHORT_HOSTS
    | _YOUTUBE_HOSTS
    | {_YOUTU_BE, _YOUTUBE_CONSENT}
)

_HOST_PLATFORM: dict[str, Platform] = {
    **dict.fromkeys(_INSTAGRAM_HOSTS, PLATFORM_INSTAGRAM),
    **dict.fromkeys(_TIKTOK_HOSTS | _TIKTOK_SHORT_HOSTS, PLATFORM_TIKTOK),
    **dict.fromkeys(_YOUTUBE_HOSTS | {_YOUTU_BE, _YOUTUBE_CONSENT}, PLATFORM_YOUTUBE),
}

_PLATFORM_NAMES: dict[Platform, str] = {
    PLATFORM_INSTAGRAM: "Instagram",
    PLATFORM_TIKTOK: "TikTok",
    PLATFORM_YOUTUBE: "YouTube",
}

# Consent walls and login walls wrap the real URL; they may wrap each other,
# but never legitimately more than a couple of times.
_MAX_NESTING = 3

_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# Pages and feeds sometimes hand out HTML-escaped hrefs (watch?v=ID&amp;t=10).
# Only ampersands are unescaped: html.unescape would also turn "&copy=" into "©=".
_ESCAPED_AMPERSAND_RE = re.compile(r"&(?:amp|#0*38|#x0*26);", re.IGNORECASE)

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

_TT_VIDEO_ID_RE = re.compile(r"[0-9]{1,20}")
_TT_USERNAME_RE = re.compile(r"[a-z0-9._]{1,24}")
_TT_SHORT_CODE_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Every secUid starts with this (base64 of a fixed header); lower-cased here.
_TT_SECUID_PREFIX = "ms4wljabaaaa"
_TT_POST_TYPES = frozenset({"video", "photo"})
_TT_PROFILE_TABS = frozenset({"posts", "reposts", "liked", "favorites"})
_TT_QUERY_ID_KEYS = ("item_id", "shareId", "share_item_id")

_YT_VIDEO_ID_RE = re.compile(r"[A-Za-z0-9_-]{11}")
_YT_CHANNEL_ID_RE = re.compile(r"UC[A-Za-z0-9_-]{22}")
# Handles allow letters of any script, digits, "_", "-", "." and the middle dot.
_YT_HANDLE_RE = re.compile(r"[\w.\-\u00b7]{1,100}")
_YT_LEGACY_NAME_RE = re.compile(r"[\w.\-]{1,100}")
_YT_VIDEO_PATHS = frozenset({"shorts", "live", "embed", "v", "e"})
_YT_CHANNEL_TABS = frozenset(
    {
        "about",
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
        unescaped = _ESCAPED_AMPERSAND_RE.sub("&", text)
        if unescaped == text:
            break
        text = unescaped

    parts, host = _split(text)
    if host not in ALLOWED_HOSTS:
        raise UnsupportedURL(f"{_quote(host)} is not an Instagram, TikTok or YouTube address")
    if "@" in parts.netloc:
        # https://instagram.com@evil.com/ is a classic phishing shape.
        raise UnsupportedURL("the address contains a user name or password")

    segments = _path_segments(parts.path)
    query = parse_qsl(parts.query, keep_blank_values=True)

    if host in _INSTAGRAM_HOSTS:
        return _parse_instagram(segments, query, depth)
    if host in _TIKTOK_SHORT_HOSTS:
        return _parse_tiktok_short_host(host, segments)
    if host in _TIKTOK_HOSTS:
        return _parse_tiktok(segments, query)
    if host == _YOUTU_BE:
        return _parse_youtu_be(segments)
    if host == _YOUTUBE_CONSENT:
        target = _first(query, "continue")
        return _follow(target, "https://www.youtube.com", PLATFORM_YOUTUBE, depth, "consent page")
    return _parse_youtube(segments, query, depth)


def _split(text: str) -> tuple[SplitResult, str]:
    """Split ``text`` as an http(s) URL, adding a scheme when it has none."""
    if text.startswith("//"):
        text = "https:" + text
    else:
        match = _SCHEME_RE.match(text)
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


def _path_segments(path: str) -> list[str]:
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


def _follow(target: str | None, base: str, platform: Platform, depth: int, what: str) -> ParsedURL:
    """Parse the URL wrapped by a consent or login page, if it stays on ``platform``."""
    if not target:
        raise UnsupportedURL(f"the {what} does not say which page it leads to")
    if depth >= _MAX_NESTING:
        raise UnsupportedURL(f"the {what} wraps too many redirects")
    if target.startswith("/") and not target.startswith("//"):
        target = base + target
    _, host = _split(target.strip())
    if _HOST_PLATFORM.get(host) != platform:
        raise UnsupportedURL(f"the {what} leads away from {_PLATFORM_NAMES[platform]}")
    return _parse(target, depth + 1)


def _path(segments: list[str]) -> str:
    return "/" + "/".join(segments)


def _first(query: list[tuple[str, str]], key: str) -> str | None:
    # The first occurrence wins, as on the platforms themselves.
    for name, value in query:
        if name == key:
            return value
    return None


def _quote(value: str, limit: int = 60) -> str:
    # Echo user input in messages, but never a whole 2 KB paste.
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return f"'{value}'"


# Instagram


def _parse_instagram(segments: list[str], query: list[tuple[str, str]], depth: int) -> ParsedURL:
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
    if head == "accounts" and _first(query, "next"):
        # Logged-out visitors land on /accounts/login/?next=/p/ID/.
        return _follow(
            _first(query, "next"),
            "https://www.instagram.com",
            PLATFORM_INSTAGRAM,
            depth,
            "login page",
        )
    if head in _IG_POST_TYPES:
        return _instagram_post(segments, 0, username=None)
    # /USER/reels/ is the profile's reels tab; /USER/reel/ID is a post.
    is_profile_tab = len(segments) == 2 and lowered[1] in _IG_PROFILE_TABS
    if len(segments) >= 2 and lowered[1] in _IG_POST_TYPES and not is_profile_tab:
        return _instagram_post(segments, 1, username=_instagram_username(segments[0]))

    username = _instagram_username(segments[0])
    if len(segments) > 2 or (len(segments) == 2 and lowered[1] not in _IG_PROFILE_TABS):
        raise UnsupportedURL(f"{_quote(_path(segments))} is not an Instagram post or profile page")
    return ParsedURL(
        platform=PLATFORM_INSTAGRAM,
        kind=KIND_PROFILE,
        post_id=None,
        username=username,
        canonical_url=f"https://www.instagram.com/{username}/",
    )


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
        raise UnsupportedURL(f"{_quote(shortcode)} is not a valid Instagram post id")
    # Whatever follows the shortcode (/embed/, /embed/captioned/, /c/COMMENT/,
    # /liked_by/) is a view of the same post. Shortcodes are case-sensitive.
    return ParsedURL(
        platform=PLATFORM_INSTAGRAM,
        kind=KIND_POST,
        post_id=shortcode,
        username=username,
        canonical_url=f"https://www.instagram.com/p/{shortcode}/",
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
        raise UnsupportedURL(f"{_quote(code)} is not a valid Instagram share code")
    return ParsedURL(
        platform=PLATFORM_INSTAGRAM,
        kind=KIND_POST,
        post_id=None,
        username=None,
        canonical_url=f"https://www.instagram.com/share/{post_type}{code}/",
        needs_redirect=True,
    )


def _instagram_username(raw: str) -> str:
    username = raw.lower()
    if username in _IG_RESERVED:
        raise UnsupportedURL(f"/{username}/ is an Instagram page, not a profile")
    if not _IG_USERNAME_RE.fullmatch(username):
        raise UnsupportedURL(f"{_quote(raw)} is not a valid Instagram username")
    return username


# TikTok


def _parse_tiktok_short_host(host: str, segments: list[str]) -> ParsedURL:
    if len(segments) != 1:
        raise UnsupportedURL(f"the {host} short link should be {host}/CODE")
    return _tiktok_short_link(f"https://{host}/", segments[0])


def _tiktok_short_link(prefix: str, code: str) -> ParsedURL:
    if not _TT_SHORT_CODE_RE.fullmatch(code):
        raise UnsupportedURL(f"{_quote(code)} is not a valid TikTok short-link code")
    return ParsedURL(
        platform=PLATFORM_TIKTOK,
        kind=KIND_POST,
        post_id=None,
        username=None,
        canonical_url=f"{prefix}{code}/",
        needs_redirect=True,
    )


def _parse_tiktok(segments: list[str], query: list[tuple[str, str]]) -> ParsedURL:
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
            return ParsedURL(
                platform=PLATFORM_TIKTOK,
                kind=KIND_PROFILE,
                post_id=None,
                username=username,
                canonical_url=f"https://www.tiktok.com/@{username}",
            )
        raise UnsupportedURL(f"{_quote(_path(segments))} is not a TikTok video or profile page")

    if head == "v" and len(segments) == 2:
        # m.tiktok.com/v/ID.html, the old mobile share form.
        return _tiktok_post(_strip_html(segments[1]), None, "video")
    if head == "share" and len(segments) == 3 and lowered[1] == "video":
        return _tiktok_post(_strip_html(segments[2]), None, "video")
    if head == "embed" and len(segments) >= 2:
        # /embed/ID and /embed/v2/ID
        raw = segments[2] if lowered[1] == "v2" and len(segments) >= 3 else segments[1]
        return _tiktok_post(raw, None, "video")

    for key in _TT_QUERY_ID_KEYS:
        item_id = _first(query, key)
        if item_id:
            return _tiktok_post(item_id, None, "video")
    if not segments:
        raise UnsupportedURL("the TikTok URL names no video or profile")
    raise UnsupportedURL(f"{_quote(_path(segments))} is not a TikTok video or profile page")


def _tiktok_post(raw_id: str, username: str | None, post_type: str) -> ParsedURL:
    if not _TT_VIDEO_ID_RE.fullmatch(raw_id):
        raise UnsupportedURL(f"{_quote(raw_id)} is not a TikTok video id (expected digits)")
    # "_" stands in for an unknown author; TikTok resolves the id without it.
    return ParsedURL(
        platform=PLATFORM_TIKTOK,
        kind=KIND_POST,
        post_id=raw_id,
        username=username,
        canonical_url=f"https://www.tiktok.com/@{username or '_'}/{post_type}/{raw_id}",
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
        raise UnsupportedURL(f"{_quote(handle)} is not a valid TikTok username")
    return username


def _strip_html(segment: str) -> str:
    return segment[: -len(".html")] if segment.lower().endswith(".html") else segment


# YouTube


def _parse_youtu_be(segments: list[str]) -> ParsedURL:
    if not segments:
        raise UnsupportedURL("the youtu.be link has no video id")
    return _youtube_video(segments[0])


def _parse_youtube(segments: list[str], query: list[tuple[str, str]], depth: int) -> ParsedURL:
    if not segments:
        raise UnsupportedURL("the YouTube URL names no video or channel")
    lowered = [s.lower() for s in segments]
    head = lowered[0]

    if head == "watch":
        raw = _first(query, "v")
        if raw is None and len(segments) >= 2:
            raw = segments[1]
        if raw is None and _first(query, "list") is not None:
            raise UnsupportedURL("YouTube playlists are not supported; paste one of its videos")
        if raw is None:
            raise UnsupportedURL("the YouTube watch URL has no v= video id")
        return _youtube_video(raw)
    if head in _YT_VIDEO_PATHS:
        if len(segments) < 2:
            raise UnsupportedURL(f"the YouTube URL has no video id after /{head}/")
        if head == "embed" and lowered[1] == "videoseries":
            raise UnsupportedURL("YouTube playlists are not supported; paste one of its videos")
        return _youtube_video(segments[1], is_short=head == "shorts")
    if head == "playlist":
        raw = _first(query, "v")
        if raw is None:
            raise UnsupportedURL("YouTube playlists are not supported; paste one of its videos")
        return _youtube_video(raw)
    if head == "attribution_link":
        # Old share links: /attribution_link?u=/watch%3Fv%3DID%26feature%3Dshare
        return _follow(
            _first(query, "u"),
            "https://www.youtube.com",
            PLATFORM_YOUTUBE,
            depth,
            "attribution link",
        )

    is_channel_page = len(segments) == 1 or (len(segments) == 2 and lowered[1] in _YT_CHANNEL_TABS)
    if head.startswith("@"):
        if not is_channel_page:
            raise UnsupportedURL(f"{_quote(_path(segments))} is not a YouTube channel page")
        # Handles are case-insensitive and may be in any script; NFC makes a
        # composed and a decomposed "é" the same handle.
        handle = unicodedata.normalize("NFC", segments[0][1:]).lower()
        if not _YT_HANDLE_RE.fullmatch(handle):
            raise UnsupportedURL(f"{_quote(segments[0])} is not a valid YouTube handle")
        return _youtube_channel(handle, f"https://www.youtube.com/@{handle}")
    if head in ("channel", "c", "user"):
        if len(segments) < 2:
            raise UnsupportedURL(f"the YouTube URL has no channel after /{head}/")
        name, tail = segments[1], segments[2:]
        if len(tail) > 1 or (tail and tail[0].lower() not in _YT_CHANNEL_TABS):
            raise UnsupportedURL(f"{_quote(_path(segments))} is not a YouTube channel page")
        if head == "channel":
            if not _YT_CHANNEL_ID_RE.fullmatch(name):
                raise UnsupportedURL(
                    f"{_quote(name)} is not a YouTube channel id (UC + 22 characters)"
                )
        elif not _YT_LEGACY_NAME_RE.fullmatch(name):
            raise UnsupportedURL(f"{_quote(name)} is not a valid YouTube channel name")
        return _youtube_channel(name, f"https://www.youtube.com/{head}/{name}")
    raise UnsupportedURL(f"{_quote(_path(segments))} is not a YouTube video or channel page")


def _youtube_video(raw: str, is_short: bool = False) -> ParsedURL:
    # Old flash embeds put parameters in the path: /v/ID&hl=en_US&fs=1
    video_id = raw.split("&", 1)[0].split(";", 1)[0]
    if not _YT_VIDEO_ID_RE.fullmatch(video_id):
        raise UnsupportedURL(
            f"{_quote(raw)} is not a YouTube video id (11 letters, digits, '-' or '_')"
        )
    return ParsedURL(
        platform=PLATFORM_YOUTUBE,
        kind=KIND_POST,
        post_id=video_id,
        username=None,
        canonical_url=f"https://www.youtube.com/watch?v={video_id}",
        is_short=is_short,
    )


def _youtube_channel(username: str, canonical_url: str) -> ParsedURL:
    return ParsedURL(
        platform=PLATFORM_YOUTUBE,
        kind=KIND_PROFILE,
        post_id=None,
        username=username,
        canonical_url=canonical_url,
    )
