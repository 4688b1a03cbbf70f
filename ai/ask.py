"""Ask the workspace: a question answered only through a fixed set of read-only tools.

The model may call the tools it is given (function calling) for a bounded number of rounds;
each call's arguments are checked against the tool's JSON schema here, and a bad call is
answered to the model as an error (never raised). The final answer is a structured output
`{answerable, answer, cited[]}` whose citations must name rows some tool call of this
conversation returned; an answer citing anything else is rejected and retried once.

The library knows no models: the caller gives the tool specs and a callable running a tool by
name with checked arguments, returning `Row`s (each with a stable `ref`, a label and a link).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import openai

from .client import client_for
from .completion import Usage, complete
from .config import AIConfig
from .errors import AIError, AIInvalidAnswer, AINotConfigured
from .structured import json_schema_format, parse_json_object
from .validation import InvalidAnswer

PROMPT_VERSION = "ask-1"
CANNOT_ANSWER = "I can't answer that from CreatorOps data"
MAX_ROUNDS = 5
MAX_QUESTION_CHARS = 500
MAX_ROWS_TO_MODEL = 50

SYSTEM_PROMPT = f"""You answer questions about a social-media agency's workspace (CreatorOps).
You know nothing about the workspace except what the tools return: call them to find the rows
you need, then answer in one to three plain sentences and cite, for every row you rely on, the
tool call id and the row's `ref`. Never invent rows, figures or refs. If no tool can answer the
question, set answerable to false and answer exactly: "{CANNOT_ANSWER}". If a tool returns no
rows, say so plainly."""

ANSWER_SCHEMA = {
    "type": "object",
    "properties": {
        "answerable": {"type": "boolean"},
        "answer": {"type": "string"},
        "cited": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "tool_call_id": {"type": "string"},
                    "ref": {"type": "string"},
                },
                "required": ["tool_call_id", "ref"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["answerable", "answer", "cited"],
    "additionalProperties": False,
}


class ToolArgumentError(ValueError):
    """A tool call's arguments are not usable; the message goes back to the model."""


@dataclass(frozen=True)
class Tool:
    """One read-only tool the model may call: a name, what it does, and the JSON schema of its
    arguments (an object; `required`, `enum`, `minimum`/`maximum`, `pattern` are checked)."""

    name: str
    description: str
    parameters: dict

    def spec(self) -> dict:
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }


@dataclass(frozen=True)
class Row:
    """One row a tool returned: `ref` ("account:12") is what answers cite."""

    ref: str
    label: str
    link: str = ""
    fields: dict[str, Any] = field(default_factory=dict)

    def for_model(self) -> dict:
        return {"ref": self.ref, "label": self.label, **self.fields}


@dataclass(frozen=True)
class ToolCall:
    """One tool call of the conversation, as logged: its arguments and how many rows it gave
    (or why it was refused)."""

    id: str
    name: str
    args: dict
    rows: int
    error: str = ""

    def as_log(self) -> dict:
        entry = {"name": self.name, "args": self.args, "rows": self.rows}
        if self.error:
            entry["error"] = self.error
        return entry


@dataclass(frozen=True)
class Citation:
    tool_call_id: str
    ref: str
    label: str
    link: str


@dataclass(frozen=True)
class AskAnswer:
    """The answer, the rows it cites, the tool calls made and what it cost."""

    answer: str
    answerable: bool
    citations: list[Citation]
    tool_calls: list[ToolCall]
    model: str
    prompt_version: str
    prompt_tokens: int
    completion_tokens: int
    calls: int
    retried_because: str = ""


RunTool = Callable[[str, dict], Sequence[Row]]


def check_question(question: Any) -> str:
    """The question, trimmed; ValueError saying what is wrong (empty, too long)."""
    if not isinstance(question, str) or not question.strip():
        raise ValueError("Ask a question.")
    question = " ".join(question.split())
    if len(question) > MAX_QUESTION_CHARS:
        raise ValueError(
            f"The question is {len(question)} characters long; at most {MAX_QUESTION_CHARS}."
        )
    return question


