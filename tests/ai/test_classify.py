"""The AI library alone, against the fake OpenAI-compatible server (the real `openai` client)."""

import json

import pytest

from ai.classify import classify, retry_after_seconds
from ai.config import AIConfig
from ai.errors import AIInvalidAnswer, AINotConfigured, AIRequestError, AITransientError
from ai.prompts import PROMPT_VERSION
from ai.types import PostInput

from .conftest import SMALL_TAXONOMY
from .fake_openai import Reply, error

REEL = PostInput(
    platform="Instagram",
    is_video=True,
    base_format="Video/Reels",
    content_type="Video – Short (9:16)",
    caption="3 index funds I would buy with my first $1,000 #investing #money",
    duration_s=31.0,
    username="moneywithmia",
    account_bio="Build wealth one paycheck at a time",
)
PHOTO = PostInput(
    platform="Instagram", is_video=False, base_format="Single Photo", caption="Leg day"
)

GOOD = {
    "idea_concept": "Which index funds to buy with a first $1,000.",
    "category": "Finance",
    "subcategories": ["Investing"],
    "reel_style": "Talking Head",
}


def test_a_valid_answer_is_returned_exactly_with_usage_model_and_prompt_version(
    fake_openai, ai_config
):
    fake_openai.script(GOOD)

    result = classify(REEL, SMALL_TAXONOMY, ai_config)

    assert (result.idea_concept, result.category) == (GOOD["idea_concept"], "Finance")
    assert (result.subcategories, result.reel_style) == (("Investing",), "Talking Head")
    assert result.model == "gpt-4o-mini"
    assert result.prompt_version == PROMPT_VERSION
    assert result.prompt_tokens > 0 and result.completion_tokens > 0
    assert result.calls == 1
    (request,) = fake_openai.requests
    assert request.headers["authorization"] == "Bearer test-key"


def test_the_request_uses_a_strict_schema_built_from_the_taxonomy(fake_openai, ai_config):
    classify(REEL, SMALL_TAXONOMY, ai_config)
    classify(PHOTO, SMALL_TAXONOMY, ai_config)

    video, photo = fake_openai.requests
    fmt = video.body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    props = video.schema["properties"]
    assert props["category"]["enum"] == ["Finance", "Fitness & Health"]
    assert props["subcategories"]["items"]["enum"] == [
        "Investing",
        "Nutrition",
        "Personal Finance",
        "Workouts",
    ]
    assert props["reel_style"] == {"type": "string", "enum": list(SMALL_TAXONOMY.reel_styles)}
    assert photo.schema["properties"]["reel_style"] == {"type": "null"}
    assert video.schema["additionalProperties"] is False
    assert "- Finance: Investing, Personal Finance" in video.system
    assert "@moneywithmia" in video.user and "#investing #money" in video.user


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({**GOOD, "category": "Crypto"}, "category 'Crypto' is not in the taxonomy"),
        (
            {**GOOD, "subcategories": ["Workouts"]},
            "sub-category 'Workouts' is not a sub-category of 'Finance'",
        ),
        ("{not json", "not valid JSON"),
        ({"category": "Finance"}, "lacks idea_concept, subcategories, reel_style"),
    ],
)
def test_an_invalid_answer_is_retried_once_with_the_error_then_fails_with_it(
    fake_openai, ai_config, bad, message
):
    fake_openai.script(bad, bad)

    with pytest.raises(AIInvalidAnswer, match=message) as raised:
        classify(REEL, SMALL_TAXONOMY, ai_config)

    first, retry = fake_openai.requests
    assert retry.messages[:2] == first.messages
    assert retry.messages[2]["role"] == "assistant"
    assert message.split("'")[0] in retry.messages[3]["content"]
    assert raised.value.prompt_tokens > 0


def test_a_reel_style_for_a_photo_is_rejected(fake_openai, ai_config):
    bad = {**GOOD, "reel_style": "Talking Head"}
    fake_openai.script(bad, bad)

    with pytest.raises(AIInvalidAnswer, match="reel_style must be null"):
        classify(PHOTO, SMALL_TAXONOMY, ai_config)


