"""Classify one post: prompt, structured output, validation, one retry with the error."""

from __future__ import annotations

import openai

from .client import client_for
from .completion import Usage, complete, retry_after_seconds
from .config import AIConfig
from .errors import (
    AIInvalidAnswer,
    AINotConfigured,
    AIRequestError,
    AITransientError,
)
from .prompts import PROMPT_VERSION, build_messages, prompt_chars, retry_messages
from .schema import response_format
from .types import Classification, PostInput, Taxonomy
from .validation import InvalidAnswer, validate_answer

__all__ = [
    "AIInvalidAnswer",
    "AINotConfigured",
    "AIRequestError",
    "AITransientError",
    "Classification",
    "PostInput",
    "Taxonomy",
    "classify",
    "retry_after_seconds",
]


def classify(
    post: PostInput,
    taxonomy: Taxonomy,
    config: AIConfig,
    *,
    client: openai.OpenAI | None = None,
) -> Classification:
    """Classify `post` against `taxonomy` with the configured model.

    Raises AINotConfigured (no key, key or model refused, empty taxonomy), AITransientError
    (timeout, 429 with its `retry_after`, 5xx, network), AIRequestError (another 4xx) or
    AIInvalidAnswer (an answer that broke the schema or the taxonomy, retried once with the
    error, then still wrong). Never guesses a label.
    """
    _require_ready(config, taxonomy)
    with client_for(config, client) as client:
        return _classify(post, taxonomy, config, client)


def _classify(
    post: PostInput, taxonomy: Taxonomy, config: AIConfig, client: openai.OpenAI
) -> Classification:
    fmt = response_format(taxonomy, is_video=post.is_video)
    budget = config.text_budget_chars
    image = config.use_images and bool(post.thumbnail_url)
    messages = build_messages(post, taxonomy, budget=budget, image=image)
    usage = Usage()
    content, model = None, config.model

    def ask(messages: list[dict]):
        nonlocal content, model
        content, model = _content(client, config, messages, fmt, usage)
        return validate_answer(content, taxonomy, is_video=post.is_video)

    retried_because = ""
    try:
        try:
            answer = ask(messages)
        except AIRequestError:
            if not image:
                raise
            # The server could not use the thumbnail (expired CDN link…): text only.
            messages = build_messages(post, taxonomy, budget=budget, image=False)
            answer = ask(messages)
    except InvalidAnswer as first:
        retried_because = str(first)
        messages = retry_messages(messages, content or "", retried_because)
        try:
            answer = ask(messages)
        except InvalidAnswer as second:
            raise AIInvalidAnswer(
                f"Invalid answer (after one retry): {second}",
                prompt_tokens=usage.prompt_tokens,
                completion_tokens=usage.completion_tokens,
            ) from second
    return _classification(answer, model, usage, messages, content, retried_because)


def _content(client, config, messages, fmt, usage) -> tuple[str | None, str]:
    message, model = complete(client, config, usage, messages=messages, response_format=fmt)
    return message.content, model


def _require_ready(config: AIConfig, taxonomy: Taxonomy) -> None:
    if not config.configured:
        raise AINotConfigured(config.not_configured_reason)
    if taxonomy.is_empty:
        raise AINotConfigured(
            "The taxonomy is empty: add categories and sub-categories in Settings."
        )


def _classification(
    answer, model: str, usage: Usage, messages: list[dict], content, retried_because: str
) -> Classification:
    return Classification(
        idea_concept=answer.idea_concept,
        category=answer.category,
        subcategories=answer.subcategories,
        reel_style=answer.reel_style,
        model=model,
        prompt_version=PROMPT_VERSION,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        prompt_chars=prompt_chars(messages),
        raw_answer=content or "",
        calls=usage.calls,
        retried_because=retried_because,
    )
