"""Per-target options (specs/publishing.md §3), validated per platform in one place: the API,
the composer and the CSV import all call `target_options_validate`.

- TikTok: `privacy_level` (one of the creator's `privacy_level_options`, read from
  `creator_info` through the TikTok client with a short cache), `disable_comment`,
  `disable_duet`, `disable_stitch`, `brand_content_toggle`, `brand_organic_toggle`.
- Instagram: `share_to_feed` (reels), `first_comment`.
- YouTube: `privacy_status` (public, unlisted, private), `category_id`, `made_for_kids`, `title`.

When `creator_info` cannot be read (TikTok down, token expired) the privacy level is checked
against TikTok's documented values only: the publisher reads `creator_info` again before the
init and fails the target with `privacy_level_option_mismatch` if it no longer fits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache

from core.errors import DomainError
from platforms.providers.base import ProviderError
from platforms.publishers.tiktok import CreatorInfo, TikTokPublisher

from ..models import SocialConnection

TIKTOK_PRIVACY_LEVELS = (
    "PUBLIC_TO_EVERYONE",
    "MUTUAL_FOLLOW_FRIENDS",
    "FOLLOWER_OF_CREATOR",
    "SELF_ONLY",
)
YOUTUBE_PRIVACY = ("public", "unlisted", "private")
YOUTUBE_TITLE_MAX = 100
FIRST_COMMENT_MAX = 2200
# Text limits per platform (specs/publishing.md §2), shown by the composer's counters. The media
# validation table (post_validate) checks the same numbers when a post is scheduled.
TEXT_LIMITS = {
    "instagram": {"caption": 2200},
    "tiktok": {"caption": 2200},
    "youtube": {"title": 100, "description": 5000},
}


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _text(limit: int) -> Callable[[Any], str | None]:
    def read(value: Any) -> str | None:
        if not isinstance(value, str) or len(value) > limit:
            return None
        return value

    return read


def _choice(values: Sequence[str]) -> Callable[[Any], str | None]:
    return lambda value: value if value in values else None


def _category(value: Any) -> str | None:
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    return text if text.isascii() and text.isdigit() and len(text) <= 4 else None


@dataclass(frozen=True)
class Rule:
    read: Callable[[Any], Any]
    message: str


RULES: dict[str, dict[str, Rule]] = {
    "tiktok": {
        "privacy_level": Rule(
            _choice(TIKTOK_PRIVACY_LEVELS), f"One of {', '.join(TIKTOK_PRIVACY_LEVELS)}."
        ),
        "disable_comment": Rule(_bool, "true or false."),
        "disable_duet": Rule(_bool, "true or false."),
        "disable_stitch": Rule(_bool, "true or false."),
        "brand_content_toggle": Rule(_bool, "true or false (a paid partnership)."),
        "brand_organic_toggle": Rule(_bool, "true or false (promotes the creator's business)."),
    },
    "instagram": {
        "share_to_feed": Rule(_bool, "true or false (reels also shown in the feed)."),
        "first_comment": Rule(
            _text(FIRST_COMMENT_MAX), f"Text of at most {FIRST_COMMENT_MAX} characters."
        ),
    },
    "youtube": {
        "privacy_status": Rule(_choice(YOUTUBE_PRIVACY), f"One of {', '.join(YOUTUBE_PRIVACY)}."),
        "category_id": Rule(_category, "A YouTube category id (digits), e.g. 22."),
        "made_for_kids": Rule(_bool, "true or false."),
        "title": Rule(_text(YOUTUBE_TITLE_MAX), f"Text of at most {YOUTUBE_TITLE_MAX} characters."),
    },
}


@dataclass(frozen=True)
class CreatorInfoAnswer:
    """`creator_info` of a TikTok connection, or why it could not be read."""

    info: CreatorInfo | None
    unavailable: str = ""


def _cache_key(connection: SocialConnection) -> str:
    stamp = int(connection.updated_at.timestamp()) if connection.updated_at else 0
    return f"publishing:tiktok_creator_info:{connection.pk}:{stamp}"


def tiktok_creator_info(connection: SocialConnection) -> CreatorInfoAnswer:
    """What `connection` may post now (privacy levels…), cached for
    PUBLISH_CREATOR_INFO_CACHE_SECONDS; a failed call answers why, and is not cached."""
    key = _cache_key(connection)
    cached = cache.get(key)
    if cached is not None:
        return CreatorInfoAnswer(CreatorInfo(**cached))
    if not connection.access_token:
        return CreatorInfoAnswer(None, "the connection has no token (reconnect it)")
    client = TikTokPublisher(settings.TIKTOK_API_BASE_URL, connection.access_token)
    try:
        info = client.creator_info()
    except ProviderError as error:  # every typed publishing error is one
        return CreatorInfoAnswer(None, str(error) or error.__class__.__name__)
    cache.set(key, asdict(info), settings.PUBLISH_CREATOR_INFO_CACHE_SECONDS)
    return CreatorInfoAnswer(info)


def target_options_validate(
    *,
    connections: Sequence[SocialConnection],
    target_options: Mapping[int, Mapping[str, Any]] | None,
    creator_info: Callable[[SocialConnection], CreatorInfoAnswer] = tiktok_creator_info,
) -> dict[int, dict[str, Any]]:
    """The options of each target, checked against its platform's rules; raises DomainError
    with `fields["target_options"][<connection id>]` naming every wrong option. Options for a
    connection that is not a destination are refused too."""
    by_id = {c.pk: c for c in connections}
    errors: dict[str, dict[str, list[str]]] = {}
    cleaned: dict[int, dict[str, Any]] = {}
    for connection_id, options in (target_options or {}).items():
        connection = by_id.get(connection_id)
        if connection is None:
            errors[str(connection_id)] = {"connection": ["Not one of the post's accounts."]}
            continue
        if not isinstance(options, Mapping):
            errors[str(connection_id)] = {"options": ["An object of options."]}
            continue
        rules = RULES.get(connection.platform, {})
        mine: dict[str, list[str]] = {}
        values: dict[str, Any] = {}
        for name, value in options.items():
            rule = rules.get(name)
            if rule is None:
                known = ", ".join(rules) or "none"
                mine[name] = [f"Not an option of {connection.platform} (options: {known})."]
            elif value is None or value == "":
                continue  # not set: the platform's default
            elif (read := rule.read(value)) is None:
                mine[name] = [rule.message]
            else:
                values[name] = read
        privacy = values.get("privacy_level")
        if connection.platform == "tiktok" and privacy and "privacy_level" not in mine:
            answer = creator_info(connection)
            allowed = answer.info.privacy_level_options if answer.info else None
            if allowed and privacy not in allowed:
                mine["privacy_level"] = [
                    f"This account cannot post as {privacy} now (it may: {', '.join(allowed)})."
                ]
        if mine:
            errors[str(connection_id)] = mine
        cleaned[connection_id] = values
    if errors:
        accounts = ", ".join(
            str(by_id[int(k)].account) if k.isdigit() and int(k) in by_id else k for k in errors
        )
        raise DomainError(
            f"Some per-account options are not valid ({accounts}).",
            code="invalid_target_options",
            fields={"target_options": errors},
        )
    return cleaned
