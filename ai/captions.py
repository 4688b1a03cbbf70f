"""Captions and hashtags for one platform and tone, several variants on request, and
repurposing a caption for another platform (specs/ai.md "Captions and hashtags").

The answer must fit the platform's limits (`PlatformLimits`, the caller's numbers): an answer
over a limit is retried once with the reason; a retry still over it is trimmed and flagged."""

from __future__ import annotations

from dataclasses import dataclass, field

import openai

from .assist import (
    PlatformLimits,
    as_posted,
    clean_hashtag,
    cut,
    need_list,
    need_str,
    obj,
    user_message,
)
from .config import AIConfig
from .structured import Structured, structured_answer
from .validation import InvalidAnswer

PROMPT_VERSION = "caption-v1"
REPURPOSE_PROMPT_VERSION = "caption-repurpose-v1"
SCHEMA_NAME = "captions"
TONES = ("professional", "witty", "casual", "urgent", "brand")
MAX_VARIANTS = 5
MAX_HOOK_CHARS = 150

TONE_HINTS = {
    "professional": "clear, confident and polite; no slang",
    "witty": "playful and clever, a light joke or wordplay",
    "casual": "relaxed and friendly, like talking to a friend",
    "urgent": "short sentences, a reason to act now, a clear call to action",
    "brand": "exactly the client's own voice as its brand voice notes describe",
}

SYSTEM = """\
You write social media captions for a social-media agency's creators.
Answer with JSON only, following the schema: "variants", a list of exactly {n} distinct \
options, each with:
- caption: the caption text, without the hashtags; it opens with the hook.
- hashtags: relevant hashtags without '#', lower case, no spaces.
- hook: the caption's first line that stops the scroll (at most {hook_max} characters).
Limits of {label}: the caption as posted (caption, a blank line, then the hashtags as \
#tag separated by spaces) is at most {caption_max} characters{hashtag_rule}.
Tone: {tone}.
Follow every brand guideline given; use the brand terms exactly as spelled. Use only facts \
from the brief: never invent prices, dates, numbers or claims."""


@dataclass(frozen=True)
class CaptionInput:
    """What a caption is written from. `brand_voice`, `guidelines` and `brand_terms` are the
    client's; `media_facts` what is known of the draft (format, duration…)."""

    brief: str
    limits: PlatformLimits
    tone: str = "professional"
    brand_voice: str = ""
    guidelines: tuple[str, ...] = ()
    brand_terms: tuple[str, ...] = ()
    media_facts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Caption:
    """One variant. `flags` say what was trimmed to fit the platform (empty when it fit)."""

    caption: str
    hashtags: tuple[str, ...]
    hook: str
    flags: tuple[str, ...] = ()

    @property
    def trimmed(self) -> bool:
        return bool(self.flags)

    def as_posted(self) -> str:
        return as_posted(self.caption, self.hashtags)


def check_input(data: CaptionInput, variants: int) -> None:
    """ValueError naming the bad input (the caller turns it into a 400)."""
    if data.tone not in TONES:
        raise ValueError(f"tone must be one of {', '.join(TONES)}.")
    if data.tone == "brand" and not data.brand_voice.strip():
        raise ValueError("tone 'brand' needs the client's brand voice notes, which are empty.")
    if not data.brief.strip():
        raise ValueError("brief must not be empty.")
    if not 1 <= variants <= MAX_VARIANTS:
        raise ValueError(f"variants must be between 1 and {MAX_VARIANTS}.")


def schema() -> dict:
    variant = obj(
        {
            "caption": {"type": "string"},
            "hashtags": {"type": "array", "items": {"type": "string"}},
            "hook": {"type": "string"},
        }
    )
    # The count is in the prompt and checked on our side (strict mode has no minItems).
    return obj({"variants": {"type": "array", "items": variant}})


def _system(data: CaptionInput, variants: int) -> str:
    limits = data.limits
    tone = TONE_HINTS[data.tone]
    if data.tone == "brand":
        tone += f": {cut(data.brand_voice, 600)}"
    return SYSTEM.format(
        n=variants,
        hook_max=MAX_HOOK_CHARS,
        label=limits.label,
        caption_max=limits.caption_max,
        hashtag_rule=(
            f", with at most {limits.hashtags_max} hashtags" if limits.hashtags_max else ""
        ),
        tone=tone,
    )


def _facts(data: CaptionInput) -> dict:
    facts: dict = {"platform": data.limits.label, "brief": cut(data.brief)}
    if data.brand_voice and data.tone != "brand":
        facts["brand_voice"] = cut(data.brand_voice, 600)
    if data.guidelines:
        facts["brand_guidelines"] = [cut(line, 300) for line in data.guidelines]
    if data.brand_terms:
        facts["brand_terms"] = list(data.brand_terms)
    if data.media_facts:
        facts["media"] = dict(data.media_facts)
    return facts


