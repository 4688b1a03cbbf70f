"""The classify_posts job against a fake OpenAI-compatible server on 127.0.0.1: what is stored,
the status lifecycle of specs/ai.md, bounded concurrency, and that nothing is lost."""

from datetime import timedelta

import pytest

from operations import jobs
from operations.models import FailedItem, FailedItemKind, JobRun, JobStatus
from operations.services import failed_items_retry
from posts.choices import ProcessingStatus, ReelStyle, TrialStatus
from posts.models import Post
from posts.services.classification import (
    posts_claim_for_classification,
    posts_requeue_classification,
    posts_requeue_failed_classifications,
)
from posts.services.trials import post_approve_trial
from tests.ai.fake_openai import Reply, error
from tests.creators.factories import AccountFactory

from .conftest import NOW, queued_post

pytestmark = pytest.mark.django_db

GOOD = {
    "idea_concept": "Which index funds to buy with a first $1,000.",
    "category": "Finance",
    "subcategories": ["Investing", "Personal Finance"],
    "reel_style": "Talking Head",
}


def run(now=NOW) -> JobRun:
    return JobRun.objects.get(pk=jobs.classify_posts(now=now))


def test_a_valid_answer_is_stored_exactly(ai_settings, fake_openai, taxonomy):
    account = AccountFactory(biography="Build wealth one paycheck at a time")
    post = queued_post(account=account, username=account.username)
    fake_openai.script(GOOD)

    job = run()

    post.refresh_from_db()
    assert post.processing_status == ProcessingStatus.COMPLETED
    assert post.idea_concept == GOOD["idea_concept"]
    assert post.category == taxonomy["Finance"]
    assert sorted(post.subcategories.values_list("name", flat=True)) == [
        "Investing",
        "Personal Finance",
    ]
    assert post.reel_style == ReelStyle.TALKING_HEAD
    assert (post.ai_model, post.ai_prompt_version) == ("gpt-4o-mini", "classify-v1")
    assert post.ai_prompt_tokens > 0 and post.ai_completion_tokens > 0
    assert (post.ai_attempts, post.ai_error, post.ai_processed_at) == (1, "", NOW)
    assert post.ai_next_attempt_at is None
    assert (job.status, job.items_ok, job.items_failed) == (JobStatus.SUCCEEDED, 1, 0)
    (request,) = fake_openai.requests
    assert "Build wealth one paycheck" in request.user


def test_a_photo_gets_no_reel_style(ai_settings, fake_openai):
    post = queued_post(base_format="single_photo", content_type="photo_single", duration_s=None)
    fake_openai.script({**GOOD, "reel_style": None})

    run()

    post.refresh_from_db()
    assert (post.processing_status, post.reel_style) == (ProcessingStatus.COMPLETED, None)
    assert fake_openai.requests[0].schema["properties"]["reel_style"] == {"type": "null"}


@pytest.mark.parametrize(
    ("answer", "photo", "message"),
    [
        ({**GOOD, "category": "Crypto"}, False, "category 'Crypto' is not in the taxonomy"),
        (
            {**GOOD, "subcategories": ["Workouts"]},
            False,
            "sub-category 'Workouts' is not a sub-category of 'Finance'",
        ),
        ({**GOOD, "reel_style": "Hybrid"}, True, "reel_style must be null"),
    ],
    ids=["unknown category", "subcategory of another category", "reel style for a photo"],
)
def test_an_invalid_answer_is_retried_once_with_the_error_then_failed_with_it(
    ai_settings, fake_openai, answer, photo, message
):
    post = queued_post(base_format="single_photo" if photo else "video")
    fake_openai.script(answer, answer)

    job = run()

    post.refresh_from_db()
    assert post.processing_status == ProcessingStatus.FAILED
    assert message in post.ai_error
    assert post.category is None and post.reel_style is None
    _, retry = fake_openai.requests
    assert message.split(" '")[0] in retry.messages[-1]["content"]
    dead = FailedItem.objects.get(kind=FailedItemKind.AI_CLASSIFICATION)
    assert (dead.object_id, dead.error) == (str(post.pk), post.ai_error)
    assert (job.status, job.items_failed) == (JobStatus.FAILED, 1)
    # The run says why, as the post does (issue 16).
    assert job.error.startswith("1 item failed: ") and message in job.error


