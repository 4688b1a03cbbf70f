"""Shared pieces of the assistance features (captions, quality check, thread summary, brief to
tasks): the platform limits the caller passes as plain numbers, the message layout, and small
checks used by several validators."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .validation import InvalidAnswer

# Long inputs are cut to keep every prompt small and its cost predictable.
MAX_INPUT_CHARS = 4000


@dataclass(frozen=True)
class PlatformLimits:
    """A platform's text limits, from publishing's validation table (the caller's numbers)."""

    platform: str
    label: str
    caption_max: int  # the caption as posted: text, a blank line, then the hashtags
    hashtags_max: int | None = None
    title_max: int | None = None

    def rules(self) -> list[str]:
        """The platform's basic rules as named lines (what a quality flag may cite)."""
        rules = [f"{self.label}: caption at most {self.caption_max} characters"]
        if self.hashtags_max is not None:
            rules.append(f"{self.label}: at most {self.hashtags_max} hashtags")
        if self.title_max is not None:
            rules.append(f"{self.label}: title at most {self.title_max} characters")
        return rules


def as_posted(caption: str, hashtags: list[str] | tuple[str, ...]) -> str:
    """The text a platform receives: the caption, a blank line, then the hashtags."""
    tags = " ".join(f"#{tag}" for tag in hashtags)
    return "\n\n".join(part for part in (caption.strip(), tags) if part)


def cut(text: str, limit: int = MAX_INPUT_CHARS) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def user_message(facts: dict[str, Any]) -> dict:
    """The facts of one request as a JSON user message (compact, keys in a stable order)."""
    return {"role": "user", "content": json.dumps(facts, ensure_ascii=False, indent=None)}


def key(text: str) -> str:
    """Comparison key: case and spacing forgiven (local models), nothing else."""
    return " ".join(str(text).split()).casefold()


_TAG = re.compile(r"[^\w]+", re.UNICODE)


def clean_hashtag(tag: Any) -> str:
    """A hashtag without its `#` and without spaces or punctuation."""
    return _TAG.sub("", str(tag).lstrip("#"))


def need_str(data: dict, name: str, *, where: str = "", allow_empty: bool = False) -> str:
    value = data.get(name)
    label = f"{where}{name}"
    if not isinstance(value, str):
        raise InvalidAnswer(f"{label} must be a string.")
    if not allow_empty and not value.strip():
        raise InvalidAnswer(f"{label} must not be empty.")
    return value.strip()


def need_list(data: dict, name: str, *, where: str = "") -> list:
    value = data.get(name)
    if not isinstance(value, list):
        raise InvalidAnswer(f"{where}{name} must be a list.")
    return value


def obj(properties: dict[str, Any]) -> dict:
    """A strict JSON-schema object: every property required, nothing else allowed."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
