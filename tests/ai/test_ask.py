"""ai.ask alone: a function-calling loop over a tiny in-memory tool, against the fake server."""

import pytest

from ai.ask import CANNOT_ANSWER, Row, Tool, ToolArgumentError, ask
from ai.errors import AIInvalidAnswer, AITransientError
from tests.ai.fake_openai import Reply, ToolCalls, cite_every_row, error, tool_results

THINGS = {"a": ["thing:1", "thing:2"], "b": ["thing:3"]}
TOOL = Tool(
    "list_things",
    "Things of a kind.",
    {
        "type": "object",
        "properties": {
            "kind": {"type": "string", "enum": ["a", "b", "c"]},
            "limit": {"type": "integer", "minimum": 1, "maximum": 5},
        },
        "required": ["kind"],
        "additionalProperties": False,
    },
)


def run_tool(name, args):
    if args["kind"] == "c":
        raise ToolArgumentError("kind c is not stocked.")
    refs = THINGS[args["kind"]][: args.get("limit", 5)]
    return [Row(ref=r, label=r.upper(), link=f"/admin/thing/{r[6:]}/") for r in refs]


def asked(ai_config, question="How many things of kind a?"):
    return ask(ai_config, question=question, tools=[TOOL], run_tool=run_tool)


def test_an_answer_cites_the_rows_its_tool_call_returned(fake_openai, ai_config):
    fake_openai.script(ToolCalls([("list_things", {"kind": "a"})]), cite_every_row("Two."))

    answer = asked(ai_config)

    assert answer.answer == "Two."
    assert answer.answerable
    assert [(c.ref, c.label, c.link) for c in answer.citations] == [
        ("thing:1", "THING:1", "/admin/thing/1/"),
        ("thing:2", "THING:2", "/admin/thing/2/"),
    ]
    assert [c.as_log() for c in answer.tool_calls] == [
        {"name": "list_things", "args": {"kind": "a"}, "rows": 2}
    ]
    assert answer.calls == 2 and answer.prompt_tokens > 0 and answer.completion_tokens > 0
    first = fake_openai.requests[0].body
    assert first["tools"][0]["function"]["name"] == "list_things"
    assert first["response_format"]["json_schema"]["name"] == "workspace_answer"


def test_a_question_outside_the_tools_gets_the_plain_refusal(fake_openai, ai_config):
    fake_openai.script({"answerable": False, "answer": "No idea, sorry.", "cited": []})

    answer = asked(ai_config, "What is the weather in Paris?")

    assert answer.answer == CANNOT_ANSWER == "I can't answer that from CreatorOps data"
    assert not answer.answerable and answer.citations == [] and answer.tool_calls == []


def test_an_answer_made_up_without_any_tool_is_refused_too(fake_openai, ai_config):
    fake_openai.script({"answerable": True, "answer": "You have 42 things.", "cited": []})

    assert asked(ai_config).answer == CANNOT_ANSWER


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        ({"kind": "z"}, "kind must be one of a, b, c"),
        ({"kind": "a", "limit": 99}, "limit must be at most 5"),
        ({"kind": "a", "where": "1=1"}, "Unknown argument(s) where"),
        ({}, "Missing argument(s): kind"),
        ('{"kind": ', "not valid JSON"),
        ({"kind": "c"}, "kind c is not stocked"),
    ],
)
def test_bad_tool_arguments_are_answered_to_the_model_as_an_error(
    fake_openai, ai_config, arguments, reason
):
    fake_openai.script(
        ToolCalls([("list_things", arguments)]),
        ToolCalls([("list_things", {"kind": "b"})]),
        cite_every_row("One."),
    )

    answer = asked(ai_config)

    told = tool_results(fake_openai.requests[1])["call_1"]
    assert reason in told["error"]
    assert answer.tool_calls[0].rows == 0 and reason in answer.tool_calls[0].error
    assert [c.ref for c in answer.citations] == ["thing:3"]


def test_an_unknown_tool_is_an_error_for_the_model(fake_openai, ai_config):
    fake_openai.script(
        ToolCalls([("drop_table", {})]), {"answerable": False, "answer": "x", "cited": []}
    )

    answer = asked(ai_config)

    assert "no tool 'drop_table'" in tool_results(fake_openai.requests[1])["call_1"]["error"]
    assert answer.answer == CANNOT_ANSWER


def test_a_hallucinated_citation_is_rejected_then_retried(fake_openai, ai_config):
    made_up = {
        "answerable": True,
        "answer": "Thing 9.",
        "cited": [{"tool_call_id": "call_1", "ref": "thing:9"}],
    }
    fake_openai.script(ToolCalls([("list_things", {"kind": "a"})]), made_up, cite_every_row())

    answer = asked(ai_config)

    assert "thing:9" in answer.retried_because
    assert [c.ref for c in answer.citations] == ["thing:1", "thing:2"]
    retry = fake_openai.requests[2]
    assert "rejected" in retry.messages[-1]["content"] and "tools" not in retry.body


def test_a_second_hallucinated_citation_fails_with_the_reason(fake_openai, ai_config):
    other_call = {
        "answerable": True,
        "answer": "x",
        "cited": [{"tool_call_id": "call_7", "ref": "thing:1"}],
    }
    fake_openai.script(ToolCalls([("list_things", {"kind": "a"})]), other_call, other_call)

    with pytest.raises(AIInvalidAnswer, match="call_7") as failure:
        asked(ai_config)
    assert failure.value.prompt_tokens > 0


def test_tool_rounds_are_bounded(fake_openai, ai_config):
    fake_openai.script(*[ToolCalls([("list_things", {"kind": "a"})])] * 5, cite_every_row())

    answer = ask(ai_config, question="loop?", tools=[TOOL], run_tool=run_tool, max_rounds=5)

    assert len(answer.tool_calls) == 5
    assert "tools" not in fake_openai.requests[5].body
    assert len(fake_openai.requests) == 6


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (error(429, "Slow down", Retry_After="7"), "AI server error 429"),
        (error(500, "Boom"), "AI server error 500"),
        (Reply(200, {}, delay=1.5), "did not answer within 1 s"),
    ],
)
def test_rate_limits_server_errors_and_timeouts_are_clear_errors(
    fake_openai, ai_config, reply, message
):
    fake_openai.script(reply)

    with pytest.raises(AITransientError, match=message):
        asked(ai_config)


@pytest.mark.parametrize("question", ["", "   ", "x" * 501])
def test_an_empty_or_too_long_question_is_refused_before_any_call(fake_openai, ai_config, question):
    with pytest.raises(ValueError):
        asked(ai_config, question)
    assert fake_openai.requests == []