@pytest.mark.parametrize(
    "failure",
    [
        lambda: error(429, "Rate limit reached", Retry_After="7"),
        lambda: error(500, "The server had an error"),
        lambda: Reply(delay=1.0),  # past AI_TIMEOUT_S
    ],
    ids=["429 with Retry-After", "500", "timeout"],
)
def test_a_transient_error_goes_back_to_pending_with_backoff_then_fails_after_the_limit(
    ai_settings, fake_openai, failure
):
    post = queued_post()
    now = NOW
    for attempt in (1, 2):
        fake_openai.script(failure())
        run(now)
        post.refresh_from_db()
        assert (post.processing_status, post.ai_attempts) == (ProcessingStatus.PENDING, attempt)
        assert post.ai_error
        assert post.ai_next_attempt_at > now
        run(now)  # still backing off: not sent again
        assert len(fake_openai.requests) == attempt
        now = post.ai_next_attempt_at

    fake_openai.script(failure())
    job = run(now)

    post.refresh_from_db()
    assert post.processing_status == ProcessingStatus.FAILED
    assert "attempt 3 of 3" in post.ai_error
    assert FailedItem.objects.get(kind=FailedItemKind.AI_CLASSIFICATION).attempts == 3
    assert job.items_failed == 1


def test_a_429_waits_for_its_retry_after_and_stops_the_pass(ai_settings, fake_openai):
    ai_settings.AI_CONCURRENCY = 1
    first, *others = [queued_post() for _ in range(3)]
    fake_openai.script(error(429, "Rate limit reached", Retry_After="120"))

    run()

    first.refresh_from_db()
    assert first.ai_next_attempt_at == NOW + timedelta(seconds=120)
    assert len(fake_openai.requests) == 1
    for post in others:  # not sent: no attempt spent, due after the pause
        post.refresh_from_db()
        assert (post.processing_status, post.ai_attempts) == (ProcessingStatus.PENDING, 0)
        assert post.ai_next_attempt_at == NOW + timedelta(seconds=120)


def test_a_post_stuck_in_processing_is_taken_again(ai_settings, fake_openai):
    post = queued_post(
        processing_status=ProcessingStatus.PROCESSING,
        ai_attempts=1,
        ai_next_attempt_at=NOW - timedelta(minutes=1),  # its worker's deadline passed
    )
    busy = queued_post(
        processing_status=ProcessingStatus.PROCESSING,
        ai_attempts=1,
        ai_next_attempt_at=NOW + timedelta(minutes=5),  # a live worker has it
    )

    run()

    post.refresh_from_db()
    busy.refresh_from_db()
    assert (post.processing_status, post.ai_attempts) == (ProcessingStatus.COMPLETED, 2)
    assert busy.processing_status == ProcessingStatus.PROCESSING
    assert len(fake_openai.requests) == 1


def test_a_stuck_post_past_the_limit_is_failed_and_a_dead_letter(ai_settings, fake_openai):
    post = queued_post(
        processing_status=ProcessingStatus.PROCESSING,
        ai_attempts=3,
        ai_next_attempt_at=NOW - timedelta(minutes=1),
    )

    run()

    post.refresh_from_db()
    assert post.processing_status == ProcessingStatus.FAILED
    assert "Stuck in processing" in post.ai_error
    assert FailedItem.objects.filter(kind=FailedItemKind.AI_CLASSIFICATION).count() == 1
    assert fake_openai.requests == []
    assert "Stuck in processing" in JobRun.objects.get(job="classify_posts").error


def test_trial_reels_are_never_sent(ai_settings, fake_openai):
    trial = queued_post(is_trial=True, trial_status=TrialStatus.PENDING)
    rejected = queued_post(is_trial=True, trial_status=TrialStatus.REJECTED)
    regular = queued_post()

    run()

    assert len(fake_openai.requests) == 1
    regular.refresh_from_db()
    assert regular.processing_status == ProcessingStatus.COMPLETED
    for post in (trial, rejected):
        post.refresh_from_db()
        assert (post.processing_status, post.ai_attempts) == (ProcessingStatus.PENDING, 0)


def test_posts_without_metadata_wait(ai_settings, fake_openai):
    # Demo rows are kept out of the AI queue by the state the demo creates them in (see the
    # demo's tests), not by the queue.
    fresh = queued_post(last_updated=None, added_date=NOW - timedelta(minutes=5))
    old = queued_post(last_updated=None, added_date=NOW - timedelta(hours=2))

    run()

    assert len(fake_openai.requests) == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.processing_status == ProcessingStatus.COMPLETED
    assert fresh.processing_status == ProcessingStatus.PENDING


def test_without_an_api_key_nothing_is_sent_and_the_run_says_why(ai_settings, fake_openai):
    ai_settings.OPENAI_API_KEY = ""
    post = queued_post()

    job = run()

    assert fake_openai.requests == []
    post.refresh_from_db()
    assert (post.processing_status, post.ai_attempts) == (ProcessingStatus.PENDING, 0)
    assert job.status == JobStatus.FAILED
    assert "AI not configured" in job.error and "OPENAI_API_KEY" in job.error


