"""A structured answer for the assistance features: a JSON schema sent as the response format,
the answer parsed and checked by the feature's own validator, retried once with the reason.

Every feature (captions, quality check, thread summary, brief to tasks, insight explanations)
is one `structured_answer` call with its prompt, schema and validator; the usage it returns is
what the caller records (`core.ai_usage.ai_usage_record`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import openai

from .client import client_for
from .completion import Usage, complete
from .config import AIConfig
from .errors import AIInvalidAnswer, AINotConfigured
from .validation import InvalidAnswer

T = TypeVar("T")


@dataclass(frozen=True)
class Structured(Generic[T]):
    """A validated answer and what it cost."""

    value: T
    model: str
    prompt_version: str
    prompt_tokens: int
    completion_tokens: int
    calls: int
    retried_because: str = ""  # why a first answer was rejected, when it was


def json_schema_format(name: str, schema: dict) -> dict:
    """The `response_format` of a strict JSON schema named `name`."""
    return {"type": "json_schema", "json_schema": {"name": name, "strict": True, "schema": schema}}


def parse_json_object(content: str | None) -> dict[str, Any]:
    """The answer as a JSON object, or InvalidAnswer saying why not."""
    if not content:
        raise InvalidAnswer("The answer was empty.")
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise InvalidAnswer(f"The answer is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InvalidAnswer("The answer is not a JSON object.")
    return data


def structured_answer(
    config: AIConfig,
    *,
    messages: list[dict],
    schema_name: str,
    schema: dict,
    validate: Callable[[dict[str, Any]], T],
    prompt_version: str,
    client: openai.OpenAI | None = None,
) -> Structured[T]:
    """Ask for an answer matching `schema`, checked by `validate` (which raises InvalidAnswer
    naming what is wrong). A rejected answer is retried once with the reason; a second
    rejection raises AIInvalidAnswer carrying the tokens spent. Raises AINotConfigured and
    AITransientError / AIRequestError as classification does."""
    if not config.configured:
        raise AINotConfigured(config.not_configured_reason)
    with client_for(config, client) as client:
        return _structured(config, client, messages, schema_name, schema, validate, prompt_version)


def _structured(
    config: AIConfig,
    client: openai.OpenAI,
    messages: list[dict],
    schema_name: str,
    schema: dict,
    validate: Callable[[dict[str, Any]], T],
    prompt_version: str,
) -> Structured[T]:
    fmt = json_schema_format(schema_name, schema)
    usage = Usage()
    model = config.model
    retried_because = ""
    for attempt in (1, 2):
        message, model = complete(client, config, usage, messages=messages, response_format=fmt)
        try:
            value = validate(parse_json_object(message.content))
        except InvalidAnswer as exc:
            if attempt == 2:
                raise AIInvalidAnswer(
                    f"Invalid answer (after one retry): {exc}",
                    prompt_tokens=usage.prompt_tokens,
                    completion_tokens=usage.completion_tokens,
                ) from exc
            retried_because = str(exc)
            messages = [
                *messages,
                {"role": "assistant", "content": message.content or ""},
                {
                    "role": "user",
                    "content": f"That answer was rejected: {exc}. Answer again, fixing it.",
                },
            ]
            continue
        return Structured(
            value=value,
            model=model,
            prompt_version=prompt_version,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            calls=usage.calls,
            retried_because=retried_because,
        )
    raise AssertionError("unreachable")  # pragma: no cover
