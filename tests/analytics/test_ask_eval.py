"""The evaluation set of bench/ai_eval against the fake server, scripted per question to call
the expected tool with the expected arguments: the tool plumbing gives the expected rows to
the Owner, and to the Editor only her own."""

import pytest

from analytics.ask.services import workspace_ask
from bench.ai_eval.dataset import NOW, eval_dataset_create
from bench.ai_eval.evaluate import load_questions, score, script_fake, summary
from creators.models import Account
from posts.models import Post
from settings_app.access import campaigns_visible_to
from workflow.models import Campaign, ContentTask

QUESTIONS = load_questions()


@pytest.fixture
def eval_users(db):
    return eval_dataset_create()


def ask_all(fake, user, expected_key):
    scores, outcomes = [], []
    for question in QUESTIONS:
        script_fake(fake, question)
        outcome = workspace_ask(user=user, question=question["question"], now=NOW)
        outcomes.append(outcome)
        scores.append(score(question, outcome, expected_key=expected_key))
    return scores, outcomes


def test_the_set_has_at_least_40_questions_each_naming_its_tool_and_rows():
    assert len(QUESTIONS) >= 40
    tools = {q["tool"] for q in QUESTIONS}
    assert tools == {
        None,
        "accounts_by_metric",
        "posts_by_label",
        "top_posts_by_views",
        "campaign_progress",
        "statements",
        "content_tasks",
    }
    assert all("expected" in q and "expected_editor" in q for q in QUESTIONS)
    assert sum(bool(q["expected"]) for q in QUESTIONS) >= 40


def test_the_owner_gets_every_expected_row_through_the_expected_tool(ask_ai, eval_users):
    scores, outcomes = ask_all(ask_ai, eval_users["owner"], "expected")

    wrong = [s for s in scores if not s.exact]
    assert wrong == []
    assert summary(scores)["exact"] == 1.0
    for question, outcome in zip(QUESTIONS, outcomes, strict=True):
        if question["tool"]:
            assert outcome.tool_calls == [
                {
                    "name": question["tool"],
                    "args": question["args"],
                    "rows": len(question["expected"]),
                }
            ]


def test_the_editor_sees_only_her_own_rows_for_every_question(ask_ai, eval_users):
    editor = eval_users["editor"]
    scores, outcomes = ask_all(ask_ai, editor, "expected_editor")

    assert [s for s in scores if not s.exact] == []
    refs = [c.ref for o in outcomes if o.answer for c in o.answer.citations]
    by_kind = {}
    for ref in refs:
        kind, pk = ref.split(":")
        by_kind.setdefault(kind, set()).add(int(pk))
    assert by_kind.keys() <= {"account", "post", "campaign", "task"}  # no statement
    assert by_kind["account"] and by_kind["post"] and by_kind["task"]
    assert set(
        Account.objects.filter(pk__in=by_kind["account"]).values_list("editor__user", flat=True)
    ) == {editor.pk}
    assert set(
        Post.objects.filter(pk__in=by_kind["post"]).values_list("editor__user", flat=True)
    ) == {editor.pk}
    assert set(
        ContentTask.objects.filter(pk__in=by_kind["task"]).values_list("assignee", flat=True)
    ) == {editor.pk}
    visible = campaigns_visible_to(editor, Campaign.objects.all())
    assert by_kind["campaign"] <= set(visible.values_list("pk", flat=True))
    # The owner's rows the editor may not see were there to be found.
    others = Account.objects.exclude(editor__user=editor).count()
    assert others > 0
