"""Small pure helpers the providers' mapping functions share: numbers, dates, formats.

Values here are `posts.choices` values, written as plain strings: `platforms` knows no app.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

# posts.choices.BaseFormat
VIDEO = "video"
SINGLE_PHOTO = "single_photo"
CAROUSEL = "carousel"
# posts.choices.ContentType
VIDEO_SHORT = "video_short"
VIDEO_LONG = "video_long"
PHOTO_SINGLE = "photo_single"
CAROUSEL_CONTENT = "carousel"

_ISO_DURATION_RE = re.compile(
    r"P(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)
_MISSING = object()


def dig(data: Any, path: str, default: Any = None) -> Any:
    """`data["a"]["b"]` for path ``"a.b"``; `default` when any step is missing."""
    current = data
    for key in path.split("."):
        if isinstance(current, dict) and key in current:
            current = current[key]
        else:
            return default
    return current


def first(data: Any, *paths: str) -> Any:
    """The first value found (not None) along `paths`; sources name one field several ways."""
    for path in paths:
        value = dig(data, path, _MISSING)
        if value is not _MISSING and value is not None:
            return value
    return None


def to_int(value: Any) -> int | None:
    """A counter as int: ints, floats and numeric strings ("7920") convert; anything else
    (None, "", "<int>", negative "hidden" markers such as Apify's -1) is None, never 0."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = int(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "")
        if not re.fullmatch(r"-?\d+(?:\.\d+)?", text):
            return None
        number = int(float(text))
    else:
        return None
    return number if number >= 0 else None


def to_float(value: Any) -> float | None:
    """A number as float, or None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def to_datetime(value: Any) -> datetime | None:
    """An aware UTC datetime from a Unix timestamp or an ISO-8601 string
    ("2019-03-21T20:37:49.000Z", "2021-08-17T19:00:42+0000"), or None."""
    if value is None or isinstance(value, bool) or value == "":
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{9,11}", text):
            return datetime.fromtimestamp(int(text), tz=UTC)
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    return None


def yyyymmdd_to_datetime(value: Any) -> datetime | None:
    """yt-dlp's ``upload_date`` ("20240822") as midnight UTC of that day, or None."""
    if isinstance(value, str) and re.fullmatch(r"\d{8}", value):
        return datetime.strptime(value, "%Y%m%d").replace(tzinfo=UTC)
    return None


def iso_duration_seconds(value: Any) -> float | None:
    """An ISO-8601 duration ("PT21M7S") in seconds, or None."""
    if not isinstance(value, str):
        return None
    match = _ISO_DURATION_RE.match(value)
    if not match:
        return None
    parts = {key: float(number or 0) for key, number in match.groupdict().items()}
    return parts["days"] * 86400 + parts["hours"] * 3600 + parts["minutes"] * 60 + parts["seconds"]


def detect_format(
    *,
    is_carousel: bool = False,
    is_video: bool = True,
    width: int | None = None,
    height: int | None = None,
    is_short: bool | None = None,
) -> tuple[str, str | None]:
    """(base_format, content_type) as specs/platforms.md §3.

    Carousel when the source says so; single photo when there is no video; otherwise video,
    short when `is_short` (YouTube short, Instagram reel, TikTok video) or vertical
    (height > width), long when horizontal, and an unknown content type (None) when neither
    the source nor the dimensions say.
    """
    if is_carousel:
        return CAROUSEL, CAROUSEL_CONTENT
    if not is_video:
        return SINGLE_PHOTO, PHOTO_SINGLE
    if is_short:
        return VIDEO, VIDEO_SHORT
    if width and height:
        return VIDEO, VIDEO_SHORT if height > width else VIDEO_LONG
    if is_short is False:
        return VIDEO, VIDEO_LONG
    return VIDEO, None
