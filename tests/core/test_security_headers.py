from django.urls import reverse


def test_pages_carry_the_security_headers(superuser_client):
    response = superuser_client.get(reverse("admin:index"))

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_api_docs_need_no_inline_script(superuser_client):
    html = superuser_client.get("/api/docs/").content.decode()
    assert "<script>" not in html


def test_session_writes_to_the_api_need_the_csrf_token(superuser):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(superuser)

    response = client.post("/api/v1/clients/", {"name": "No token"}, format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]
