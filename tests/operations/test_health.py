"""GET /api/v1/operations/health/: up/down for anyone (HTTP 200/503), details for staff."""

import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.html import escape
from rest_framework.test import APIClient

from operations.alerts import heartbeat_beat
from operations.models import Heartbeat, JobStatus
from operations.queries import HEARTBEAT
from platforms import ratelimit
from platforms.providers.base import RateLimited, TemporaryError
from tests.operations.factories import FailedItemFactory, JobRunFactory
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/operations/health/"


@pytest.fixture
def healthy():
    call_command("sync_schedules")
    heartbeat_beat()


def _job(body, name):
    return next(job for job in body["jobs"] if job["job"] == name)


def test_a_healthy_system_is_up_and_says_only_that_to_anyone(healthy):
    response = APIClient().get(URL)

    assert response.status_code == 200
    assert response.json() == {"status": "up"}


def test_staff_see_every_job_the_dead_letters_the_providers_the_ai_and_freshness(healthy, api):
    now = timezone.now()
    JobRunFactory(
        job="refresh_post_stats",
        started_at=now - timedelta(minutes=3),
        finished_at=now - timedelta(minutes=2),
        items_ok=40,
        items_failed=2,
        status=JobStatus.PARTIAL,
    )
    FailedItemFactory.create_batch(2)
    PostFactory(next_refresh_at=now + timedelta(hours=1))
    overdue = PostFactory(next_refresh_at=now - timedelta(days=2))

    body = api.get(URL).json()

    assert body["status"] == "up" and body["database"] and body["worker"]
    job = _job(body, "refresh_post_stats")
    assert job["last_status"] == "partial"
    assert (job["items_ok"], job["items_failed"], job["last_duration_s"]) == (40, 2, 60)
    assert job["next_run"] is not None and job["dead_letters"] == 2
    assert _job(body, "detect_new_posts")["state"] == "never"
    assert body["dead_letters"]["post_refresh"] == 2
    assert {"provider", "paused_until", "quota_left"} <= set(body["providers"][0])
    assert body["ai"]["configured"] is False and body["ai"]["reason"]
    assert body["freshness"]["posts"] == 2 and body["freshness"]["on_time_share"] == 0.5
    assert body["freshness"]["oldest_overdue"]["id"] == overdue.pk
    assert body["problems"] == []


def test_a_stale_worker_is_down_with_503(healthy, api):
    Heartbeat.objects.filter(name=HEARTBEAT).update(beat_at=timezone.now() - timedelta(hours=1))

    anonymous = APIClient().get(URL)
    staff = api.get(URL)

    assert anonymous.status_code == 503 and anonymous.json() == {"status": "down"}
    assert staff.status_code == 503
    assert staff.json()["worker"] is False and staff.json()["database"] is True


def test_no_heartbeat_ever_is_down(api):
    assert api.get(URL).status_code == 503


def test_a_failing_job_shows_its_error_to_staff_but_the_machine_is_still_up(healthy, api):
    JobRunFactory(job="classify_posts", status=JobStatus.FAILED, error="AIError: server said 500")

    response = api.get(URL)
    body = response.json()

    assert response.status_code == 200
    job = _job(body, "classify_posts")
    assert job["state"] == "failed" and job["last_error"] == "AIError: server said 500"
    assert "Job classify_posts failed: AIError: server said 500" in body["problems"]
    assert APIClient().get(URL).json() == {"status": "up"}  # no details leak


def test_a_late_job_is_a_problem(healthy, api):
    from django_q.models import Schedule

    Schedule.objects.filter(name="detect_new_posts").update(
        next_run=timezone.now() - timedelta(hours=2)
    )

    body = api.get(URL).json()

    assert _job(body, "detect_new_posts")["state"] == "late"
    assert any("detect_new_posts has not run on time" in p for p in body["problems"])


def test_an_unreachable_provider_shows_its_error_and_pause(healthy, api, caplog):
    with caplog.at_level(logging.WARNING, logger="platforms.providers"):
        ratelimit.after_error("youtube_api", TemporaryError("Connection refused"))
        ratelimit.after_error("youtube_api", RateLimited("429", retry_after=2 * 3600))

    body = api.get(URL).json()

    state = next(p for p in body["providers"] if p["provider"] == "youtube_api")
    assert state["last_error"] == "RateLimited: 429" and state["paused_until"]
    assert any("Provider youtube_api is paused" in p for p in body["problems"])
    errors = [r for r in caplog.records if getattr(r, "event", "") == "provider_error"]
    assert [(r.provider, r.error) for r in errors] == [
        ("youtube_api", "TemporaryError: Connection refused"),
        ("youtube_api", "RateLimited: 429"),
    ]


def test_an_unreachable_database_is_down_with_503(healthy, monkeypatch):
    from operations import queries

    monkeypatch.setattr(queries, "database_reachable", lambda: False)

    response = APIClient().get(URL)

    assert response.status_code == 503 and response.json() == {"status": "down"}


def test_the_dashboard_and_the_health_endpoint_list_the_same_problems(
    healthy, api, superuser_client
):
    """Issue 16: "No problems" beside two failed jobs; "down" with `problems: []`."""
    Heartbeat.objects.filter(name=HEARTBEAT).update(beat_at=timezone.now() - timedelta(hours=1))
    JobRunFactory(job="classify_posts", status=JobStatus.FAILED, error="AIError: 500")
    JobRunFactory(job="refresh_post_stats", status=JobStatus.FAILED, error="3 items failed: x")

    body = api.get(URL).json()
    page = superuser_client.get("/admin/operations/jobrun/dashboard/").content.decode()

    assert body["status"] == "down"
    problems = body["problems"]
    assert problems[0].startswith("No worker is running the jobs: its last heartbeat was at")
    assert "Job classify_posts failed: AIError: 500" in problems
    assert "Job refresh_post_stats failed: 3 items failed: x" in problems
    assert "No problems" not in page
    for problem in problems:
        assert escape(problem) in page
