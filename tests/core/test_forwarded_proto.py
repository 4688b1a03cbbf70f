"""X-Forwarded-Proto counts only when the direct peer is a trusted proxy (TRUSTED_PROXIES)."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

PRODUCTION_TLS = {
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SECURE_SSL_REDIRECT": True,
    "TRUSTED_PROXIES": ["10.0.0.0/8", "127.0.0.1"],
}


def login_page(remote_addr: str, **headers: str):
    return Client().get(reverse("admin:login"), REMOTE_ADDR=remote_addr, headers=headers)


@pytest.mark.django_db
@override_settings(**PRODUCTION_TLS)
@pytest.mark.parametrize("proxy", ["10.20.30.40", "127.0.0.1"])
def test_https_reported_by_a_trusted_proxy_is_believed(proxy):
    response = login_page(proxy, X_Forwarded_Proto="https")

    assert response.status_code == 200
    assert response.wsgi_request.is_secure()


@pytest.mark.django_db
@override_settings(**PRODUCTION_TLS)
def test_https_claimed_by_any_other_peer_is_ignored_and_the_client_redirected():
    response = login_page("203.0.113.7", X_Forwarded_Proto="https")

    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.django_db
@override_settings(**{**PRODUCTION_TLS, "TRUSTED_PROXIES": []})
def test_without_trusted_proxies_no_peer_may_claim_https():
    response = login_page("127.0.0.1", X_Forwarded_Proto="https")

    assert response.status_code == 301


@pytest.mark.django_db
@override_settings(**PRODUCTION_TLS)
def test_plain_http_from_a_trusted_proxy_is_still_redirected():
    response = login_page("10.0.0.5", X_Forwarded_Proto="http")

    assert response.status_code == 301
