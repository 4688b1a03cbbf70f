import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from core.client_address import client_ip
from core.models import RateCounter
from tests.settings_app.factories import UserFactory

LOGIN = reverse("admin:login")
LOCKED = "Too many failed logins. Try again in 15 minutes."


@pytest.fixture
def lockout(db, settings):
    settings.LOGIN_LOCKOUT_FAILURES = 3
    settings.LOGIN_LOCKOUT_ADDRESS_FAILURES = 5
    settings.LOGIN_LOCKOUT_MINUTES = 15
    settings.TRUSTED_PROXIES = []


def login(client, password, username="alice", ip="10.0.0.1", **headers):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, **headers
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_repeated_failed_logins_lock_the_username_from_that_ip(client, lockout):
    UserFactory(username="alice")
    for _ in range(3):
        assert "correct username" in login(client, "wrong").content.decode()

    answer = login(client, "pass-w0rd-123")

    assert answer.status_code == 200  # the form again, not a redirect into the admin
    assert LOCKED in answer.content.decode()
    assert not signed_in(client)


def test_a_locked_username_is_locked_from_every_address(client, lockout):
    UserFactory(username="alice")
    UserFactory(username="bob")
    for number in range(3):
        login(client, "wrong", ip=f"10.0.0.{number + 1}")

    answer = login(client, "pass-w0rd-123", ip="10.9.9.9")

    assert LOCKED in answer.content.decode()
    assert not signed_in(client)
    assert login(client, "pass-w0rd-123", username="bob", ip="10.9.9.9").status_code == 302


def test_failures_from_one_address_lock_that_address_for_every_username(client, lockout):
    UserFactory(username="bob")
    for number in range(5):  # one failure each: no username reaches its own limit
        login(client, "wrong", username=f"guess{number}")

    answer = login(client, "pass-w0rd-123", username="bob")

    assert LOCKED in answer.content.decode()
    assert not signed_in(client)
    assert login(client, "pass-w0rd-123", username="bob", ip="10.0.0.2").status_code == 302


def test_failures_from_one_ipv6_network_lock_the_whole_slash_64(client, lockout):
    UserFactory(username="bob")
    for number in range(5):  # a new address of the same /64 for every guess
        login(client, "wrong", username=f"guess{number}", ip=f"2001:db8:1:2::{number + 1}")

    answer = login(client, "pass-w0rd-123", username="bob", ip="2001:db8:1:2::ffff")

    assert LOCKED in answer.content.decode()
    assert login(client, "pass-w0rd-123", username="bob", ip="2001:db8:1:3::1").status_code == 302


def test_a_forged_forwarded_for_from_an_untrusted_peer_does_not_change_the_address(
    client, lockout, settings
):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # as in production
    UserFactory(username="bob")
    for number in range(5):
        login(client, "wrong", username=f"guess{number}", HTTP_X_FORWARDED_FOR=f"1.2.3.{number}")

    answer = login(client, "pass-w0rd-123", username="bob", HTTP_X_FORWARDED_FOR="1.2.3.99")

    assert LOCKED in answer.content.decode()


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_count(client, lockout, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    UserFactory(username="bob")
    for number in range(5):
        login(client, "wrong", username=f"guess{number}", HTTP_X_FORWARDED_FOR="203.0.113.7")

    forwarded = {"HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    assert LOCKED in login(client, "pass-w0rd-123", username="bob", **forwarded).content.decode()
    forwarded = {"HTTP_X_FORWARDED_FOR": "203.0.113.7, 203.0.113.8"}
    assert login(client, "pass-w0rd-123", username="bob", **forwarded).status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, lockout):
    UserFactory(username="alice")
    login(client, "wrong")
    login(client, "wrong")
    assert login(client, "pass-w0rd-123").status_code == 302
    client.logout()
    login(client, "wrong")
    login(client, "wrong")
    assert login(client, "pass-w0rd-123").status_code == 302


def test_an_empty_password_does_not_reset_the_count(client, lockout):
    UserFactory(username="alice")
    login(client, "wrong")
    login(client, "wrong")
    login(client, "")
    login(client, "wrong")

    assert LOCKED in login(client, "pass-w0rd-123").content.decode()


def test_the_lockout_ends_after_the_window(client, lockout):
    UserFactory(username="alice")
    for _ in range(3):
        login(client, "wrong")
    RateCounter.objects.update(window_ends_at=timezone.now())  # 15 minutes later

    assert login(client, "pass-w0rd-123").status_code == 302


def test_the_api_has_no_password_login(db, client):
    UserFactory(username="alice")

    assert client.get("/api-auth/login/").status_code == 404
    basic = client.get("/api/v1/clients/", HTTP_AUTHORIZATION="Basic YWxpY2U6cGFzcy13MHJkLTEyMw==")
    assert basic.status_code in (401, 403)  # alice:pass-w0rd-123 is not a way in


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("198.51.100.1", "1.2.3.4", [], "198.51.100.1"),
        ("198.51.100.1", "1.2.3.4", ["10.0.0.0/8"], "198.51.100.1"),
        ("10.0.0.5", "1.2.3.4", ["10.0.0.0/8"], "1.2.3.4"),
        ("10.0.0.5", "6.6.6.6, 1.2.3.4", ["10.0.0.0/8"], "1.2.3.4"),
        ("10.0.0.5", "6.6.6.6, 1.2.3.4, 10.1.2.3", ["10.0.0.0/8"], "1.2.3.4"),
        ("10.0.0.5", "10.1.1.1, 10.1.2.3", ["10.0.0.0/8"], "10.1.1.1"),
        ("10.0.0.5", "", ["10.0.0.5"], "10.0.0.5"),
        ("10.0.0.5", "1.2.3.4, not-an-ip", ["10.0.0.5"], "10.0.0.5"),
        ("::1", "2001:DB8::1", ["::1"], "2001:db8::1"),
    ],
)
def test_the_client_address(settings, peer, forwarded, trusted, expected):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


def test_ended_login_windows_are_dropped_by_the_heartbeat_not_by_each_login(client, lockout):
    from operations.jobs import heartbeat

    for name in ("stranger-1", "stranger-2"):
        login(client, "x", username=name)
    from settings_app.lockout import _username_key

    ended_key, live_key = _username_key("stranger-1"), _username_key("stranger-2")
    RateCounter.objects.filter(key=ended_key).update(window_ends_at=timezone.now())
    ended = RateCounter.objects.filter(window_ends_at__lte=timezone.now()).count()

    login(client, "wrong")  # a login leaves the clean-up to the worker
    assert RateCounter.objects.filter(window_ends_at__lte=timezone.now()).count() == ended >= 1

    heartbeat()

    assert not RateCounter.objects.filter(window_ends_at__lte=timezone.now()).exists()
    assert RateCounter.objects.filter(key=live_key).exists()
