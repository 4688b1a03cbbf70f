"""Thread summary: a content task's comments summarised into decisions and open requests, each
line citing the comment ids it rests on (validated: every id is one of the comments given —
the caller gives only the comments the viewer may see)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import openai

from .assist import cut, need_list, need_str, obj, user_message
from .config import AIConfig
from .structured import Structured, structured_answer
from .validation import InvalidAnswer

PROMPT_VERSION = "thread-summary-v1"
SCHEMA_NAME = "thread_summary"
MAX_COMMENTS = 80  # the newest ones: a longer thread is summarised from its end
MAX_COMMENT_CHARS = 800

SYSTEM = """\
You summarise the feedback thread of a social media content task for the agency's staff.
Answer with JSON only:
- decisions: what was agreed or decided (e.g. "Use the second hook", "Post on Friday").
- open_requests: what someone asked for and is not done or answered yet.
Each item: "text", one short sentence, and "comment_ids", the ids of the comments it rests on \
(at least one, only ids of the comments given). Use only what the comments say. Empty lists \
when there is nothing."""


@dataclass(frozen=True)
class ThreadComment:
    id: int
    author: str
    body: str
    created_at: datetime
    internal: bool = False


@dataclass(frozen=True)
class SummaryLine:
    text: str
    comment_ids: tuple[int, ...]


@dataclass(frozen=True)
class ThreadSummary:
    decisions: tuple[SummaryLine, ...]
    open_requests: tuple[SummaryLine, ...]
    comments_used: int


def schema() -> dict:
    line = obj(
        {"text": {"type": "string"}, "comment_ids": {"type": "array", "items": {"type": "integer"}}}
    )
    return obj(
        {
            "decisions": {"type": "array", "items": line},
            "open_requests": {"type": "array", "items": line},
        }
    )


def _validator(ids: set[int], used: int):
    def lines(answer: dict, name: str) -> tuple[SummaryLine, ...]:
        found = []
        for number, item in enumerate(need_list(answer, name), start=1):
            where = f"{name}[{number}]."
            if not isinstance(item, dict):
                raise InvalidAnswer(f"{name}[{number}] must be an object.")
            text = need_str(item, "text", where=where)
            cited = need_list(item, "comment_ids", where=where)
            if not cited:
                raise InvalidAnswer(f"{where}comment_ids must cite at least one comment.")
            bad = [c for c in cited if not isinstance(c, int) or isinstance(c, bool)]
            unknown = sorted({c for c in cited if c not in bad} - ids)
            if bad or unknown:
                raise InvalidAnswer(
                    f"{where}comment_ids cites {', '.join(map(str, bad + unknown))}, which is "
                    "not a comment of this thread; cite only the ids given."
                )
            found.append(SummaryLine(text, tuple(dict.fromkeys(cited))))
        return tuple(found)

    def validate(answer: dict) -> ThreadSummary:
        return ThreadSummary(lines(answer, "decisions"), lines(answer, "open_requests"), used)

    return validate


def thread_summarize(
    config: AIConfig,
    *,
    title: str,
    comments: list[ThreadComment],
    client: openai.OpenAI | None = None,
) -> Structured[ThreadSummary]:
    """Summary of `comments` (oldest first; the newest MAX_COMMENTS are sent)."""
    if not comments:
        raise ValueError("The thread has no comments to summarise.")
    shown = comments[-MAX_COMMENTS:]
    facts = {
        "task": cut(title, 200),
        "comments": [
            {
                "id": c.id,
                "author": c.author or "someone",
                "at": c.created_at.strftime("%Y-%m-%d %H:%M"),
                **({"internal": True} if c.internal else {}),
                "text": cut(c.body, MAX_COMMENT_CHARS),
            }
            for c in shown
        ],
    }
    return structured_answer(
        config,
        messages=[{"role": "system", "content": SYSTEM}, user_message(facts)],
        schema_name=SCHEMA_NAME,
        schema=schema(),
        validate=_validator({c.id for c in shown}, len(shown)),
        prompt_version=PROMPT_VERSION,
        client=client,
    )