def test_a_corrected_answer_after_the_retry_is_accepted(fake_openai, ai_config):
    fake_openai.script({**GOOD, "category": "Crypto"}, GOOD)

    result = classify(REEL, SMALL_TAXONOMY, ai_config)

    assert result.category == "Finance"
    assert result.calls == 2
    assert "Crypto" in result.retried_because
    assert result.prompt_tokens > json.dumps(GOOD).__len__() // 4  # both calls counted


def test_names_are_matched_forgiving_case_only(fake_openai, ai_config):
    fake_openai.script({**GOOD, "category": "finance", "subcategories": ["investing "]})

    result = classify(REEL, SMALL_TAXONOMY, ai_config)

    assert (result.category, result.subcategories) == ("Finance", ("Investing",))


def test_a_429_is_transient_with_its_retry_after(fake_openai, ai_config):
    fake_openai.script(error(429, "Slow down", Retry_After="7"))

    with pytest.raises(AITransientError) as raised:
        classify(REEL, SMALL_TAXONOMY, ai_config)

    assert raised.value.retry_after == 7.0
    assert raised.value.rate_limited
    assert len(fake_openai.requests) == 1  # the client does not retry on its own


def test_a_500_and_a_timeout_are_transient(fake_openai, ai_config):
    fake_openai.script(error(500, "Boom"), Reply(delay=ai_config.timeout_s + 0.5))

    with pytest.raises(AITransientError, match="500"):
        classify(REEL, SMALL_TAXONOMY, ai_config)
    with pytest.raises(AITransientError, match="did not answer within"):
        classify(REEL, SMALL_TAXONOMY, ai_config)


def test_a_refused_key_or_unknown_model_means_not_configured(fake_openai, ai_config):
    fake_openai.script(error(401, "Incorrect API key"), error(404, "No such model"))

    with pytest.raises(AINotConfigured, match="refused the API key"):
        classify(REEL, SMALL_TAXONOMY, ai_config)
    with pytest.raises(AINotConfigured, match="does not know model"):
        classify(REEL, SMALL_TAXONOMY, ai_config)


def test_another_4xx_is_a_request_error(fake_openai, ai_config):
    fake_openai.script(error(400, "Bad request"))

    with pytest.raises(AIRequestError, match="400"):
        classify(REEL, SMALL_TAXONOMY, ai_config)


def test_without_a_key_nothing_is_sent(fake_openai, ai_config):
    config = AIConfig(base_url=ai_config.base_url)

    with pytest.raises(AINotConfigured, match="OPENAI_API_KEY is empty"):
        classify(REEL, SMALL_TAXONOMY, config)

    assert fake_openai.requests == []


def test_images_are_sent_when_enabled_and_dropped_if_the_server_cannot_use_them(
    fake_openai, ai_config
):
    config = AIConfig(**{**ai_config.__dict__, "use_images": True})
    post = PostInput(**{**REEL.__dict__, "thumbnail_url": "https://cdn.example/t.jpg"})
    fake_openai.script(error(400, "Error while downloading the image"), GOOD)

    result = classify(post, SMALL_TAXONOMY, config)

    first, second = fake_openai.requests
    assert first.messages[1]["content"][1]["image_url"]["url"] == "https://cdn.example/t.jpg"
    assert isinstance(second.messages[1]["content"], str)
    assert result.category == "Finance"


def test_long_text_is_trimmed_to_the_budget(fake_openai, ai_config):
    config = AIConfig(**{**ai_config.__dict__, "text_budget_chars": 300})
    post = PostInput(**{**REEL.__dict__, "caption": "word " * 2000, "account_bio": "bio " * 500})

    classify(post, SMALL_TAXONOMY, config)

    (request,) = fake_openai.requests
    assert len(request.user) < 300 + 200  # the budget plus the labels
    assert "…" in request.user


def test_retry_after_accepts_milliseconds_and_http_dates():
    assert retry_after_seconds({"retry-after-ms": "1500"}) == 1.5
    assert retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert retry_after_seconds({}) is None
