"""`manage.py classify <url or id>`: one post in the foreground, with its size and cost."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from posts.choices import ProcessingStatus, TrialStatus

from .conftest import queued_post

pytestmark = pytest.mark.django_db

ANSWER = {
    "idea_concept": "Three index funds for a first $1,000.",
    "category": "Finance",
    "subcategories": ["Investing"],
    "reel_style": "Talking Head",
}


def classify(*args) -> str:
    out = StringIO()
    call_command("classify", *args, stdout=out)
    return out.getvalue()


def test_it_classifies_a_completed_post_again_and_prints_size_answer_and_cost(
    ai_settings, fake_openai
):
    post = queued_post(processing_status=ProcessingStatus.COMPLETED, ai_attempts=1)
    fake_openai.script(ANSWER)

    output = classify(post.url)

    assert "characters" in output and "tokens (server's count)" in output
    assert "Cost:            $0.0000" in output
    assert '"category": "Finance"' in output
    post.refresh_from_db()
    assert (post.idea_concept, post.ai_attempts) == (ANSWER["idea_concept"], 2)
    assert post.processing_status == ProcessingStatus.COMPLETED


def test_dry_run_stores_nothing_and_shows_the_prompt(ai_settings, fake_openai):
    post = queued_post()

    output = classify(str(post.pk), "--dry-run", "--show-prompt")

    assert "--- system ---" in output and "- Finance: Investing, Personal Finance" in output
    assert "Not stored (--dry-run)." in output
    post.refresh_from_db()
    assert post.processing_status == ProcessingStatus.PENDING


def test_errors_are_reported_and_nothing_is_stored(ai_settings, fake_openai):
    post = queued_post()
    fake_openai.script({**ANSWER, "category": "Crypto"}, {**ANSWER, "category": "Crypto"})

    with pytest.raises(CommandError, match="not in the taxonomy"):
        classify(str(post.pk))
    post.refresh_from_db()
    assert post.processing_status == ProcessingStatus.PENDING


def test_it_refuses_trials_unknown_posts_and_a_missing_key(ai_settings, fake_openai):
    trial = queued_post(is_trial=True, trial_status=TrialStatus.PENDING)

    with pytest.raises(CommandError, match="once approved"):
        classify(str(trial.pk))
    with pytest.raises(CommandError, match="No tracked post"):
        classify("https://www.instagram.com/p/Unknown123/")
    ai_settings.OPENAI_API_KEY = ""
    with pytest.raises(CommandError, match="OPENAI_API_KEY is empty"):
        classify(str(trial.pk))
    assert fake_openai.requests == []
