"""Insight explanations (`specs/ai.md`): two sentences on why a scope's top posts did well,
written from the facts we hand over and nothing else.

The prompt forbids claims outside the facts; our validation rejects an answer with a number
that is not among them, or with more than two sentences. `structured_answer` retries once with
the reason; a second bad answer raises AIInvalidAnswer and the card shows the facts alone."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import openai

from .config import AIConfig
from .structured import Structured, structured_answer
from .validation import InvalidAnswer

PROMPT_VERSION = "insight-v1"
MAX_CHARS = 500

# A number as written in prose: 12, 1,200, 3.5, 42%; a time like 18:00 gives 18 and 00.
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# The end of a sentence: . ! or ? followed by a space or the end (not the dot of 3.5).
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


@dataclass(frozen=True)
class PostFacts:
    """One top post as the model sees it: labels, figures and timing only."""

    label: str  # e.g. "@maya on Instagram"
    views_gained: int
    times_median: float  # views gained ÷ the account's median in the period
    category: str = ""
    subcategories: tuple[str, ...] = ()
    reel_style: str = ""
    format: str = ""
    length: str = ""  # e.g. "15-30 s"
    posting_hour: int | None = None  # local hour 0-23


@dataclass(frozen=True)
class InsightFacts:
    """The facts of one card: the scope, the period, the top posts and what they share."""

    scope: str
    period: str
    posts: Sequence[PostFacts]
    shared: Sequence[str] = field(default_factory=tuple)

    def lines(self) -> list[str]:
        """The facts as the lines the model reads (and the numbers it may use)."""
        out = [f"Scope: {self.scope}", f"Period: {self.period}"]
        for number, post in enumerate(self.posts, start=1):
            parts = [
                f"Post {number}: {post.label}",
                f"views gained {post.views_gained}",
                f"{post.times_median:g} times its account's median",
            ]
            if post.category:
                parts.append(f"category {post.category}")
            if post.subcategories:
                parts.append("sub-categories " + ", ".join(post.subcategories))
            if post.reel_style:
                parts.append(f"reel style {post.reel_style}")
            if post.format:
                parts.append(f"format {post.format}")
            if post.length:
                parts.append(f"length {post.length}")
            if post.posting_hour is not None:
                parts.append(f"posted at {post.posting_hour:02d}:00")
            out.append("; ".join(parts))
        for fact in self.shared:
            out.append(f"Shared: {fact}")
        return out


def _normal(number: str) -> str:
    """A number without thousands separators or trailing decimal zeros: 1,200 → 1200, 3.50 → 3.5."""
    text = number.replace(",", "")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.lstrip("0") or "0"


def numbers_in(text: str) -> set[str]:
    """The numbers written in `text`, normalised (each part of a time such as 18:00 too)."""
    return {_normal(match) for match in _NUMBER.findall(text)}


def explanation_validate(data: dict[str, Any], *, facts: InsightFacts) -> str:
    """The explanation of an answer `{"explanation": str}`, or InvalidAnswer saying why not:
    empty, too long, more than two sentences, or a number not among the facts."""
    text = data.get("explanation")
    if not isinstance(text, str) or not text.strip():
        raise InvalidAnswer("`explanation` must be a non-empty string.")
    text = " ".join(text.split())
    if len(text) > MAX_CHARS:
        raise InvalidAnswer(f"`explanation` is longer than {MAX_CHARS} characters.")
    if len(_SENTENCE_END.findall(text)) > 2:
        raise InvalidAnswer("`explanation` must be at most two sentences.")
    allowed = numbers_in("\n".join(facts.lines()))
    unknown = sorted(numbers_in(text) - allowed)
    if unknown:
        raise InvalidAnswer(
            "`explanation` uses numbers that are not among the facts: " + ", ".join(unknown)
        )
    return text


SCHEMA = {
    "type": "object",
    "properties": {"explanation": {"type": "string"}},
    "required": ["explanation"],
    "additionalProperties": False,
}

SYSTEM = (
    "You explain to a social-media agency's client why their best posts of a period did well. "
    "Write exactly two short sentences from the facts given and nothing else: no claim, cause, "
    "audience insight or number that is not in the facts. Prefer what the posts share "
    '(category, reel style, format, length, posting hour). Answer JSON: {"explanation": "..."}.'
)


def insight_messages(facts: InsightFacts) -> list[dict]:
    """The chat messages asking for one card's explanation."""
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": "Facts:\n" + "\n".join(facts.lines())},
    ]


def insight_explain(
    config: AIConfig, facts: InsightFacts, *, client: openai.OpenAI | None = None
) -> Structured[str]:
    """A validated two-sentence explanation of `facts`. Raises AINotConfigured without a key,
    AIInvalidAnswer after a retried bad answer, and the client's transient/request errors."""
    return structured_answer(
        config,
        messages=insight_messages(facts),
        schema_name="insight_explanation",
        schema=SCHEMA,
        validate=lambda data: explanation_validate(data, facts=facts),
        prompt_version=PROMPT_VERSION,
        client=client,
    )
