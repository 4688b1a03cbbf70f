"""Run the "ask the workspace" evaluation set and print its score.

    .venv/bin/python bench/ai_eval/run.py            # against OPENAI_BASE_URL / OPENAI_MODEL
    .venv/bin/python bench/ai_eval/run.py --fake     # the fake server, scripted per question
    .venv/bin/python bench/ai_eval/run.py --record   # rewrite the expected rows

The workspace is bench/ai_eval/dataset.py (the demo agency with a fixed seed at a fixed now)
in a database of its own: DATABASE_URL when set (e.g. a PostgreSQL server's scratch
database), else a fresh SQLite file in /tmp. Each question is asked as the Owner; the
score is the share of questions where the model called the expected tool, the share of the
expected rows it cited, and the share answered exactly (the expected tool, exactly the
expected rows)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def setup(database_url: str | None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        path = Path("/tmp/creatorops_ai_eval.sqlite3")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fake", action="store_true", help="Use the scripted fake server.")
    parser.add_argument("--record", action="store_true", help="Rewrite the expected rows.")
    parser.add_argument("--limit", type=int, default=0, help="Only the first N questions.")
    parser.add_argument("--verbose", action="store_true", help="One line per question.")
    args = parser.parse_args()
    setup(os.environ.get("AI_EVAL_DATABASE_URL"))

    import json

    from bench.ai_eval.dataset import NOW, eval_dataset_create
    from bench.ai_eval.evaluate import (
        QUESTIONS,
        expected_rows,
        load_questions,
        score,
        script_fake,
        summary,
    )

    started = time.monotonic()
    users = eval_dataset_create()
    print(f"dataset ready in {time.monotonic() - started:.1f} s")
    questions = load_questions()
    if args.limit:
        questions = questions[: args.limit]
    if args.record:
        for q in questions:
            q["expected"] = expected_rows(users["owner"], q, now=NOW)
            q["expected_editor"] = expected_rows(users["editor"], q, now=NOW)
        QUESTIONS.write_text(json.dumps(questions, indent=1, ensure_ascii=False) + "\n")
        print(f"recorded the expected rows of {len(questions)} questions in {QUESTIONS}")
        return 0

    from django.test import override_settings

    from analytics.ask.services import workspace_ask

    fake = None
    overrides = {}
    if args.fake:
        from tests.ai.fake_openai import FakeOpenAI

        fake = FakeOpenAI().start()
        overrides = {"OPENAI_API_KEY": "fake", "OPENAI_BASE_URL": fake.url + "/v1"}
    scores = []
    tokens = [0, 0]
    started = time.monotonic()
    with override_settings(**overrides):
        for q in questions:
            if fake is not None:
                script_fake(fake, q)
            outcome = workspace_ask(user=users["owner"], question=q["question"], now=NOW)
            if outcome.answer is not None:
                tokens[0] += outcome.answer.prompt_tokens
                tokens[1] += outcome.answer.completion_tokens
            s = score(q, outcome)
            scores.append(s)
            if args.verbose:
                print(
                    f"{s.id} tool={'ok' if s.tool_ok else 'NO'} rows={s.rows_found}/"
                    f"{s.rows_expected} {'exact' if s.exact else ''} {s.note}"
                )
    if fake is not None:
        fake.stop()
    elapsed = time.monotonic() - started
    result = summary(scores)
    print(
        f"{result['questions']} questions in {elapsed:.1f} s: tool accuracy "
        f"{result['tool_accuracy']:.1%}, row recall {result['row_recall']:.1%}, exact "
        f"{result['exact']:.1%}; tokens {tokens[0]} in / {tokens[1]} out"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
