import stat
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from tests.settings_app.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def credentials(tmp_path):
    return tmp_path / ".admin-credentials"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed
    for name in ("ADMIN_USERNAME", "ADMIN_EMAIL", "ADMIN_PASSWORD"):
        monkeypatch.delenv(name, raising=False)


def ensure_admin(credentials) -> str:
    out = StringIO()
    call_command("ensure_admin", credentials_file=credentials, stdout=out, stderr=out)
    return out.getvalue()


def test_creates_a_superuser_from_the_environment(monkeypatch, credentials):
    monkeypatch.setenv("ADMIN_USERNAME", "boss")
    monkeypatch.setenv("ADMIN_EMAIL", "boss@agency.test")
    monkeypatch.setenv("ADMIN_PASSWORD", "a-Long-and-unusual-passphrase-42")

    output = ensure_admin(credentials)

    user = User.objects.get()
    assert (user.username, user.email, user.is_superuser, user.is_staff) == (
        "boss",
        "boss@agency.test",
        True,
        True,
    )
    assert user.check_password("a-Long-and-unusual-passphrase-42")
    assert "a-Long-and-unusual-passphrase-42" not in output
    assert not credentials.exists()


def test_generates_a_strong_password_shows_it_once_and_keeps_it_private(credentials):
    output = ensure_admin(credentials)

    user = User.objects.get(username="admin")
    assert user.is_superuser
    password = credentials.read_text().split("password: ")[1].strip()
    assert len(password) >= 20
    assert user.check_password(password)
    assert output.count(password) == 1
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600


def test_does_nothing_when_a_superuser_exists(credentials):
    ensure_admin(credentials)
    written = credentials.read_text()

    output = ensure_admin(credentials)

    assert User.objects.count() == 1
    assert "already exists (admin)" in output
    assert "password:" not in output
    assert credentials.read_text() == written


def test_an_existing_superuser_of_another_name_is_enough(monkeypatch, credentials):
    User.objects.create_superuser(username="owner", email="", password="x-Secret-pass-123")
    monkeypatch.setenv("ADMIN_USERNAME", "admin")

    output = ensure_admin(credentials)

    assert list(User.objects.values_list("username", flat=True)) == ["owner"]
    assert "already exists (owner)" in output


def test_refuses_to_promote_an_ordinary_user_with_the_same_name(credentials):
    UserFactory(username="admin", is_staff=False)

    with pytest.raises(CommandError, match="not a superuser"):
        ensure_admin(credentials)

    assert not User.objects.filter(is_superuser=True).exists()
    assert not credentials.exists()


def test_a_weak_password_is_only_a_warning_in_development(monkeypatch, settings, credentials):
    settings.PRODUCTION = False
    monkeypatch.setenv("ADMIN_PASSWORD", "admin")

    output = ensure_admin(credentials)

    assert "weak" in output
    assert User.objects.get().check_password("admin")


def test_a_weak_password_is_refused_in_production(monkeypatch, settings, credentials):
    settings.PRODUCTION = True
    monkeypatch.setenv("ADMIN_PASSWORD", "admin")

    with pytest.raises(CommandError, match="too weak"):
        ensure_admin(credentials)

    assert not User.objects.exists()
