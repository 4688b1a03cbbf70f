"""The OpenAPI schema generates cleanly; the docs page and the browsable API load."""

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.creators.factories import AccountFactory
from tests.posts.factories import PostFactory
from tests.settings_app.factories import UserFactory


def test_the_schema_generates_and_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"

    # --fail-on-warn turns every warning (untyped field, unknown path parameter…) into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    schema = target.read_text()
    for path in (
        "/api/v1/posts/",
        "/api/v1/posts/bulk/",
        "/api/v1/posts/{post_pk}/snapshots/",
        "/api/v1/accounts/",
        "/api/v1/accounts/bulk/",
        "/api/v1/accounts/{account_pk}/snapshots/",
        "/api/v1/clients/",
        "/api/v1/editors/",
        "/api/v1/boards/",
        "/api/v1/categories/",
        "/api/v1/subcategories/",
        "/api/v1/api-keys/{id}/revoke/",
    ):
        assert f"  {path}:" in schema


def test_the_schema_is_refused_without_a_key_or_a_session(db):
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_the_docs_page_sends_an_anonymous_visitor_to_the_login_page(db):
    response = APIClient().get("/api/docs/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=/api/docs/")


def test_the_schema_is_served(staff):
    client = APIClient()
    client.force_login(staff)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "CreatorOps API"
    assert "ApiKeyAuth" in schema["components"]["securitySchemes"]
    post = schema["components"]["schemas"]["Post"]["properties"]
    assert post["platform_display"]["readOnly"] is True


def test_the_docs_page_loads_swagger_ui_from_our_own_static_files(staff):
    client = APIClient()
    client.force_login(staff)
    response = client.get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/posts/",
        "/api/v1/posts/{post}/",
        "/api/v1/posts/{post}/snapshots/",
        "/api/v1/accounts/",
        "/api/v1/accounts/{account}/",
        "/api/v1/api-keys/",
        "/api/v1/categories/",
    ],
)
def test_the_browsable_api_pages_render_for_staff(db, path):
    client = APIClient()
    client.force_login(UserFactory())
    path = path.format(post=PostFactory().pk, account=AccountFactory().pk)

    response = client.get(path, HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
