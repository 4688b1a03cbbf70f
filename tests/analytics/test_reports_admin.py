"""Reports in the admin: the list shows status, size, the download link and the error; the
"generate report" page creates a report; deleting removes the file; editors see their own."""

from datetime import date

import pytest
from django.urls import reverse

from analytics.models import Report
from analytics.reports.services import report_render
from tests.analytics.reporting import agency, march_report
from tests.settings_app.factories import UserFactory


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OPENAI_API_KEY = ""
    return agency()


def make(world, **kw) -> Report:
    return march_report(world["client"], **kw)


def test_the_list_shows_status_size_download_and_error(world, client, monkeypatch):
    done = report_render(make(world).pk)
    broken = make(world)
    Report.objects.filter(pk=broken.pk).update(
        status="failed", attempts=2, error="RuntimeError: Pango exploded"
    )
    client.force_login(UserFactory(is_staff=True, roles=["Manager"]))

    page = client.get(reverse("admin:analytics_report_changelist")).content.decode()

    assert "Completed" in page and "Failed" in page
    assert reverse("admin:analytics_report_download", args=[done.pk]) in page
    assert "Pango exploded" in page
    assert "KB" in page  # the size
    assert reverse("admin:analytics_report_generate") in page


def test_the_download_page_answers_the_pdf(world, client):
    done = report_render(make(world).pk)
    client.force_login(UserFactory(is_staff=True, roles=["Manager"]))

    response = client.get(reverse("admin:analytics_report_download", args=[done.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_generate_page_creates_a_report_and_queues_its_render(
    world, client, django_capture_on_commit_callbacks
):
    manager = UserFactory(is_staff=True, roles=["Manager"])
    client.force_login(manager)
    url = reverse("admin:analytics_report_generate")
    assert f'value="client:{world["client"].pk}"' in client.get(url).content.decode()

    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            url,
            {
                "kind": "monthly",
                "scope": f"client:{world['client'].pk}",
                "start": "2026-03-01",
                "end": "2026-03-31",
            },
        )

    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.start, report.end, report.created_by) == (
        date(2026, 3, 1),
        date(2026, 3, 31),
        manager,
    )
    assert len(queued) == 1


def test_the_generate_page_names_a_bad_period(world, client):
    client.force_login(UserFactory(is_staff=True, roles=["Manager"]))
    response = client.post(
        reverse("admin:analytics_report_generate"),
        {
            "kind": "monthly",
            "scope": f"client:{world['client'].pk}",
            "start": "2026-03-31",
            "end": "2026-03-01",
        },
    )
    assert response.status_code == 200
    assert "The end date must be on or after the start date." in response.content.decode()
    assert not Report.objects.exists()


def test_deleting_in_the_admin_removes_the_file(world, client, django_capture_on_commit_callbacks):
    done = report_render(make(world).pk)
    storage, name = done.file.storage, done.file.name
    client.force_login(UserFactory(is_staff=True, roles=["Manager"]))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:analytics_report_changelist"),
            {"action": "delete_reports", "_selected_action": [done.pk]},
        )

    assert response.status_code == 302
    assert not Report.objects.exists()
    assert not storage.exists(name)


def test_an_editor_sees_only_the_reports_it_asked_for(world, client):
    editor = UserFactory(is_staff=True, roles=["Editor"])
    make(world)
    mine = make(world, created_by=editor)
    client.force_login(editor)

    page = client.get(reverse("admin:analytics_report_changelist")).content.decode()

    assert reverse("admin:analytics_report_change", args=[mine.pk]) in page
    others = Report.objects.exclude(pk=mine.pk).get()
    assert reverse("admin:analytics_report_change", args=[others.pk]) not in page
    assert (
        client.get(reverse("admin:analytics_report_download", args=[others.pk])).status_code == 404
    )


def test_an_empty_list_says_what_to_do_for_who_generates_and_who_only_reads(db, client):
    manager = UserFactory(is_staff=True, roles=["Manager"])
    creator = UserFactory(is_staff=True, roles=["Creator"])
    url = reverse("admin:analytics_report_changelist")

    client.force_login(manager)
    asks = client.get(url).content.decode()
    client.force_login(creator)
    reads = client.get(url).content.decode()

    assert 'id="reports-empty"' in asks and "Press “Generate a report” above" in asks
    assert 'id="reports-empty"' in reads and "once a manager generates one" in reads
    assert "Generate a report" not in reads
    client.force_login(manager)
    assert 'id="reports-empty"' not in client.get(url, {"status__exact": "failed"}).content.decode()
