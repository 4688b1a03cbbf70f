"""Scheduled reports: the daily job creates one report per schedule and period, however often
it runs, and the client's report addresses get one e-mail with the PDF when it is ready."""

from datetime import UTC, date, datetime

import pytest
from django.core import mail

from analytics.choices import ReportStatus
from analytics.models import Report, ReportSchedule
from analytics.reports.services import report_email, report_render
from operations.jobs import create_scheduled_reports
from operations.models import JobRun
from settings_app.models import Client
from tests.analytics.reporting import agency

APRIL_2 = datetime(2026, 4, 2, 6, tzinfo=UTC)  # a Thursday


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OPENAI_API_KEY = ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return agency()


def test_the_daily_job_creates_one_report_per_schedule_and_period(
    world, django_capture_on_commit_callbacks
):
    client = world["client"]
    ReportSchedule.objects.create(client=client, frequency="monthly")
    ReportSchedule.objects.create(client=client, frequency="weekly")
    with django_capture_on_commit_callbacks() as queued:
        create_scheduled_reports(now=APRIL_2)
    with django_capture_on_commit_callbacks():
        create_scheduled_reports(now=APRIL_2)  # again: nothing new

    periods = sorted(Report.objects.values_list("kind", "start", "end"))
    assert periods == [
        ("monthly", date(2026, 3, 1), date(2026, 3, 31)),
        ("weekly", date(2026, 3, 23), date(2026, 3, 29)),
    ]
    assert len(queued) == 2
    assert JobRun.objects.filter(job="create_scheduled_reports").count() == 2
    assert all(r.scope_name == "Acme Foods" for r in Report.objects.all())


def test_a_disabled_schedule_or_inactive_client_gets_no_report(world):
    ReportSchedule.objects.create(client=world["client"], frequency="monthly", enabled=False)
    gone = Client.objects.create(name="Gone Ltd", is_active=False, report_emails="a@gone.test")
    ReportSchedule.objects.create(client=gone, frequency="monthly")

    create_scheduled_reports(now=APRIL_2)

    assert not Report.objects.exists()


def test_a_ready_scheduled_report_is_emailed_once_to_the_clients_addresses(world):
    ReportSchedule.objects.create(client=world["client"], frequency="monthly")
    create_scheduled_reports(now=APRIL_2)
    report = Report.objects.get()

    report = report_render(report.pk)

    assert report.status == ReportStatus.COMPLETED
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["boss@acme.test", "team@acme.test"]
    assert "Acme Foods" in message.subject
    ((name, content, mimetype),) = message.attachments
    assert name.endswith(".pdf") and mimetype == "application/pdf"
    assert content.startswith(b"%PDF")

    assert report_email(report) is False  # a second delivery sends nothing
    assert report_render(report.pk) is None  # done: not rendered again
    assert len(mail.outbox) == 1
    report.refresh_from_db()
    assert report.emailed_at is not None


def test_an_on_demand_report_is_not_emailed(world, django_capture_on_commit_callbacks):
    from analytics.reports.services import report_create

    report = report_create(
        kind="monthly",
        scope_kind="client",
        scope_id=world["client"].pk,
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
    )
    report_render(report.pk)
    assert mail.outbox == []


def test_a_render_whose_worker_died_is_queued_again_and_rendered_once(
    world, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from analytics.reports.services import report_create

    report = report_create(
        kind="custom",
        scope_kind="client",
        scope_id=world["client"].pk,
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
    )
    long_ago = timezone.now() - timedelta(hours=2)
    Report.objects.filter(pk=report.pk).update(status="generating", started_at=long_ago, attempts=1)

    with django_capture_on_commit_callbacks() as queued:
        create_scheduled_reports()
    assert len(queued) == 1

    rendered = report_render(report.pk)
    assert rendered.status == ReportStatus.COMPLETED and rendered.attempts == 2
    assert report_render(report.pk) is None
