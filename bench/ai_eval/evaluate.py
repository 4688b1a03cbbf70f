"""Scoring the evaluation set: which tool the model called, and which rows it cited, against
the expected tool and rows of each question (questions.json)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

QUESTIONS = Path(__file__).with_name("questions.json")


def load_questions() -> list[dict]:
    return json.loads(QUESTIONS.read_text())


@dataclass
class Score:
    id: str
    tool_ok: bool
    rows_expected: int
    rows_found: int
    exact: bool
    note: str = ""


def score(question: dict, outcome, *, expected_key: str = "expected") -> Score:
    """How well `outcome` (analytics.ask.services.AskOutcome) answers `question`."""
    from ai.ask import CANNOT_ANSWER

    expected = set(question.get(expected_key) or [])
    if outcome.answer is None:
        return Score(question["id"], False, len(expected), 0, False, outcome.error[:80])
    answer = outcome.answer
    called = [call.name for call in answer.tool_calls if not call.error]
    if question["tool"] is None:
        ok = answer.answer == CANNOT_ANSWER
        return Score(question["id"], ok, 0, 0, ok, "" if ok else answer.answer[:80])
    cited = {c.label for c in answer.citations}
    tool_ok = question["tool"] in called
    found = len(cited & expected)
    exact = tool_ok and cited == expected
    return Score(question["id"], tool_ok, len(expected), found, exact, ",".join(called))


def summary(scores: list[Score]) -> dict:
    n = len(scores) or 1
    expected = sum(s.rows_expected for s in scores) or 1
    return {
        "questions": len(scores),
        "tool_accuracy": round(sum(s.tool_ok for s in scores) / n, 3),
        "row_recall": round(sum(s.rows_found for s in scores) / expected, 3),
        "exact": round(sum(s.exact for s in scores) / n, 3),
    }


def script_fake(fake, question: dict) -> None:
    """Script the fake OpenAI server to do what a perfect model would: call the expected tool
    with the expected arguments, then cite every row it returned (or, outside the tools,
    say it cannot answer)."""
    from tests.ai.fake_openai import ToolCalls, cite_every_row

    if question["tool"] is None:
        fake.script({"answerable": False, "answer": "No tool covers this.", "cited": []})
        return
    fake.script(ToolCalls([(question["tool"], question["args"])]), cite_every_row("Found."))


def expected_rows(user, question: dict, *, now) -> list[str]:
    """The labels of the rows the expected tool returns for `user` (what --record stores)."""
    from analytics.ask.tools import WorkspaceTools

    if question["tool"] is None:
        return []
    return [row.label for row in WorkspaceTools(user, now=now)(question["tool"], question["args"])]
