"""Re-queue from the API (one post, many, every failed) and the AI status endpoint."""

import pytest
from rest_framework.test import APIClient

from posts.choices import ProcessingStatus, TrialStatus
from posts.models import Post
from settings_app.services import api_key_create
from tests.settings_app.factories import UserFactory

from .conftest import queued_post

pytestmark = pytest.mark.django_db

POSTS = "/api/v1/posts/"


def test_reclassify_queues_a_failed_post_again(api, ai_settings):
    post = queued_post(processing_status=ProcessingStatus.FAILED, ai_attempts=3, ai_error="boom")

    response = api.post(f"{POSTS}{post.pk}/reclassify/")

    assert response.status_code == 202
    assert response.data["processing_status"] == "pending"
    assert (response.data["ai_attempts"], response.data["ai_error"]) == (0, "")


def test_reclassify_refuses_a_trial_reel_with_the_reason(api, ai_settings):
    post = queued_post(is_trial=True, trial_status=TrialStatus.PENDING)

    response = api.post(f"{POSTS}{post.pk}/reclassify/")

    assert response.status_code == 400
    assert response.data["error"]["code"] == "trial"
    assert "approve it first" in response.data["error"]["message"]


def test_reclassify_refuses_a_post_being_classified(api, ai_settings):
    post = queued_post(processing_status=ProcessingStatus.PROCESSING)

    response = api.post(f"{POSTS}{post.pk}/reclassify/")

    assert response.status_code == 400
    assert response.data["error"]["code"] == "processing"


def test_bulk_reclassify_by_ids(api, ai_settings):
    posts = [queued_post(processing_status=ProcessingStatus.COMPLETED) for _ in range(3)]

    response = api.post(f"{POSTS}reclassify/", {"ids": [p.pk for p in posts[:2]]})

    assert (response.status_code, response.data) == (202, {"requeued": 2})
    assert Post.objects.filter(processing_status=ProcessingStatus.PENDING).count() == 2


def test_bulk_reclassify_every_failed_post(api, ai_settings):
    for _ in range(2):
        queued_post(processing_status=ProcessingStatus.FAILED)
    queued_post(processing_status=ProcessingStatus.COMPLETED)

    response = api.post(f"{POSTS}reclassify/", {"status": "failed"})

    assert response.data == {"requeued": 2}
    assert not Post.objects.filter(processing_status=ProcessingStatus.FAILED).exists()


@pytest.mark.parametrize("body", [{}, {"ids": [1], "status": "failed"}, {"status": "completed"}])
def test_bulk_reclassify_needs_ids_or_the_failed_status(api, ai_settings, body):
    response = api.post(f"{POSTS}reclassify/", body)

    assert response.status_code == 400
    assert "error" in response.data


def test_the_status_says_configured_and_counts_posts_by_status(api, ai_settings):
    queued_post()
    queued_post(processing_status=ProcessingStatus.FAILED)
    queued_post(is_trial=True, trial_status=TrialStatus.PENDING)  # not counted

    data = api.get("/api/v1/ai/status/").data

    assert (data["configured"], data["reason"]) == (True, "")
    assert data["model"] == "gpt-4o-mini"
    assert data["prompt_version"] == "classify-v1"
    assert data["counts"] == {"pending": 1, "processing": 0, "completed": 0, "failed": 1}


def test_the_status_says_why_nothing_is_classified_without_a_key(api, ai_settings):
    ai_settings.OPENAI_API_KEY = ""

    data = api.get("/api/v1/ai/status/").data

    assert data["configured"] is False
    assert "OPENAI_API_KEY is empty" in data["reason"]


def test_a_read_only_key_cannot_reclassify(ai_settings):
    _, raw = api_key_create(user=UserFactory(is_staff=True), name="ro", scopes=["read"])
    post = queued_post(processing_status=ProcessingStatus.FAILED)
    api = APIClient(HTTP_AUTHORIZATION=f"Api-Key {raw}")

    assert api.get("/api/v1/ai/status/").status_code == 200
    assert api.post(f"{POSTS}{post.pk}/reclassify/").status_code == 403
