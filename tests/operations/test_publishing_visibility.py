"""The publisher in operations: failed and unconfirmed targets on the dashboard with their cause
and a link, the health details' publishing counts (unconfirmed, stuck, unclaimed), a stopped
publisher as a problem, and the minutely job recording a run only when it did something."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from operations.alerts import heartbeat_beat
from operations.jobs import publish_due_targets
from operations.models import Heartbeat, JobRun, JobStatus
from operations.queries import PUBLISHER_HEARTBEAT
from publishing.choices import TargetState
from tests.publishing.factories import PublishTargetFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/operations/jobrun/dashboard/"
HEALTH = "/api/v1/operations/health/"


@pytest.fixture
def healthy():
    call_command("sync_schedules")
    heartbeat_beat()


def ago(minutes: float):
    return timezone.now() - timedelta(minutes=minutes)


def test_failed_and_unconfirmed_targets_are_on_the_dashboard_with_their_cause(client, role_user):
    failed = PublishTargetFactory(
        state=TargetState.FAILED,
        error_class="graph_9004_2207052",
        error="Instagram: The media could not be fetched from this URI (code 9004).",
    )
    unconfirmed = PublishTargetFactory(
        state=TargetState.UNCONFIRMED,
        error_class="unconfirmed",
        error="The platform never confirmed whether this post went out.",
    )
    PublishTargetFactory(state=TargetState.PUBLISHED, published_at=timezone.now())
    client.force_login(role_user("Manager"))
    page = client.get(DASHBOARD).content.decode()
    section = page[page.index('id="publishing-attention"') :]
    assert "The media could not be fetched from this URI" in section
    assert "never confirmed whether this post went out" in section
    for target in (failed, unconfirmed):
        assert reverse("admin:publishing_publishtarget_change", args=[target.pk]) in section
    assert section.count('class="row') == 2  # the published one is not listed


def test_a_role_that_cannot_see_targets_does_not_get_the_section(client, role_user):
    PublishTargetFactory(state=TargetState.FAILED, error="boom")
    client.force_login(role_user("Finance"))
    page = client.get(DASHBOARD)
    assert page.status_code == 200
    assert 'id="publishing-attention"' not in page.content.decode()


def test_health_counts_unconfirmed_stuck_and_unclaimed_targets_and_names_the_problem(
    healthy, api, settings
):
    settings.PUBLISH_MISSED_AFTER_MINUTES = 10
    PublishTargetFactory(state=TargetState.UNCONFIRMED)
    PublishTargetFactory(state=TargetState.PUBLISHING, lease_until=ago(30))
    PublishTargetFactory(state=TargetState.PUBLISHING, lease_until=ago(-5))  # still leased
    PublishTargetFactory(state=TargetState.SCHEDULED, next_attempt_at=ago(30))
    PublishTargetFactory(state=TargetState.SCHEDULED, next_attempt_at=ago(2))  # due just now
    body = api.get(HEALTH).json()
    publishing = body["publishing"]
    assert publishing["unconfirmed"] == 1
    assert publishing["stuck_in_publishing"] == 1
    assert publishing["unclaimed_overdue"] == 1
    assert publishing["publisher_last_pass"] is None
    problems = " ".join(body["problems"])
    assert "1 publish target(s) due more than 10 minutes ago are not claimed" in problems
    assert "last pass was never" in problems
    assert "still in publishing past their lease" in problems


def test_an_idle_publishing_pass_records_no_run_but_stamps_the_publisher_heartbeat():
    assert publish_due_targets() is None
    assert not JobRun.objects.filter(job="publish_due_targets").exists()
    beat = Heartbeat.objects.get(name=PUBLISHER_HEARTBEAT).beat_at
    assert beat > timezone.now() - timedelta(seconds=5)


def test_a_pass_that_did_work_records_its_run(settings):
    PublishTargetFactory(state=TargetState.PUBLISHING, lease_until=ago(30))  # a dead worker's
    run_id = publish_due_targets()
    run = JobRun.objects.get(pk=run_id)
    assert run.job == "publish_due_targets" and run.status == JobStatus.SUCCEEDED


def test_a_crashing_pass_records_a_failed_run(monkeypatch):
    def crash(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("operations.jobs.publishing_pass", crash)
    with pytest.raises(RuntimeError):
        publish_due_targets()
    run = JobRun.objects.get(job="publish_due_targets")
    assert run.status == JobStatus.FAILED and "database went away" in run.error