def check_arguments(tool: Tool, raw: str | None) -> dict:
    """The arguments of a call to `tool`, parsed and checked against its schema;
    ToolArgumentError naming the bad argument."""
    try:
        args = json.loads(raw or "{}")
    except json.JSONDecodeError as exc:
        raise ToolArgumentError(f"The arguments are not valid JSON ({exc.msg}).") from exc
    if not isinstance(args, dict):
        raise ToolArgumentError("The arguments must be a JSON object.")
    schema = tool.parameters
    properties = schema.get("properties", {})
    unknown = sorted(set(args) - set(properties))
    if unknown:
        raise ToolArgumentError(
            f"Unknown argument(s) {', '.join(unknown)}; {tool.name} takes "
            f"{', '.join(properties) or 'none'}."
        )
    missing = [name for name in schema.get("required", []) if args.get(name) is None]
    if missing:
        raise ToolArgumentError(f"Missing argument(s): {', '.join(missing)}.")
    checked = {}
    for name, value in args.items():
        if value is None:
            continue
        checked[name] = _check_value(name, value, properties[name])
    return checked


def _check_value(name: str, value: Any, prop: dict) -> Any:
    kind = prop.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ToolArgumentError(f"{name} must be an integer.")
        if "minimum" in prop and value < prop["minimum"]:
            raise ToolArgumentError(f"{name} must be at least {prop['minimum']}.")
        if "maximum" in prop and value > prop["maximum"]:
            raise ToolArgumentError(f"{name} must be at most {prop['maximum']}.")
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise ToolArgumentError(f"{name} must be true or false.")
    elif kind == "string":
        if not isinstance(value, str):
            raise ToolArgumentError(f"{name} must be a string.")
        if len(value) > prop.get("maxLength", 200):
            raise ToolArgumentError(f"{name} is too long.")
    if "enum" in prop and value not in prop["enum"]:
        raise ToolArgumentError(
            f"{name} must be one of {', '.join(str(v) for v in prop['enum'] if v is not None)}."
        )
    return value


def _validate_final(data: dict, calls_rows: dict[str, dict[str, Row]]) -> tuple:
    for key in ("answerable", "answer", "cited"):
        if key not in data:
            raise InvalidAnswer(f"The answer lacks {key}.")
    if not isinstance(data["answer"], str) or not data["answer"].strip():
        raise InvalidAnswer("answer must be a non-empty string.")
    if not isinstance(data["cited"], list):
        raise InvalidAnswer("cited must be a list.")
    if data["answerable"] is False or not calls_rows:
        # No tool was used (or the model says none fits): nothing from the workspace to say.
        return False, CANNOT_ANSWER, []
    citations: list[Citation] = []
    for item in data["cited"]:
        if not isinstance(item, dict):
            raise InvalidAnswer("each cited item must be {tool_call_id, ref}.")
        call_id, ref = item.get("tool_call_id"), item.get("ref")
        rows = calls_rows.get(call_id) if isinstance(call_id, str) else None
        if rows is None:
            raise InvalidAnswer(
                f"cited tool_call_id {call_id!r} is not a tool call of this conversation; "
                f"they are {', '.join(calls_rows)}."
            )
        row = rows.get(ref) if isinstance(ref, str) else None
        if row is None:
            raise InvalidAnswer(
                f"cited ref {ref!r} is not a row tool call {call_id} returned; cite only "
                "refs from the tool results."
            )
        if not any(c.ref == ref for c in citations):
            citations.append(Citation(call_id, ref, row.label, row.link))
    return True, " ".join(data["answer"].split()), citations


def ask(
    config: AIConfig,
    *,
    question: str,
    tools: Sequence[Tool],
    run_tool: RunTool,
    context: str = "",
    max_rounds: int = MAX_ROUNDS,
    client: openai.OpenAI | None = None,
) -> AskAnswer:
    """Answer `question` with `tools` (run by `run_tool(name, checked_args)`, which may raise
    ToolArgumentError). At most `max_rounds` rounds of tool calls, then the model must answer.
    An answer citing a row no tool returned is retried once; a second bad answer raises
    AIInvalidAnswer. Raises AINotConfigured, AITransientError, AIRequestError like every
    feature, each carrying `tool_calls` and `usage` (what was done and spent before it);
    ValueError for an empty or too long question."""
    question = check_question(question)
    if not config.configured:
        raise AINotConfigured(config.not_configured_reason)
    calls: list[ToolCall] = []
    usage = Usage()
    try:
        with client_for(config, client) as client:
            return _conversation(
                config, client, question, tools, run_tool, context, max_rounds, calls, usage
            )
    except AIError as exc:
        # What was done before the failure, for the caller's log.
        exc.tool_calls = list(calls)
        exc.usage = usage
        raise


