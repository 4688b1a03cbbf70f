"""/api/v1/reports/: list, create (render queued), retrieve, delete, download; role scoping;
400 naming the bad parameter."""

import pytest
from rest_framework.test import APIClient

from analytics.choices import ReportStatus
from analytics.models import Report
from analytics.reports.services import report_create, report_render
from tests.analytics.reporting import MARCH, agency
from tests.creators.factories import AccountFactory, CreatorFactory
from tests.settings_app.factories import EditorFactory, UserFactory

URL = "/api/v1/reports/"


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OPENAI_API_KEY = ""
    return agency()


def session(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def body(world, **changes) -> dict:
    data = {
        "kind": "monthly",
        "scope_kind": "client",
        "scope_id": world["client"].pk,
        "start": "2026-03-01",
        "end": "2026-03-31",
    }
    data.update(changes)
    return data


def test_a_manager_creates_a_report_renders_it_and_downloads_the_pdf(
    world, django_capture_on_commit_callbacks
):
    manager = UserFactory(is_staff=True, roles=["Manager"])
    client = session(manager)
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(URL, body(world), format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "pending" and created["scope_name"] == "Acme Foods"
    assert created["download_url"] is None
    assert len(queued) == 1  # the render job, queued on commit

    assert client.get(f"{URL}{created['id']}/download/").status_code == 404
    report_render(created["id"])

    detail = client.get(f"{URL}{created['id']}/").json()
    assert detail["status"] == "completed" and detail["size"] > 1000
    assert detail["download_url"].endswith(f"/api/v1/reports/{created['id']}/download/")
    pdf = client.get(f"{URL}{created['id']}/download/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert [row["id"] for row in client.get(URL).json()["results"]] == [created["id"]]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "yearly"}, "kind"),
        ({"scope_kind": "galaxy"}, "scope_kind"),
        ({"scope_id": 999999}, "scope_id"),
        ({"start": "2026-13-01"}, "start"),
        ({"end": "2026-02-01"}, "end"),
        ({"end": "2029-03-31"}, "end"),
        ({"kind": "campaign"}, "kind"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(world, changes, field):
    client = session(UserFactory(is_staff=True, roles=["Manager"]))
    response = client.post(URL, body(world, **changes), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"], response.json()
    assert not Report.objects.exists()


def test_a_bad_filter_is_a_400_naming_it(world):
    client = session(UserFactory(is_staff=True, roles=["Manager"]))
    response = client.get(URL, {"status": "exploded"})
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


def test_an_editor_sees_only_its_own_reports_and_may_not_report_on_a_client(world):
    editor_user = UserFactory(is_staff=True, roles=["Editor"])
    editor = EditorFactory(user=editor_user)
    creator = CreatorFactory(display_name="Maya")
    AccountFactory(creator=creator, editor=editor)
    someone_elses = report_create(
        kind="monthly",
        scope_kind="client",
        scope_id=world["client"].pk,
        start=MARCH[0],
        end=MARCH[1],
    )
    client = session(editor_user)

    refused = client.post(URL, body(world), format="json")
    assert refused.status_code == 403
    mine = client.post(URL, body(world, scope_kind="creator", scope_id=creator.pk), format="json")
    assert mine.status_code == 201, mine.content

    listed = [row["id"] for row in client.get(URL).json()["results"]]
    assert listed == [mine.json()["id"]]
    assert client.get(f"{URL}{someone_elses.pk}/").status_code == 404
    assert client.delete(f"{URL}{someone_elses.pk}/").status_code in (403, 404)


def test_a_creator_login_sees_its_own_creators_reports(world, creator_login):
    user, creator = creator_login("maya")
    own = report_create(
        kind="monthly", scope_kind="creator", scope_id=creator.pk, start=MARCH[0], end=MARCH[1]
    )
    report_create(
        kind="monthly",
        scope_kind="client",
        scope_id=world["client"].pk,
        start=MARCH[0],
        end=MARCH[1],
    )

    listed = session(user).get(URL).json()["results"]

    assert [row["id"] for row in listed] == [own.pk]


def test_deleting_a_report_removes_its_file(world, django_capture_on_commit_callbacks):
    report = report_create(
        kind="monthly",
        scope_kind="client",
        scope_id=world["client"].pk,
        start=MARCH[0],
        end=MARCH[1],
    )
    report = report_render(report.pk)
    storage, name = report.file.storage, report.file.name
    assert storage.exists(name)
    client = session(UserFactory(is_staff=True, roles=["Manager"]))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(f"{URL}{report.pk}/")

    assert response.status_code == 204
    assert not Report.objects.exists()
    assert not storage.exists(name)


def test_analysts_read_reports_but_do_not_create_them(world):
    analyst = session(UserFactory(is_staff=True, roles=["Analyst"]))
    assert analyst.get(URL).status_code == 200
    assert analyst.post(URL, body(world), format="json").status_code == 403
    assert not Report.objects.filter(status=ReportStatus.PENDING).exists()
