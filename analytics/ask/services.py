"""Asking the workspace: one question through `ai.ask` with the asking user's tools, every
answer (a failed one too) logged with its tool calls and row counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ai.ask import PROMPT_VERSION, AskAnswer, ask, check_question
from ai.config import AIConfig, config_from_settings
from ai.errors import (
    AIError,
    AIInvalidAnswer,
    AINotConfigured,
    AIRequestError,
    AITransientError,
)
from core.ai_usage import ai_usage_record
from core.errors import DomainError

from .tools import TOOLS, WorkspaceTools

FEATURE = "ask"


@dataclass(frozen=True)
class AskOutcome:
    """An answer, or why there is none (`error_code`: ai_not_configured, ai_unavailable,
    ai_invalid_answer, ai_rejected), so the page and the API say it plainly."""

    question: str
    answer: AskAnswer | None = None
    error_code: str = ""
    error: str = ""
    retry_after: float | None = None
    tool_calls: list[dict] = field(default_factory=list)


ERROR_CODES: list[tuple[type[AIError], str]] = [
    (AINotConfigured, "ai_not_configured"),
    (AITransientError, "ai_unavailable"),
    (AIInvalidAnswer, "ai_invalid_answer"),
    (AIRequestError, "ai_rejected"),
]


def workspace_question_check(question) -> str:
    """The question, trimmed; DomainError on the `question` field otherwise."""
    try:
        return check_question(question)
    except ValueError as exc:
        raise DomainError(str(exc), fields={"question": [str(exc)]}) from exc


def workspace_ask(
    *, user, question, config: AIConfig | None = None, now: datetime | None = None
) -> AskOutcome:
    """Answer `question` for `user` through the read-only tools scoped to them, and record it
    (`core.AIUsage`, feature "ask", with the question and each tool call's row count)."""
    question = workspace_question_check(question)
    config = config or config_from_settings()
    tools = WorkspaceTools(user, now=now)
    try:
        answer = ask(
            config, question=question, tools=TOOLS, run_tool=tools, context=_context(tools)
        )
    except AIError as exc:
        code = next(code for kind, code in ERROR_CODES if isinstance(exc, kind))
        usage = getattr(exc, "usage", None)
        tool_calls = [call.as_log() for call in getattr(exc, "tool_calls", [])]
        ai_usage_record(
            FEATURE,
            user=user,
            model=config.model,
            prompt_version=PROMPT_VERSION,
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
            calls=usage.calls if usage else 0,
            error=str(exc),
            detail={"question": question, "tool_calls": tool_calls},
        )
        return AskOutcome(
            question=question,
            error_code=code,
            error=str(exc),
            retry_after=getattr(exc, "retry_after", None),
            tool_calls=tool_calls,
        )
    tool_calls = [call.as_log() for call in answer.tool_calls]
    ai_usage_record(
        FEATURE,
        user=user,
        model=answer.model,
        prompt_version=answer.prompt_version,
        prompt_tokens=answer.prompt_tokens,
        completion_tokens=answer.completion_tokens,
        calls=answer.calls,
        detail={
            "question": question,
            "answer": answer.answer,
            "answerable": answer.answerable,
            "tool_calls": tool_calls,
            "cited": [c.ref for c in answer.citations],
            "retried_because": answer.retried_because,
        },
    )
    return AskOutcome(question=question, answer=answer, tool_calls=tool_calls)


def _context(tools: WorkspaceTools) -> str:
    return f"Today is {tools.now:%Y-%m-%d}."
