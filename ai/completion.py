"""One chat completion with the library's error mapping and usage counting, shared by
classification and the assistance features."""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass
from typing import Any

import openai

from .config import AIConfig
from .errors import AINotConfigured, AIRequestError, AITransientError
from .validation import InvalidAnswer


@dataclass
class Usage:
    """Tokens and calls spent, summed over the calls of one answer (retries included)."""

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


def complete(
    client: openai.OpenAI, config: AIConfig, usage: Usage, **request: Any
) -> tuple[Any, str]:
    """One chat completion of `request` (messages, response_format or tools…); returns the
    answer's message and the model that wrote it. Maps the client's errors to ours and adds the
    tokens to `usage`."""
    try:
        response = client.chat.completions.create(model=config.model, **request)
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
    return message, response.model or config.model
