"""Re-queue from the admin (an action, a button for every failed post) and the banner that says
why nothing is classified."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from posts.choices import ProcessingStatus, TrialStatus
from posts.models import Post

from .conftest import queued_post

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:posts_post_changelist")


def test_the_action_requeues_the_selection(superuser_client, ai_settings):
    failed = queued_post(processing_status=ProcessingStatus.FAILED, ai_attempts=3)
    trial = queued_post(is_trial=True, trial_status=TrialStatus.PENDING)

    response = superuser_client.post(
        CHANGELIST,
        {"action": "requeue_classification", "_selected_action": [failed.pk, trial.pk]},
        follow=True,
    )

    failed.refresh_from_db()
    assert (failed.processing_status, failed.ai_attempts) == (ProcessingStatus.PENDING, 0)
    text = [str(m) for m in get_messages(response.wsgi_request)] or response.content.decode()
    assert "1 of 2 posts queued for the AI again" in str(text)


def test_the_button_requeues_every_failed_post(superuser_client, ai_settings):
    for _ in range(2):
        queued_post(processing_status=ProcessingStatus.FAILED)
    url = reverse("admin:posts_post_requeue_failed_ai")

    page = superuser_client.get(CHANGELIST).content.decode()
    assert url in page and "Re-queue all failed (AI)" in page
    assert superuser_client.get(url).status_code == 405  # a POST only
    response = superuser_client.post(url, follow=True)

    assert not Post.objects.filter(processing_status=ProcessingStatus.FAILED).exists()
    assert "2 failed posts queued for the AI again." in response.content.decode()


def test_the_button_needs_the_change_permission(client, ai_settings, staff_without_role):
    client.force_login(staff_without_role)

    response = client.post(reverse("admin:posts_post_requeue_failed_ai"))

    assert response.status_code == 403


def test_without_a_key_the_changelist_and_the_post_say_why(superuser_client, ai_settings):
    ai_settings.OPENAI_API_KEY = ""
    post = queued_post()

    for url in (CHANGELIST, reverse("admin:posts_post_change", args=[post.pk])):
        page = superuser_client.get(url).content.decode()
        assert "AI not configured: OPENAI_API_KEY is empty" in page


def test_no_banner_when_configured(superuser_client, ai_settings):
    page = superuser_client.get(CHANGELIST).content.decode()

    assert "AI not configured" not in page
