"""What each platform accepts (specs/publishing.md §2), as one table in code, checked before a
post is scheduled so that a post that cannot go out is refused with the rule it breaks, not
failed at publishing time.

Sources of the limits (checked 2026-12):
- Instagram: Meta, Instagram Platform "Content Publishing" and the IG User Media reference
  (developers.facebook.com/docs/instagram-platform/content-publishing): images JPEG only, at
  most 8 MB, aspect ratio 4:5 to 1.91:1; reels MOV/MP4, H.264/HEVC, 3 s to 15 min, at most
  300 MB, 23-60 fps; carousel 2-10 items, carousel videos 3-60 s; caption 2 200 characters,
  30 hashtags.
- TikTok: developers.tiktok.com/doc/content-posting-api-media-transfer-guide ("Video
  restrictions", "Image restrictions"): video MP4/WebM/MOV, H.264/H.265/VP8/VP9, 23-60 fps, 360
  to 4096 px a side, at most 4 GB and 10 min (creator_info narrows the length per account at
  publishing time); photos JPEG/WEBP, at most 1080p and 20 MB each, up to 35; text 2 200
  characters.
- YouTube: developers.google.com/youtube/v3/docs/videos/insert and the video resource: one
  video, video/*, at most 256 GB; title at most 100 characters, description at most 5 000
  bytes, neither may contain < or >.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from core.errors import DomainError

from .choices import MediaKind
from .storage import is_s3

MB = 1024 * 1024
GB = 1024 * MB
_HASHTAG = re.compile(r"(?<![\w&])#(\w+)")
# Ratios are width / height; a few pixels of rounding are not a different ratio.
_RATIO_SLACK = 0.01


@dataclass(frozen=True)
class MediaRule:
    mimes: tuple[str, ...]
    max_bytes: int
    min_ratio: float | None = None  # width / height
    max_ratio: float | None = None
    min_seconds: float | None = None
    max_seconds: float | None = None
    codecs: tuple[str, ...] = ()
    min_fps: float | None = None
    max_fps: float | None = None
    min_side_px: int | None = None
    max_side_px: int | None = None
    # The longer and shorter side at most (1080p = 1920 x 1080, either way round).
    max_box_px: tuple[int, int] | None = None


@dataclass(frozen=True)
class PlatformRules:
    label: str
    text_max: int  # the caption as posted: text, then the hashtags
    text_unit: str = "characters"
    max_hashtags: int | None = None
    title_max: int | None = None
    description_max_bytes: int | None = None
    forbidden_chars: str = ""
    single_image: MediaRule | None = None
    single_video: MediaRule | None = None
    carousel_image: MediaRule | None = None
    carousel_video: MediaRule | None = None
    max_items: int = 1
    mixed_items: bool = False
    needs_public_url_for: tuple[str, ...] = ()  # media kinds the platform pulls from a URL


IG_IMAGE = MediaRule(mimes=("image/jpeg",), max_bytes=8 * MB, min_ratio=4 / 5, max_ratio=1.91)
RULES: dict[str, PlatformRules] = {
    "instagram": PlatformRules(
        label="Instagram",
        text_max=2200,
        max_hashtags=30,
        single_image=IG_IMAGE,
        single_video=MediaRule(
            mimes=("video/mp4", "video/quicktime"),
            max_bytes=300 * MB,
            min_seconds=3,
            max_seconds=15 * 60,
            codecs=("h264", "hevc"),
            min_fps=23,
            max_fps=60,
        ),
        carousel_image=IG_IMAGE,
        carousel_video=MediaRule(
            mimes=("video/mp4", "video/quicktime"),
            max_bytes=300 * MB,
            min_seconds=3,
            max_seconds=60,
            codecs=("h264", "hevc"),
            min_fps=23,
            max_fps=60,
        ),
        max_items=10,
        mixed_items=True,
        needs_public_url_for=(MediaKind.IMAGE, MediaKind.VIDEO),
    ),
    "tiktok": PlatformRules(
        label="TikTok",
        text_max=2200,
        single_video=MediaRule(
            mimes=("video/mp4", "video/webm", "video/quicktime"),
            max_bytes=4 * GB,
            max_seconds=10 * 60,
            codecs=("h264", "hevc", "vp8", "vp9"),
            min_fps=23,
            max_fps=60,
            min_side_px=360,
            max_side_px=4096,
        ),
        single_image=MediaRule(
            mimes=("image/jpeg", "image/webp"), max_bytes=20 * MB, max_box_px=(1920, 1080)
        ),
        carousel_image=MediaRule(
            mimes=("image/jpeg", "image/webp"), max_bytes=20 * MB, max_box_px=(1920, 1080)
        ),
        max_items=35,
        needs_public_url_for=(MediaKind.IMAGE,),  # photos are PULL_FROM_URL; videos uploaded
    ),
    "youtube": PlatformRules(
        label="YouTube",
        text_max=5000,
        text_unit="bytes",
        title_max=100,
        forbidden_chars="<>",
        single_video=MediaRule(mimes=("video/",), max_bytes=256 * GB),
    ),
}
_KIND_NAMES = {MediaKind.IMAGE: "image", MediaKind.VIDEO: "video"}
_MIME_NAMES = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
    "image/gif": "GIF",
    "video/mp4": "MP4",
    "video/quicktime": "MOV",
    "video/webm": "WebM",
}


@dataclass(frozen=True)
class Problem:
    """One broken rule: `message` names the platform and the rule ("Instagram: at most 30
    hashtags (you have 31)"); `field` is the input it is about."""

    platform: str
    rule: str
    field: str
    message: str

    def __str__(self) -> str:
        return self.message


def posted_text(caption: str, hashtags: Iterable[str]) -> str:
    """The caption as the publisher posts it: the text, a blank line, then the hashtags
    (publishing.services.platforms._caption)."""
    tags = " ".join(f"#{tag.lstrip('#')}" for tag in hashtags if tag)
    return "\n\n".join(part for part in ((caption or "").strip(), tags) if part)


def hashtags_in(text: str) -> list[str]:
    """The distinct hashtags of `text`, case-insensitively, in order."""
    return list(dict.fromkeys(tag.lower() for tag in _HASHTAG.findall(text)))


def media_public_url_available() -> bool:
    """Whether the platforms that pull media (Instagram, TikTok photos) can be given a URL:
    MEDIA_PUBLIC_BASE_URL, or presigned URLs of S3 storage."""
    return bool(settings.MEDIA_PUBLIC_BASE_URL) or is_s3()


def post_validate(
    *,
    platform: str,
    caption: str = "",
    title: str = "",
    hashtags: Sequence[str] = (),
    media: Sequence[Any] = (),
    options: dict[str, Any] | None = None,
) -> list[Problem]:
    """Every rule of `platform` the post breaks (empty: it may be scheduled there). `media`
    are MediaAssets (or anything with kind, mime, size, width, height, duration_s, codec)."""
    rules = RULES.get(platform)
    if rules is None:
        return []
    check = _Checker(platform, rules)
    check.text(caption, title, hashtags)
    check.media(list(media))
    return check.problems


class _Checker:
    def __init__(self, platform: str, rules: PlatformRules) -> None:
        self.platform, self.rules, self.problems = platform, rules, []

    def add(self, rule: str, field: str, message: str) -> None:
        self.problems.append(Problem(self.platform, rule, field, f"{self.rules.label}: {message}"))

    # --- Text ---------------------------------------------------------------------------
    def text(self, caption: str, title: str, hashtags: Sequence[str]) -> None:
        rules = self.rules
        text = posted_text(caption, hashtags)
        size = len(text.encode()) if rules.text_unit == "bytes" else len(text)
        what = "the description" if rules.title_max else "the caption"
        if size > rules.text_max:
            self.add(
                "text_length",
                "caption",
                f"{what} takes at most {rules.text_max:,} {rules.text_unit} with its hashtags "
                f"(you have {size:,}).",
            )
        if rules.max_hashtags is not None:
            count = len(hashtags_in(text))
            if count > rules.max_hashtags:
                self.add(
                    "hashtags",
                    "hashtags",
                    f"at most {rules.max_hashtags} hashtags (you have {count}).",
                )
        if rules.title_max is not None:
            shown = title or (text.splitlines() or [""])[0]
            if len(shown) > rules.title_max:
                self.add(
                    "title_length",
                    "title",
                    f"the title takes at most {rules.title_max} characters (you have "
                    f"{len(shown)}){'' if title else '; without a title the first line of the caption is used'}.",
                )
            if not shown.strip():
                self.add("title_missing", "title", "a video needs a title (or a caption).")
        for char in rules.forbidden_chars:
            for field, value in (("title", title), ("caption", text)):
                if char in value:
                    self.add("forbidden_char", field, f"the {field} may not contain “{char}”.")

    # --- Media --------------------------------------------------------------------------
    def media(self, media: list) -> None:
        rules = self.rules
        if not media:
            kinds = " or ".join(
                name
                for name, rule in (
                    ("an image", rules.single_image),
                    ("a video", rules.single_video),
                )
                if rule
            )
            self.add("media_missing", "media", f"a post needs {kinds}.")
            return
        kinds = {item.kind for item in media}
        if len(media) > 1:
            if rules.max_items == 1:
                self.add(
                    "one_item",
                    "media",
                    f"a post is one {_KIND_NAMES[MediaKind.VIDEO]} (you have {len(media)} items).",
                )
                return
            if len(media) > rules.max_items:
                self.add(
                    "carousel_items",
                    "media",
                    f"at most {rules.max_items} items in a carousel (you have {len(media)}).",
                )
            if len(kinds) > 1 and not rules.mixed_items:
                self.add("mixed_media", "media", "one video, or photos only: not both in one post.")
                return
        carousel = len(media) > 1
        for position, item in enumerate(media, start=1):
            rule = self._rule_for(item.kind, carousel)
            where = f"item {position}" if carousel else f"the {_KIND_NAMES.get(item.kind, 'file')}"
            if rule is None:
                if carousel:
                    self.add("media_kind", "media", f"{where}: a carousel takes no videos.")
                else:
                    self.add(
                        "media_kind",
                        "media",
                        f"a post cannot be a single {_KIND_NAMES.get(item.kind, 'file')}.",
                    )
                continue
            self._item(rule, item, where)
        if not media_public_url_available() and kinds & set(rules.needs_public_url_for):
            self.add(
                "media_public_url",
                "media",
                "the platform pulls media from a public URL, and none is configured: set "
                "MEDIA_PUBLIC_BASE_URL (a public HTTPS prefix serving the media files) or use "
                "S3 storage (MEDIA_STORAGE=s3).",
            )

    def _rule_for(self, kind: str, carousel: bool) -> MediaRule | None:
        rules = self.rules
        if kind == MediaKind.IMAGE:
            return rules.carousel_image if carousel else rules.single_image
        return rules.carousel_video if carousel else rules.single_video

    def _item(self, rule: MediaRule, item, where: str) -> None:
        mime = item.mime or ""
        if not any(mime == m or (m.endswith("/") and mime.startswith(m)) for m in rule.mimes):
            accepted = ", ".join(_MIME_NAMES.get(m, m.rstrip("/") + " files") for m in rule.mimes)
            self.add(
                "format",
                "media",
                f"{where} is {_MIME_NAMES.get(mime, mime or 'of unknown type')}; accepted: "
                f"{accepted}.",
            )
        if item.size and item.size > rule.max_bytes:
            self.add(
                "size",
                "media",
                f"{where} is {_bytes(item.size)}; at most {_bytes(rule.max_bytes)}.",
            )
        self._shape(rule, item, where)
        self._timing(rule, item, where)
        codec = (getattr(item, "codec", "") or "").lower()
        if rule.codecs and codec and codec not in rule.codecs:
            self.add(
                "codec",
                "media",
                f"{where} is encoded as {codec}; accepted: {', '.join(rule.codecs)}.",
            )

    def _shape(self, rule: MediaRule, item, where: str) -> None:
        width, height = item.width or 0, item.height or 0
        if not (width and height):
            return
        ratio = width / height
        low, high = rule.min_ratio, rule.max_ratio
        if (low and ratio < low - _RATIO_SLACK) or (high and ratio > high + _RATIO_SLACK):
            self.add(
                "aspect_ratio",
                "media",
                f"{where} is {width}×{height} (ratio {ratio:.2f}); the ratio must be between "
                f"{_ratio(low)} and {_ratio(high)}.",
            )
        if rule.min_side_px and min(width, height) < rule.min_side_px:
            self.add(
                "dimensions",
                "media",
                f"{where} is {width}×{height}; each side must be at least {rule.min_side_px} px.",
            )
        if rule.max_side_px and max(width, height) > rule.max_side_px:
            self.add(
                "dimensions",
                "media",
                f"{where} is {width}×{height}; each side must be at most {rule.max_side_px} px.",
            )
        if rule.max_box_px:
            longer, shorter = rule.max_box_px
            if max(width, height) > longer or min(width, height) > shorter:
                self.add(
                    "dimensions",
                    "media",
                    f"{where} is {width}×{height}; at most {longer}×{shorter} (1080p), either "
                    "way round.",
                )

    def _timing(self, rule: MediaRule, item, where: str) -> None:
        seconds = item.duration_s
        if seconds is not None:
            if rule.min_seconds and seconds < rule.min_seconds:
                self.add(
                    "duration",
                    "media",
                    f"{where} lasts {_seconds(seconds)}; at least {_seconds(rule.min_seconds)}.",
                )
            if rule.max_seconds and seconds > rule.max_seconds:
                self.add(
                    "duration",
                    "media",
                    f"{where} lasts {_seconds(seconds)}; at most {_seconds(rule.max_seconds)}.",
                )
        fps = getattr(item, "frame_rate", None)
        if fps and rule.min_fps and not (rule.min_fps <= fps <= (rule.max_fps or fps)):
            self.add(
                "frame_rate",
                "media",
                f"{where} runs at {fps:g} fps; between {rule.min_fps:g} and {rule.max_fps:g}.",
            )


def _bytes(size: int) -> str:
    for unit, factor in (("GB", GB), ("MB", MB), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}".replace(".0 ", " ")
    return f"{size} bytes"


def _seconds(value: float) -> str:
    if value >= 60 and value % 60 == 0:
        return f"{value / 60:g} min"
    return f"{value:.1f} s".replace(".0 s", " s")


def _ratio(value: float | None) -> str:
    if value is None:
        return "any"
    return {0.8: "4:5", 1.91: "1.91:1"}.get(round(value, 2), f"{value:.2f}")


# --- Scheduling ---------------------------------------------------------------------------------
def scheduled_post_check(
    *,
    connections: Iterable[Any],
    caption: str,
    title: str,
    hashtags: Sequence[str],
    media: Sequence[Any],
    options: dict[str, Any] | None = None,
    only_fields: Iterable[str] | None = None,
) -> None:
    """Refuse (DomainError `post_invalid`, with the problems by field) a post that one of
    `connections` (its targets) cannot publish; each platform is checked once. `only_fields`
    (an edit): only the problems of those fields count, the rest was accepted before."""
    problems: list[Problem] = []
    for platform in dict.fromkeys(c.platform for c in connections):
        problems += post_validate(
            platform=platform,
            caption=caption,
            title=title,
            hashtags=hashtags,
            media=media,
            options=options,
        )
    if only_fields is not None:
        kept = set(only_fields)
        problems = [problem for problem in problems if problem.field in kept]
    if not problems:
        return
    fields: dict[str, list[str]] = {}
    for problem in problems:
        fields.setdefault(problem.field, []).append(problem.message)
    raise DomainError(
        " ".join(problem.message for problem in problems),
        code="post_invalid",
        fields=fields,
    )
