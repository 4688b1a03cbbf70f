"""AI captions for the composer, and the machinery every AI assistance feature of the apps
shares (workflow's task features use it too): the platform's limits from the validation
table, running one answer with its usage recorded, and the library's errors turned into
messages a user can act on (specs/ai.md "AI assistance")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from ai.assist import PlatformLimits
from ai.captions import (
    MAX_VARIANTS,
    TONES,
    Caption,
    CaptionInput,
    caption_repurpose,
    caption_suggest,
)
from ai.config import config_from_settings
from ai.errors import AIError, AIInvalidAnswer, AINotConfigured, AITransientError
from ai.structured import Structured
from core.ai_usage import ai_usage_record
from core.errors import DomainError, UnavailableError
from settings_app.models import lines

from ..validation import RULES

T = TypeVar("T")


def platform_caption_limits(platform: str) -> PlatformLimits:
    """The caption and hashtag limits of `platform` (publishing.md §2), as the AI library
    takes them."""
    rules = RULES.get(platform)
    if rules is None:
        raise DomainError(
            f"“{platform}” is not a platform.",
            fields={"platform": [f"One of: {', '.join(RULES)}."]},
        )
    return PlatformLimits(
        platform=platform,
        label=rules.label,
        caption_max=rules.text_max,
        hashtags_max=rules.max_hashtags,
        title_max=rules.title_max,
    )


def ai_status() -> str:
    """Why the AI features are off ("" when they are on): shown where they are offered."""
    return config_from_settings().assistance_off_reason


def ai_feature_run(
    feature: str,
    call: Callable[[Any], Structured[T]],
    *,
    user,
    detail: dict | None = None,
    field: str = "",
) -> Structured[T]:
    """Run `call(config)` and record its usage (failed answers too) as `feature`.

    A bad input (ValueError from the library) is a DomainError on `field`; AI errors are an
    UnavailableError saying why (the API answers 503; nothing else on the page depends on it)."""
    config = config_from_settings()
    record = {"feature": feature, "user": user, "model": config.model, "detail": detail or {}}
    try:
        answer = call(config)
    except ValueError as error:
        raise DomainError(str(error), fields={field: [str(error)]} if field else None) from error
    except AINotConfigured as error:
        if config.configured:  # the server refused the key or the model: worth recording
            ai_usage_record(error=str(error), **record)
        raise UnavailableError(str(error), code="ai_not_configured") from error
    except AITransientError as error:
        ai_usage_record(error=str(error), **record)
        raise UnavailableError(
            f"The AI server is busy or did not answer ({error}); try again in a minute.",
            code="ai_unavailable",
        ) from error
    except AIInvalidAnswer as error:
        ai_usage_record(
            error=str(error),
            prompt_tokens=error.prompt_tokens,
            completion_tokens=error.completion_tokens,
            calls=2,
            **record,
        )
        raise UnavailableError(
            f"The AI gave no usable answer: {error}", code="ai_invalid_answer"
        ) from error
    except AIError as error:
        ai_usage_record(error=str(error), **record)
        raise UnavailableError(f"The AI request failed: {error}", code="ai_error") from error
    ai_usage_record(
        prompt_tokens=answer.prompt_tokens,
        completion_tokens=answer.completion_tokens,
        calls=answer.calls,
        prompt_version=answer.prompt_version,
        **{**record, "model": answer.model},
    )
    return answer


def caption_as_dict(caption: Caption) -> dict:
    return {
        "caption": caption.caption,
        "hashtags": list(caption.hashtags),
        "hook": caption.hook,
        "trimmed": caption.trimmed,
        "flags": list(caption.flags),
    }


def composer_captions(
    *,
    user,
    brief: str,
    platform: str,
    tone: str = "professional",
    variants: int = 1,
    client=None,
    media=(),
    repurpose: dict | None = None,
) -> list[Caption]:
    """Caption suggestions for a draft in the composer: `brief` (what the post is about),
    within `platform`'s limits, in `tone` (the client's brand voice and guidelines when
    `client` is given), knowing the chosen `media`'s format and duration. With `repurpose`
    (`{"caption", "hashtags", "platform"}`), that caption, written for another platform, is
    rewritten for `platform` instead. Nothing is saved: the composer fills its fields with the
    chosen one."""
    if tone not in TONES:
        raise DomainError(
            f"“{tone}” is not a tone.", fields={"tone": [f"One of: {', '.join(TONES)}."]}
        )
    if not 1 <= variants <= MAX_VARIANTS:
        raise DomainError(
            f"Ask for 1 to {MAX_VARIANTS} variants.",
            fields={"variants": [f"Between 1 and {MAX_VARIANTS}."]},
        )
    if not brief.strip() and not (repurpose and repurpose.get("caption", "").strip()):
        raise DomainError("Say what the post is about.", fields={"brief": ["Required."]})
    data = CaptionInput(
        brief=brief,
        limits=platform_caption_limits(platform),
        tone=tone,
        **client_voice(client),
        media_facts=media_facts(media),
    )
    detail = {"where": "composer", "platform": platform, "variants": variants}
    if repurpose:
        source = platform_caption_limits(repurpose.get("platform", "")).label
        data = replace(data, brief=brief.strip() or repurpose["caption"])

        def call(config):
            return caption_repurpose(
                config,
                caption=repurpose["caption"],
                hashtags=repurpose.get("hashtags") or (),
                source_platform=source,
                data=data,
                variants=variants,
            )

        detail["repurposed_from"] = repurpose.get("platform")
    else:

        def call(config):
            return caption_suggest(config, data, variants=variants)

    return ai_feature_run("caption", call, user=user, detail=detail, field="tone").value


def client_voice(client) -> dict:
    """The client's brand voice, guidelines and terms as CaptionInput fields."""
    if client is None:
        return {}
    return {
        "brand_voice": client.brand_voice,
        "guidelines": tuple(lines(client.brand_guidelines)),
        "brand_terms": tuple(client.brand_term_list),
    }


def media_facts(media) -> dict[str, str]:
    """What the model may know of the draft's media: kind, count, duration, orientation."""
    items = list(media)
    if not items:
        return {}
    first = items[0]
    facts = {"format": "carousel" if len(items) > 1 else first.get_kind_display().lower()}
    if len(items) > 1:
        facts["items"] = str(len(items))
    if first.duration_s:
        facts["duration"] = f"{first.duration_s:.0f} s"
    if first.width and first.height:
        facts["orientation"] = (
            "vertical"
            if first.height > first.width
            else "horizontal"
            if first.width > first.height
            else "square"
        )
    return facts
