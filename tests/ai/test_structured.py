"""`structured_answer` alone against the fake server: the schema sent, the validator's retry,
usage summed over both calls, and the library's errors."""

import json

import pytest

from ai.config import AIConfig
from ai.errors import AIInvalidAnswer, AINotConfigured, AIRequestError, AITransientError
from ai.structured import structured_answer
from ai.validation import InvalidAnswer

from .fake_openai import Reply, error

SCHEMA = {
    "type": "object",
    "properties": {"word": {"type": "string"}},
    "required": ["word"],
    "additionalProperties": False,
}


def only_short(data: dict) -> str:
    if len(data.get("word", "")) > 5:
        raise InvalidAnswer("word is longer than 5 letters.")
    return data["word"]


def ask(config):
    return structured_answer(
        config,
        messages=[{"role": "system", "content": "Say a word."}, {"role": "user", "content": "?"}],
        schema_name="word",
        schema=SCHEMA,
        validate=only_short,
        prompt_version="word-v1",
    )


def test_a_valid_answer_comes_back_with_model_version_and_tokens(fake_openai, ai_config):
    fake_openai.script({"word": "hello"})
    answer = ask(ai_config)
    assert answer.value == "hello"
    assert (answer.model, answer.prompt_version, answer.calls) == ("gpt-4o-mini", "word-v1", 1)
    assert answer.prompt_tokens > 0 and answer.completion_tokens > 0
    sent = fake_openai.requests[0].body["response_format"]
    assert sent["json_schema"] == {"name": "word", "strict": True, "schema": SCHEMA}


def test_a_rejected_answer_is_retried_once_with_the_reason_and_tokens_add_up(
    fake_openai, ai_config
):
    fake_openai.script({"word": "extraordinary"}, {"word": "fine"})
    answer = ask(ai_config)
    assert answer.value == "fine" and answer.calls == 2
    assert answer.retried_because == "word is longer than 5 letters."
    retry = fake_openai.requests[1].messages
    assert "word is longer than 5 letters." in retry[-1]["content"]
    assert json.loads(retry[-2]["content"]) == {"word": "extraordinary"}
    first = fake_openai.requests[0].text_chars()
    assert answer.prompt_tokens > -(-first // 4)


def test_invalid_json_twice_fails_with_the_reason_and_the_tokens_spent(fake_openai, ai_config):
    fake_openai.script("not json {", "still not json")
    with pytest.raises(AIInvalidAnswer, match="not JSON") as caught:
        ask(ai_config)
    assert caught.value.prompt_tokens > 0 and caught.value.completion_tokens > 0
    assert len(fake_openai.requests) == 2


@pytest.mark.parametrize(
    ("reply", "raised"),
    [
        (error(429, "Slow down", Retry_After="3"), AITransientError),
        (error(503, "Overloaded"), AITransientError),
        (error(401, "Bad key"), AINotConfigured),
        (error(400, "Bad request"), AIRequestError),
    ],
)
def test_server_errors_become_the_library_errors(fake_openai, ai_config, reply, raised):
    fake_openai.script(reply)
    with pytest.raises(raised):
        ask(ai_config)
    assert len(fake_openai.requests) == 1


def test_a_timeout_is_transient(fake_openai, ai_config):
    fake_openai.script(Reply(delay=ai_config.timeout_s + 0.5))
    with pytest.raises(AITransientError, match="did not answer"):
        ask(ai_config)


def test_without_a_key_nothing_is_sent_and_the_reason_is_given(fake_openai):
    with pytest.raises(AINotConfigured, match="OPENAI_API_KEY"):
        ask(AIConfig(api_key="", base_url=fake_openai.url + "/v1"))
    assert fake_openai.requests == []
