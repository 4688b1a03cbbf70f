"""What the API answers is what its OpenAPI schema says: real answers on real rows validated
against the served schema (schemathesis' response check, the one CI runs against a seeded
database)."""

import datetime

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from rest_framework.test import APIClient
from werkzeug.test import Client

from finance.models import StatementEvent
from settings_app.services import api_key_create
from tests.creators.factories import AccountFactory
from tests.finance.factories import PayoutStatementFactory
from tests.posts.factories import PostFactory, PostSnapshotFactory


@pytest.fixture
def api(staff):
    """A WSGI client with an Owner's key, and the schema it is served."""
    # As Django's test client does: the test's transaction outlives each request.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    _, raw_key = api_key_create(user=staff, name="schema")
    headers = {"Authorization": f"Api-Key {raw_key}"}
    client = Client(WSGIHandler())
    raw = client.get("/api/schema/?format=json", headers=headers).json
    yield client, headers, schemathesis.openapi.from_dict(raw)
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def answer(api, method: str, template: str, **ids):
    client, headers, schema = api
    response = client.open(template.format(**ids), method=method, headers=headers)
    operation = schema[template.split("?")[0]][method]
    assert str(response.status_code) in operation.definition.raw["responses"]
    operation.validate_response(response)  # raises on a violation
    return response


def test_an_empty_thumbnail_or_profile_picture_is_a_documented_answer(api):
    post = PostFactory(thumbnail_url="")
    account = AccountFactory(profile_pic_url="")

    assert answer(api, "GET", "/api/v1/posts/{id}/", id=post.pk).json["thumbnail_url"] == ""
    assert answer(api, "GET", "/api/v1/posts/").status_code == 200
    profile = answer(api, "GET", "/api/v1/accounts/{id}/", id=account.pk).json
    assert profile["profile_pic_url"] == ""


def test_a_statement_shows_its_month_as_documented_and_who_decided_may_be_null(api):
    statement = PayoutStatementFactory(month=datetime.date(2026, 12, 1))

    body = answer(api, "GET", "/api/v1/finance/statements/{id}/", id=statement.pk).json

    assert body["month"] == "2026-12"
    assert body["approved_by"] is None and body["paid_by"] is None
    breakdown = answer(
        api,
        "GET",
        "/api/v1/finance/items/{id}/breakdown/?month=2026-12",
        id=statement.finance_item_id,
    ).json
    assert breakdown["month"] == "2026-12"


def test_history_points_are_a_documented_answer_of_the_snapshot_list(api):
    snapshot = PostSnapshotFactory(captured_at=timezone.now() - datetime.timedelta(days=1))

    raw = answer(api, "GET", "/api/v1/posts/{post_pk}/snapshots/", post_pk=snapshot.post_id).json
    points = answer(
        api,
        "GET",
        "/api/v1/posts/{post_pk}/snapshots/?granularity=day",
        post_pk=snapshot.post_id,
    ).json

    assert "id" in raw["results"][0]
    assert "bucket" in points["results"][0] and "id" not in points["results"][0]


@pytest.mark.parametrize(
    ("method", "template", "status"),
    [
        ("GET", "/api/v1/posts/{id}/", 404),
        ("GET", "/api/v1/posts/?ordering=nonsense", 400),
        ("POST", "/api/v1/posts/{id}/approve/", 404),
        ("GET", "/api/v1/finance/statements/?month=2026-13", 400),
    ],
)
def test_error_answers_are_documented_in_the_error_shape(api, method, template, status):
    response = answer(api, method, template, id=999_999)

    assert response.status_code == status
    assert set(response.json["error"]) == {"code", "message", "fields"}


def test_strict_request_bodies_say_they_refuse_unknown_fields(api):
    _, _, schema = api
    components = schema.raw_schema["components"]["schemas"]

    assert components["PatchedPostRequest"]["additionalProperties"] is False
    assert components["TrialDecisionRequest"]["additionalProperties"] is False
    assert components["MarkPaidRequest"]["additionalProperties"] is False


def test_query_parameters_with_a_format_document_it(api):
    _, _, schema = api
    paths = schema.raw_schema["paths"]

    def parameter(path, name):
        return next(p for p in paths[path]["get"]["parameters"] if p["name"] == name)["schema"]

    assert parameter("/api/v1/finance/statements/", "month")["pattern"]
    assert parameter("/api/v1/finance/items/{id}/breakdown/", "month")["pattern"]
    assert parameter("/api/v1/posts/{post_pk}/snapshots/", "end")["format"] == "date-time"
    assert parameter("/api/v1/posts/", "added_date_before")["format"] == "date-time"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Acme", "is_active": "no"}, "is_active"),
        ({"name": 42}, "name"),
        ({"name": "Acme", "is_active": 1}, "is_active"),
    ],
)
def test_a_json_value_of_another_type_than_documented_is_refused(staff, body, field):
    client = APIClient()
    client.force_login(staff)

    response = client.post("/api/v1/clients/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_a_form_body_is_refused_with_a_clear_415(staff):
    client = APIClient()
    client.force_login(staff)

    response = client.post(
        "/api/v1/clients/", {"name": "Acme", "is_active": "true"}, format="multipart"
    )

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_an_export_error_is_json_labelled_as_json(api):
    response = answer(api, "GET", "/api/v1/finance/statements/export.csv?format=csv")

    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    assert response.json["error"]["fields"] == {"month": ["Required."]}


def test_a_statement_event_by_the_system_has_no_actor(api):
    statement = PayoutStatementFactory()
    StatementEvent.objects.create(
        statement=statement, kind="created", at=timezone.now(), actor=None
    )

    body = answer(api, "GET", "/api/v1/finance/statements/{id}/", id=statement.pk).json

    assert body["events"][0]["actor"] is None


def test_an_analysts_statement_without_payment_details_is_a_documented_answer(api, role_user):
    client, _, schema = api
    _, analyst_key = api_key_create(user=role_user("Analyst"), name="analyst")
    statement = PayoutStatementFactory(payment_method="Wise", payment_reference="W-1")

    response = client.get(
        f"/api/v1/finance/statements/{statement.pk}/",
        headers={"Authorization": f"Api-Key {analyst_key}"},
    )

    assert response.status_code == 200 and "payment_method" not in response.json
    schema["/api/v1/finance/statements/{id}/"]["GET"].validate_response(response)
