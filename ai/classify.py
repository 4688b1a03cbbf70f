"""Classify one post: prompt, structured output, validation, one retry with the error."""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass
from typing import Any

import openai

from .client import build_client
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
]


@dataclass
class _Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0


def retry_after_seconds(headers: Any) -> float | None:
    """A response's `retry-after-ms` / `Retry-After` (seconds or an HTTP date), in seconds."""
    if headers is None:
        return None
    value = headers.get("retry-after-ms")
    if value:
        try:
            return max(float(value) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(moment.timestamp() - time.time(), 0.0)


def _error_detail(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        message = body.get("message") or (body.get("error") or {}).get("message")
        if message:
            return str(message)[:300]
    return str(exc.message)[:300]


def _complete(
    client: openai.OpenAI,
    config: AIConfig,
    messages: list[dict],
    fmt: dict,
    usage: _Usage,
) -> tuple[str | None, str]:
    """One chat completion; returns (content, model). Maps the client's errors to ours."""
    try:
        response = client.chat.completions.create(
            model=config.model, messages=messages, response_format=fmt
        )
    except openai.APITimeoutError as exc:
        raise AITransientError(f"The model did not answer within {config.timeout_s:g} s.") from exc
    except openai.APIConnectionError as exc:
        raise AITransientError(f"Could not reach the AI server: {exc}") from exc
    except openai.APIStatusError as exc:
        status, detail = exc.status_code, _error_detail(exc)
        code = exc.code if isinstance(exc.code, str) else ""
        if status == 429 and code == "insufficient_quota":
            raise AINotConfigured(f"The AI account has no quota left (429): {detail}") from exc
        if status in (401, 403):
            raise AINotConfigured(
                f"The AI server refused the API key ({status}): {detail}"
            ) from exc
        if status == 404:
            raise AINotConfigured(
                f"The AI server does not know model {config.model!r} or this URL (404): {detail}"
            ) from exc
        if status in (408, 409, 429) or status >= 500:
            retry_after = retry_after_seconds(exc.response.headers)
            raise AITransientError(
                f"AI server error {status}: {detail}", retry_after=retry_after, status=status
            ) from exc
        raise AIRequestError(f"The AI server rejected the request ({status}): {detail}") from exc
    usage.calls += 1
    if response.usage is not None:
        usage.prompt_tokens += response.usage.prompt_tokens or 0
        usage.completion_tokens += response.usage.completion_tokens or 0
    if not response.choices:
        raise InvalidAnswer("The server answered no choice.")
    message = response.choices[0].message
    refusal = getattr(message, "refusal", None)
    if refusal:
        raise InvalidAnswer(f"The model refused: {refusal}")
    return message.content, response.model or config.model


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
    if client is None:
        with build_client(config) as own_client:
            return classify(post, taxonomy, config, client=own_client)
    fmt = response_format(taxonomy, is_video=post.is_video)
    budget = config.text_budget_chars
    image = config.use_images and bool(post.thumbnail_url)
    messages = build_messages(post, taxonomy, budget=budget, image=image)
    usage = _Usage()
    content, model = None, config.model

    def ask(messages: list[dict]):
        nonlocal content, model
        content, model = _complete(client, config, messages, fmt, usage)
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


def _require_ready(config: AIConfig, taxonomy: Taxonomy) -> None:
    if not config.configured:
        raise AINotConfigured(config.not_configured_reason)
    if taxonomy.is_empty:
        raise AINotConfigured(
            "The taxonomy is empty: add categories and sub-categories in Settings."
        )


def _classification(
    answer, model: str, usage: _Usage, messages: list[dict], content, retried_because: str
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