def _conversation(
    config: AIConfig,
    client: openai.OpenAI,
    question: str,
    tools: Sequence[Tool],
    run_tool: RunTool,
    context: str,
    max_rounds: int,
    calls: list[ToolCall],
    usage: Usage,
) -> AskAnswer:
    by_name = {tool.name: tool for tool in tools}
    specs = [tool.spec() for tool in tools]
    fmt = json_schema_format("workspace_answer", ANSWER_SCHEMA)
    system = SYSTEM_PROMPT + (f"\n{context}" if context else "")
    messages: list[dict] = [
        {"role": "system", "content": system},
        {"role": "user", "content": question},
    ]
    model = config.model
    calls_rows: dict[str, dict[str, Row]] = {}
    retried_because = ""
    rounds = 0
    while True:
        request: dict[str, Any] = {"messages": messages, "response_format": fmt}
        if rounds < max_rounds:
            request.update(tools=specs, tool_choice="auto")
        message, model = complete(client, config, usage, **request)
        tool_calls = getattr(message, "tool_calls", None) or []
        if tool_calls and rounds < max_rounds:
            rounds += 1
            messages.append(_assistant_with_calls(message, tool_calls))
            for call in tool_calls:
                record, rows, reply = _run_call(call, by_name, run_tool)
                calls.append(record)
                if not record.error:
                    calls_rows[record.id] = {row.ref: row for row in rows}
                messages.append({"role": "tool", "tool_call_id": call.id, "content": reply})
            continue
        try:
            answerable, answer, citations = _validate_final(
                parse_json_object(message.content), calls_rows
            )
        except InvalidAnswer as exc:
            if retried_because:
                raise AIInvalidAnswer(
                    f"Invalid answer (after one retry): {exc}",
                    prompt_tokens=usage.prompt_tokens,
                    completion_tokens=usage.completion_tokens,
                ) from exc
            retried_because = str(exc)
            messages += [
                {"role": "assistant", "content": message.content or ""},
                {
                    "role": "user",
                    "content": f"That answer was rejected: {exc}. Answer again, fixing it.",
                },
            ]
            rounds = max_rounds  # the retry answers from the rows already returned
            continue
        return AskAnswer(
            answer=answer,
            answerable=answerable,
            citations=citations,
            tool_calls=calls,
            model=model,
            prompt_version=PROMPT_VERSION,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            calls=usage.calls,
            retried_because=retried_because,
        )


def _assistant_with_calls(message: Any, tool_calls: list) -> dict:
    return {
        "role": "assistant",
        "content": message.content or "",
        "tool_calls": [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.function.name, "arguments": call.function.arguments},
            }
            for call in tool_calls
        ],
    }


def _run_call(call: Any, by_name: dict[str, Tool], run_tool: RunTool):
    """Run one tool call: (its log record, its rows, the JSON reply for the model)."""
    name = call.function.name
    tool = by_name.get(name)
    args: dict = {}
    try:
        if tool is None:
            raise ToolArgumentError(f"There is no tool {name!r}; use one of {', '.join(by_name)}.")
        args = check_arguments(tool, call.function.arguments)
        rows = list(run_tool(name, args))
    except ToolArgumentError as exc:
        record = ToolCall(id=call.id, name=name, args=args or _raw(call), rows=0, error=str(exc))
        return record, [], json.dumps({"error": str(exc)})
    shown = rows[:MAX_ROWS_TO_MODEL]
    reply = json.dumps(
        {"row_count": len(rows), "rows": [row.for_model() for row in shown]}, default=str
    )
    return ToolCall(id=call.id, name=name, args=args, rows=len(rows)), shown, reply


def _raw(call: Any) -> dict:
    try:
        parsed = json.loads(call.function.arguments or "{}")
    except json.JSONDecodeError:
        return {"_raw": str(call.function.arguments)[:200]}
    return parsed if isinstance(parsed, dict) else {"_raw": str(parsed)[:200]}
