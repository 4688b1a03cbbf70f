"""The assistance features of the library (captions, quality check, thread summary, brief to
tasks) against the fake server: valid answers, limits, hallucinated ids and rules."""

from datetime import UTC, datetime

import pytest

from ai.assist import PlatformLimits
from ai.briefs import BriefInput, brief_to_tasks
from ai.captions import CaptionInput, caption_repurpose, caption_suggest
from ai.errors import AIInvalidAnswer
from ai.quality import QualityInput, caption_quality_check
from ai.threads import ThreadComment, thread_summarize

from .fake_openai import caption_answer, quality_answer, summary_answer

IG = PlatformLimits("instagram", "Instagram", caption_max=2200, hashtags_max=30)
TT = PlatformLimits("tiktok", "TikTok", caption_max=2200)
TINY = PlatformLimits("instagram", "Instagram", caption_max=120, hashtags_max=2)
BRIEF = "Launch of the Aurora running shoe: light, recycled materials, on sale 1 March."
GUIDELINES = ("Always write AURORA in capitals", "No competitor names")


def shoe(limits=IG, **fields):
    return CaptionInput(brief=BRIEF, limits=limits, guidelines=GUIDELINES, **fields)


def test_captions_come_back_in_the_number_of_variants_asked(fake_openai, ai_config):
    answer = caption_suggest(ai_config, shoe(tone="witty"), variants=3)
    assert len(answer.value) == 3
    assert all(c.hashtags and c.hook and not c.trimmed for c in answer.value)
    request = fake_openai.requests[0]
    assert "exactly 3 distinct" in request.system and "playful" in request.system
    assert "2200 characters, with at most 30 hashtags" in request.system
    assert "Always write AURORA in capitals" in request.user


def test_the_brand_tone_needs_brand_voice_notes(ai_config):
    with pytest.raises(ValueError, match="brand voice"):
        caption_suggest(ai_config, shoe(tone="brand"))
    with pytest.raises(ValueError, match="tone must be one of"):
        caption_suggest(ai_config, shoe(tone="angry"))


def test_a_caption_over_the_limit_is_retried_with_the_reason(fake_openai, ai_config):
    fake_openai.script(lambda r: caption_answer(r, length=300, tags=5))
    answer = caption_suggest(ai_config, shoe(TINY))
    assert answer.calls == 2 and "over Instagram's limit" in answer.retried_because
    assert (
        "5 hashtags, over Instagram's limit of 2" in fake_openai.requests[1].messages[-1]["content"]
    )
    assert not answer.value[0].trimmed


def test_a_caption_still_over_after_the_retry_is_trimmed_and_flagged(fake_openai, ai_config):
    over = lambda r: caption_answer(r, length=300, tags=5)  # noqa: E731
    fake_openai.script(over, over)
    caption = caption_suggest(ai_config, shoe(TINY)).value[0]
    assert len(caption.as_posted()) <= 120 and len(caption.hashtags) == 2
    assert caption.trimmed and any("first 2 of 5 hashtags" in f for f in caption.flags)
    assert caption.caption.endswith("…")


def test_repurposing_sends_the_original_and_the_new_platform(fake_openai, ai_config):
    answer = caption_repurpose(
        ai_config,
        caption="Big news",
        hashtags=["shoes"],
        source_platform="Instagram",
        data=shoe(TT),
    )
    assert answer.prompt_version == "caption-repurpose-v1" and answer.value
    assert "for TikTok" in fake_openai.requests[0].system
    assert "Big news\\n\\n#shoes" in fake_openai.requests[0].user


def test_quality_flags_cite_a_given_guideline(fake_openai, ai_config):
    data = QualityInput("Aurora is here", ("shoes",), IG, guidelines=GUIDELINES)
    flags = caption_quality_check(ai_config, data).value
    assert [(f.rule, f.source) for f in flags] == [("Always write AURORA in capitals", "guideline")]


def test_a_quality_flag_citing_an_unknown_rule_is_rejected_twice_then_fails(fake_openai, ai_config):
    made_up = lambda r: quality_answer(r, rule="Be nice")  # noqa: E731
    fake_openai.script(made_up, made_up)
    data = QualityInput("Aurora is here", (), IG, guidelines=GUIDELINES)
    with pytest.raises(AIInvalidAnswer, match="'Be nice' is neither a brand guideline"):
        caption_quality_check(ai_config, data)


def test_quality_counts_the_platform_limits_itself(fake_openai, ai_config):
    data = QualityInput("x" * 119, ("a", "b", "c"), TINY)
    flags = caption_quality_check(ai_config, data).value
    assert {f.rule for f in flags} == {
        "Instagram: caption at most 120 characters",
        "Instagram: at most 2 hashtags",
    }


COMMENTS = [
    ThreadComment(11, "Ana", "Let's use the second hook.", datetime(2026, 1, 1, tzinfo=UTC)),
    ThreadComment(12, "Client", "Please shorten the intro.", datetime(2026, 1, 2, tzinfo=UTC)),
]


def test_a_thread_summary_cites_the_comments(fake_openai, ai_config):
    summary = thread_summarize(ai_config, title="Reel 1", comments=COMMENTS).value
    assert summary.decisions[0].comment_ids == (11,)
    assert summary.open_requests[0].comment_ids == (12,)


def test_hallucinated_comment_ids_are_retried_then_refused(fake_openai, ai_config):
    bad = lambda r: summary_answer(r, extra_ids=(999,))  # noqa: E731
    fake_openai.script(bad)
    answer = thread_summarize(ai_config, title="Reel 1", comments=COMMENTS)
    assert "999" in answer.retried_because and answer.calls == 2
    fake_openai.script(bad, bad)
    with pytest.raises(AIInvalidAnswer, match="cites 999"):
        thread_summarize(ai_config, title="Reel 1", comments=COMMENTS)


def test_a_brief_becomes_proposed_deliverables_with_titles(fake_openai, ai_config):
    data = BriefInput("Aurora", BRIEF, "", {7: "Mia"}, ("instagram",), ("reel", "photo"))
    proposal = brief_to_tasks(ai_config, data).value
    assert proposal[0].creator_id == 7 and proposal[0].quantity == 2
    schema = fake_openai.requests[0].schema["properties"]["deliverables"]["items"]
    assert schema["properties"]["creator_id"]["enum"] == [7]
    fake_openai.script(
        {
            "deliverables": [
                {"creator_id": 8, "platform": "instagram", "kind": "reel", "task_titles": ["x"]}
            ]
        }
    )
    assert brief_to_tasks(ai_config, data).retried_because.startswith("deliverables[1].creator_id")
