"""Alerts: silent by default; each condition sent once (e-mail and Slack webhook) until it
clears; sent again if it comes back; the daily digest once a day."""

from datetime import timedelta

import pytest
import requests
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule

from operations import jobs
from operations.alerts import alerts_check, daily_digest_send
from operations.models import Alert, JobRun, JobStatus
from tests.operations.factories import FailedItemFactory, JobRunFactory
from tests.webhook_fake import FakeWebhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def webhook():
    fake = FakeWebhook()
    yield fake
    fake.close()


@pytest.fixture
def alerting(settings, webhook):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALERT_EMAILS = ["ops@example.com"]
    settings.SLACK_WEBHOOK_URL = webhook.url
    settings.ALERT_DEAD_LETTER_THRESHOLD = 2
    return webhook


def test_alerts_are_silent_by_default(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    FailedItemFactory.create_batch(100)

    report = alerts_check()

    assert report.sent == [] and mail.outbox == [] and not Alert.objects.exists()


def test_an_alert_is_sent_once_not_on_every_run_and_again_after_it_cleared(alerting):
    items = FailedItemFactory.create_batch(3)

    first = alerts_check()
    second = alerts_check()

    assert first.sent == ["dead_letters:post_refresh"] and second.sent == []
    assert second.still_open == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ops@example.com"]
    assert "3 open dead letters of Post stats refresh" in mail.outbox[0].subject
    assert len(alerting.bodies) == 1 and "3 open dead letters" in alerting.bodies[0]["text"]

    items[0].delete()
    cleared = alerts_check()
    assert cleared.cleared == 1 and Alert.objects.get().cleared_at is not None

    FailedItemFactory()
    again = alerts_check()
    assert again.sent == ["dead_letters:post_refresh"]
    assert len(mail.outbox) == 2 and len(alerting.bodies) == 2


def test_a_late_job_a_long_provider_pause_and_repeated_ai_failures_alert(alerting):
    call_command("sync_schedules")
    now = timezone.now()
    Schedule.objects.filter(name="refresh_account_stats").update(next_run=now - timedelta(hours=3))
    from core.models import ProviderState

    ProviderState.objects.create(
        provider="youtube_api",
        paused_until=now + timedelta(minutes=50),
        last_error="RateLimited: 429",
        last_error_at=now - timedelta(minutes=20),
    )
    ProviderState.objects.create(
        provider="apify_instagram",
        paused_until=now + timedelta(minutes=5),
        last_error="RateLimited: 429",
        last_error_at=now,
    )
    for _ in range(3):
        JobRunFactory(job="classify_posts", status=JobStatus.FAILED, error="AIError: 500")

    report = alerts_check()

    assert sorted(report.sent) == [
        "ai_failing",
        "job_late:refresh_account_stats",
        "provider_paused:youtube_api",
    ]
    assert len(mail.outbox) == 1 and mail.outbox[0].subject.endswith("3 new alerts")


def test_an_ai_without_a_key_is_not_an_ai_failure_alert(alerting):
    for _ in range(3):
        JobRunFactory(
            job="classify_posts", status=JobStatus.FAILED, error="AINotConfigured: no key"
        )

    assert alerts_check().sent == []


def test_a_failing_channel_sends_the_alert_again_next_time(alerting):
    FailedItemFactory.create_batch(3)
    alerting.status = 500

    with pytest.raises(requests.HTTPError):
        alerts_check()
    assert not Alert.objects.exists()

    alerting.status = 200
    assert alerts_check().sent == ["dead_letters:post_refresh"]


def test_the_send_alerts_job_records_its_run(alerting):
    FailedItemFactory.create_batch(3)

    run = JobRun.objects.get(pk=jobs.send_alerts())

    assert run.job == "send_alerts" and run.status == JobStatus.SUCCEEDED and run.items_ok == 1


def test_the_daily_digest_is_sent_once_a_day(alerting):
    call_command("sync_schedules")
    FailedItemFactory()

    assert daily_digest_send() is True
    assert daily_digest_send() is False  # a second delivery the same day

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("[CreatorOps] Daily digest")
    assert "refresh_post_stats" in mail.outbox[0].body
    assert "post_refresh 1" in mail.outbox[0].body
    assert daily_digest_send(now=timezone.now() + timedelta(days=1)) is True
    assert len(mail.outbox) == 2


def test_a_platforms_refresh_failure_rate_past_the_threshold_alerts_once_until_it_clears(
    alerting, settings, monkeypatch
):
    """Issue 16: ALERT_SYNC_FAILURE_RATE (default 5 %) over the last hour, per platform."""
    from platforms.providers.base import TemporaryError
    from tests.operations import fakes
    from tests.posts.factories import PostFactory

    assert settings.ALERT_SYNC_FAILURE_RATE == 0.05
    settings.REFRESH_MAX_FAILURES = 10
    fake = fakes.install(settings, monkeypatch)
    for index in range(18):
        PostFactory(post_id=f"OK{index}", platform="youtube")
        fake.posts[f"OK{index}"] = fakes.post_stats(f"OK{index}", platform="youtube")
    for index in range(2):
        PostFactory(post_id=f"BAD{index}", platform="youtube")
        fake.posts[f"BAD{index}"] = TemporaryError("YouTube answered 503")
    for index in range(20):  # another platform, all fine: no alert for it
        PostFactory(post_id=f"IG{index}", platform="instagram")
        fake.posts[f"IG{index}"] = fakes.post_stats(f"IG{index}")

    jobs.refresh_post_stats()
    first, second = alerts_check(), alerts_check()

    assert first.sent == ["sync_failing:youtube"] and second.sent == []
    assert "Youtube refreshes are failing: 2 of 20 (10%) over the last hour" in (
        mail.outbox[0].subject
    )
    assert len(alerting.bodies) == 1

    # An hour later the failing runs are out of the window: the alert clears.
    cleared = alerts_check(now=timezone.now() + timedelta(hours=1, minutes=1))
    assert cleared.cleared == 1


def test_a_failure_rate_at_or_under_the_threshold_does_not_alert(alerting):
    JobRunFactory(job="refresh_post_stats", platform_counts={"tiktok": {"ok": 95, "failed": 5}})

    assert alerts_check().sent == []