def over_limits(caption: str, hashtags: list[str], limits: PlatformLimits) -> list[str]:
    """What breaks the platform's limits, as sentences (empty when it fits)."""
    problems = []
    if limits.hashtags_max is not None and len(hashtags) > limits.hashtags_max:
        problems.append(
            f"{len(hashtags)} hashtags, over {limits.label}'s limit of {limits.hashtags_max}"
        )
    length = len(as_posted(caption, hashtags))
    if length > limits.caption_max:
        problems.append(
            f"the caption as posted is {length} characters, over {limits.label}'s limit of "
            f"{limits.caption_max}"
        )
    return problems


def trim(caption: str, hashtags: list[str], limits: PlatformLimits) -> tuple[str, list[str], list]:
    """The caption and hashtags cut to fit, and a flag per cut."""
    flags = []
    if limits.hashtags_max is not None and len(hashtags) > limits.hashtags_max:
        flags.append(
            f"Trimmed: kept the first {limits.hashtags_max} of {len(hashtags)} hashtags "
            f"({limits.label}'s limit)."
        )
        hashtags = hashtags[: limits.hashtags_max]
    while hashtags and len(as_posted("", hashtags)) > limits.caption_max // 2:
        hashtags = hashtags[:-1]  # hashtags never take more than half the room
    length = len(as_posted(caption, hashtags))
    if length > limits.caption_max:
        room = limits.caption_max - (len(as_posted("", hashtags)) + 2 if hashtags else 0)
        short = caption[: max(room - 1, 0)]
        if " " in short[len(short) // 2 :]:
            short = short[: short.rfind(" ")]
        caption = short.rstrip() + "…"
        flags.append(
            f"Trimmed: the caption as posted was {length} characters, over {limits.label}'s "
            f"limit of {limits.caption_max}; cut to fit."
        )
    return caption, hashtags, flags


def _validator(limits: PlatformLimits, variants: int):
    seen = {"calls": 0}

    def validate(data: dict) -> list[Caption]:
        seen["calls"] += 1
        items = need_list(data, "variants")
        if len(items) < variants:
            raise InvalidAnswer(f"variants has {len(items)} items; exactly {variants} needed.")
        captions, problems = [], []
        for number, item in enumerate(items[:variants], start=1):
            where = f"variants[{number}]."
            if not isinstance(item, dict):
                raise InvalidAnswer(f"variants[{number}] must be an object.")
            text = need_str(item, "caption", where=where)
            hook = need_str(item, "hook", where=where, allow_empty=True) or text.splitlines()[0]
            raw_tags = need_list(item, "hashtags", where=where)
            tags = list(dict.fromkeys(t for t in map(clean_hashtag, raw_tags) if t))
            broken = over_limits(text, tags, limits)
            flags: list[str] = []
            if broken and seen["calls"] == 1:
                problems.append(f"variant {number}: {'; '.join(broken)}")
                continue
            if broken:
                text, tags, flags = trim(text, tags, limits)
            captions.append(Caption(text, tuple(tags), hook[:MAX_HOOK_CHARS], tuple(flags)))
        if problems:
            raise InvalidAnswer(
                "Over the platform's limits: " + "; ".join(problems) + ". Shorten it."
            )
        return captions

    return validate


def caption_suggest(
    config: AIConfig,
    data: CaptionInput,
    *,
    variants: int = 1,
    client: openai.OpenAI | None = None,
) -> Structured[list[Caption]]:
    """`variants` captions for `data`. Raises ValueError for a bad input, and the library's
    AI errors (AINotConfigured, AITransientError, AIRequestError, AIInvalidAnswer)."""
    check_input(data, variants)
    messages = [
        {"role": "system", "content": _system(data, variants)},
        user_message(_facts(data)),
    ]
    return structured_answer(
        config,
        messages=messages,
        schema_name=SCHEMA_NAME,
        schema=schema(),
        validate=_validator(data.limits, variants),
        prompt_version=PROMPT_VERSION,
        client=client,
    )


REPURPOSE_SYSTEM = """\
Rewrite the given caption, written for {source}, for {label}: the same content and facts, in \
{label}'s style. Nothing new may be claimed."""


def caption_repurpose(
    config: AIConfig,
    *,
    caption: str,
    hashtags: tuple[str, ...] | list[str],
    source_platform: str,
    data: CaptionInput,
    variants: int = 1,
    client: openai.OpenAI | None = None,
) -> Structured[list[Caption]]:
    """`caption` (written for `source_platform`) rewritten for `data.limits`' platform, with
    the same schema, limits and checks as `caption_suggest`."""
    if not caption.strip():
        raise ValueError("caption must not be empty.")
    check_input(data, variants)
    system = (
        _system(data, variants)
        + "\n"
        + REPURPOSE_SYSTEM.format(source=source_platform, label=data.limits.label)
    )
    facts = {**_facts(data), "original_caption": as_posted(cut(caption), list(hashtags))}
    return structured_answer(
        config,
        messages=[{"role": "system", "content": system}, user_message(facts)],
        schema_name=SCHEMA_NAME,
        schema=schema(),
        validate=_validator(data.limits, variants),
        prompt_version=REPURPOSE_PROMPT_VERSION,
        client=client,
    )