def test_a_refused_key_leaves_the_posts_pending_and_fails_the_run(ai_settings, fake_openai):
    ai_settings.AI_CONCURRENCY = 1
    posts = [queued_post() for _ in range(3)]
    fake_openai.script(error(401, "Incorrect API key provided"))

    job = run()

    assert len(fake_openai.requests) == 1
    for post in posts:
        post.refresh_from_db()
        assert (post.processing_status, post.ai_attempts) == (ProcessingStatus.PENDING, 0)
    assert job.status == JobStatus.FAILED
    assert "refused the API key" in job.error


def test_an_empty_taxonomy_sends_nothing(ai_settings, fake_openai, taxonomy):
    for category in taxonomy.values():
        category.delete()
    post = queued_post()

    job = run()

    assert fake_openai.requests == []
    post.refresh_from_db()
    assert post.processing_status == ProcessingStatus.PENDING
    assert "taxonomy is empty" in job.error


def test_a_pass_over_200_posts_completes_them_all_with_bounded_concurrency(
    ai_settings, fake_openai
):
    ai_settings.AI_CONCURRENCY = 4
    fake_openai.latency = 0.02
    Post.objects.bulk_create(_post(n) for n in range(200))

    job = run()

    assert Post.objects.filter(processing_status=ProcessingStatus.COMPLETED).count() == 200
    assert len(fake_openai.requests) == 200
    assert 2 <= fake_openai.max_in_flight <= 4
    assert (job.items_ok, job.items_failed) == (200, 0)
    assert not Post.objects.filter(subcategories__isnull=True).exists()

    run(NOW + timedelta(hours=1))  # a rerun classifies nothing twice
    assert len(fake_openai.requests) == 200


def _post(n: int) -> Post:
    return Post(
        platform="instagram",
        post_id=f"Bulk{n:04d}",
        url=f"https://www.instagram.com/p/Bulk{n:04d}/",
        caption=f"Post number {n}: my morning routine and what I eat #{n}",
        base_format="video" if n % 3 else "carousel",
        last_updated=NOW,
        added_date=NOW,
        extra={},
    )


def test_claims_never_overlap(ai_settings):
    posts = [queued_post() for _ in range(5)]

    first = posts_claim_for_classification(now=NOW, limit=3)
    second = posts_claim_for_classification(now=NOW, limit=3)

    assert [p.pk for p in first + second] == [p.pk for p in posts]
    assert all(p.processing_status == ProcessingStatus.PROCESSING for p in first + second)


def test_requeue_resets_failed_and_completed_posts_but_not_trials_or_busy_ones(ai_settings):
    failed = queued_post(processing_status=ProcessingStatus.FAILED, ai_attempts=3, ai_error="x")
    done = queued_post(processing_status=ProcessingStatus.COMPLETED, ai_attempts=1)
    busy = queued_post(processing_status=ProcessingStatus.PROCESSING)
    trial = queued_post(is_trial=True, trial_status=TrialStatus.PENDING)

    count = posts_requeue_classification(ids=[failed.pk, done.pk, busy.pk, trial.pk])

    assert count == 2
    for post, status in [
        (failed, ProcessingStatus.PENDING),
        (done, ProcessingStatus.PENDING),
        (busy, ProcessingStatus.PROCESSING),
    ]:
        post.refresh_from_db()
        assert post.processing_status == status
    failed.refresh_from_db()
    assert (failed.ai_attempts, failed.ai_error) == (0, "")
    assert posts_requeue_failed_classifications() == 0


def test_a_replayed_dead_letter_is_classified_again_and_resolved(ai_settings, fake_openai):
    post = queued_post()
    fake_openai.script({**GOOD, "category": "Crypto"}, {**GOOD, "category": "Crypto"})
    run()
    assert FailedItem.objects.filter(resolved_at__isnull=True).count() == 1

    assert failed_items_retry(items=FailedItem.objects.all()) == 1
    run(NOW + timedelta(minutes=5))

    post.refresh_from_db()
    assert post.processing_status == ProcessingStatus.COMPLETED
    assert not FailedItem.objects.filter(resolved_at__isnull=True).exists()


def test_an_approved_trial_reel_is_classified_by_the_next_run(ai_settings, fake_openai, staff):
    post = queued_post(is_trial=True, trial_status=TrialStatus.PENDING)
    run()
    assert fake_openai.requests == []

    post_approve_trial(post=post, user=staff)
    run()

    post.refresh_from_db()
    assert post.processing_status == ProcessingStatus.COMPLETED
    assert len(fake_openai.requests) == 1
