import pytest
from django.urls import reverse

from tests.settings_app.factories import UserFactory

LOGIN = reverse("admin:login")


@pytest.fixture
def lockout(db, settings):
    settings.LOGIN_LOCKOUT_FAILURES = 3
    settings.LOGIN_LOCKOUT_MINUTES = 15


def login(client, password, username="alice", ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_repeated_failed_logins_lock_the_username_from_that_ip(client, lockout):
    UserFactory(username="alice")
    for _ in range(3):
        assert "correct username" in login(client, "wrong").content.decode()

    answer = login(client, "pass-w0rd-123")

    assert answer.status_code == 200  # the form again, not a redirect into the admin
    assert "Too many failed logins. Try again in 15 minutes." in answer.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_per_ip_and_per_username(client, lockout):
    UserFactory(username="alice")
    UserFactory(username="bob")
    for _ in range(3):
        login(client, "wrong")

    assert login(client, "pass-w0rd-123", ip="10.0.0.2").status_code == 302
    client.logout()
    assert login(client, "pass-w0rd-123", username="bob").status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, lockout):
    UserFactory(username="alice")
    login(client, "wrong")
    login(client, "wrong")
    assert login(client, "pass-w0rd-123").status_code == 302
    client.logout()
    login(client, "wrong")
    login(client, "wrong")
    assert login(client, "pass-w0rd-123").status_code == 302


def test_the_lockout_ends_after_the_window(client, lockout):
    from django.core.cache import cache

    UserFactory(username="alice")
    for _ in range(3):
        login(client, "wrong")
    cache.clear()  # what the expiry of the window does

    assert login(client, "pass-w0rd-123").status_code == 302
