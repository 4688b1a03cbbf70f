"""Recording what the AI assistance features spend (one `AIUsage` row per answer)."""

from __future__ import annotations

from typing import Any

from .models import AIUsage


def ai_usage_record(
    feature: str,
    *,
    user=None,
    model: str = "",
    prompt_version: str = "",
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    calls: int = 0,
    error: str = "",
    detail: dict[str, Any] | None = None,
) -> AIUsage:
    """Record one answer of `feature` (a failed one too: its tokens were spent)."""
    return AIUsage.objects.create(
        feature=feature,
        user=user if getattr(user, "pk", None) else None,
        model=model,
        prompt_version=prompt_version,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        calls=calls,
        ok=not error,
        error=error[:2000],
        detail=detail or {},
    )
