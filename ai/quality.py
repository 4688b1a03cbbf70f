"""Quality check of a caption and its hashtags against the client's brand guidelines and the
platform's basic rules (specs/ai.md "Quality check"). Advisory: flags only.

Each flag names the rule it rests on, which must be one of the guideline lines given or one of
the platform's named rules (`PlatformLimits.rules()`); a flag citing anything else is rejected
(retried once). The platform's length and hashtag limits are also checked here, without the
model, so they are never missed."""

from __future__ import annotations

from dataclasses import dataclass

import openai

from .assist import (
    PlatformLimits,
    as_posted,
    clean_hashtag,
    cut,
    key,
    need_list,
    need_str,
    obj,
    user_message,
)
from .config import AIConfig
from .structured import Structured, structured_answer
from .validation import InvalidAnswer

PROMPT_VERSION = "quality-v1"
SCHEMA_NAME = "quality_check"
SEVERITIES = ("warning", "problem")

SYSTEM = """\
You check a social media caption before a client approves it.
Check it against each brand guideline and platform rule listed in the request, and nothing \
else. Answer with JSON only: "flags", a list (empty when the caption follows every rule), \
each with:
- rule: the guideline or platform rule it breaks, copied exactly from the lists given.
- severity: "problem" when the rule is clearly broken, "warning" when it is doubtful.
- problem: one sentence saying what in the caption breaks it.
- suggestion: one sentence saying how to fix it.
Never flag something no listed rule covers."""


@dataclass(frozen=True)
class QualityInput:
    caption: str
    hashtags: tuple[str, ...]
    limits: PlatformLimits
    guidelines: tuple[str, ...] = ()
    brand_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Flag:
    rule: str  # a guideline line or a platform rule, exactly as given
    severity: str
    problem: str
    suggestion: str
    source: str  # "guideline" or "platform"


def schema() -> dict:
    flag = obj(
        {
            "rule": {"type": "string"},
            "severity": {"type": "string", "enum": list(SEVERITIES)},
            "problem": {"type": "string"},
            "suggestion": {"type": "string"},
        }
    )
    return obj({"flags": {"type": "array", "items": flag}})


def platform_flags(data: QualityInput) -> list[Flag]:
    """The platform's limits checked by counting (no model needed)."""
    limits, flags = data.limits, []
    rules = limits.rules()
    tags = [t for t in map(clean_hashtag, data.hashtags) if t]
    length = len(as_posted(data.caption, tags))
    if length > limits.caption_max:
        flags.append(
            Flag(
                rules[0],
                "problem",
                f"The caption as posted is {length} characters.",
                f"Cut {length - limits.caption_max} characters.",
                "platform",
            )
        )
    if limits.hashtags_max is not None and len(tags) > limits.hashtags_max:
        flags.append(
            Flag(
                rules[1],
                "problem",
                f"The caption has {len(tags)} hashtags.",
                f"Remove {len(tags) - limits.hashtags_max} hashtags.",
                "platform",
            )
        )
    return flags


def _validator(data: QualityInput):
    guidelines = {key(line): line for line in data.guidelines}
    platform = {key(rule): rule for rule in data.limits.rules()}

    def validate(answer: dict) -> list[Flag]:
        flags = []
        for number, item in enumerate(need_list(answer, "flags"), start=1):
            where = f"flags[{number}]."
            if not isinstance(item, dict):
                raise InvalidAnswer(f"flags[{number}] must be an object.")
            rule = need_str(item, "rule", where=where)
            severity = need_str(item, "severity", where=where)
            if severity not in SEVERITIES:
                raise InvalidAnswer(f"{where}severity must be one of {', '.join(SEVERITIES)}.")
            if key(rule) in guidelines:
                rule, source = guidelines[key(rule)], "guideline"
            elif key(rule) in platform:
                rule, source = platform[key(rule)], "platform"
            else:
                raise InvalidAnswer(
                    f"{where}rule {rule!r} is neither a brand guideline nor a platform rule of "
                    "the request; cite one of them exactly, or drop the flag."
                )
            flags.append(
                Flag(
                    rule,
                    severity,
                    need_str(item, "problem", where=where),
                    need_str(item, "suggestion", where=where, allow_empty=True),
                    source,
                )
            )
        return flags

    return validate


def caption_quality_check(
    config: AIConfig, data: QualityInput, *, client: openai.OpenAI | None = None
) -> Structured[list[Flag]]:
    """The flags of `data`'s caption: the model's (each citing a given rule) after the
    counted platform flags (which the model's own flags on the same rule do not repeat)."""
    if not data.caption.strip():
        raise ValueError("caption must not be empty.")
    facts = {
        "platform": data.limits.label,
        "caption": cut(data.caption, 6000),
        "hashtags": [t for t in map(clean_hashtag, data.hashtags) if t],
        "brand_guidelines": [cut(line, 300) for line in data.guidelines],
        "platform_rules": data.limits.rules(),
    }
    if data.brand_terms:
        facts["brand_terms"] = list(data.brand_terms)
    answer = structured_answer(
        config,
        messages=[{"role": "system", "content": SYSTEM}, user_message(facts)],
        schema_name=SCHEMA_NAME,
        schema=schema(),
        validate=_validator(data),
        prompt_version=PROMPT_VERSION,
        client=client,
    )
    counted = platform_flags(data)
    counted_rules = {f.rule for f in counted}
    flags = counted + [f for f in answer.value if f.rule not in counted_rules]
    return Structured(
        value=flags,
        model=answer.model,
        prompt_version=answer.prompt_version,
        prompt_tokens=answer.prompt_tokens,
        completion_tokens=answer.completion_tokens,
        calls=answer.calls,
        retried_because=answer.retried_because,
    )
