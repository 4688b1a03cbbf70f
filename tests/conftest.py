import os
import tempfile
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from tests.settings_app.factories import UserFactory


def pytest_collection_modifyitems(config, items):
    """Tests of PostgreSQL-only code paths are not collected on SQLite (deselected, not
    skipped: there is nothing missing to install, the path does not exist there)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    kept = [item for item in items if not item.get_closest_marker("postgresql_only")]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Give each test run its own test database.

    PostgreSQL: pytest-django's default name (test_<db>) is shared, so two runs on one server
    would drop each other's. SQLite: a file, as in production, rather than shared-cache
    memory, so concurrent connections wait on the busy timeout instead of failing at once.
    """
    from django.conf import settings

    for db in settings.DATABASES.values():
        if db["ENGINE"] == "django.db.backends.sqlite3":
            name = Path(tempfile.gettempdir()) / f"creatorops_test_{os.getpid()}.sqlite3"
            db.setdefault("TEST", {})["NAME"] = str(name)
        else:
            base = db.get("TEST", {}).get("NAME") or f"test_{db['NAME']}"
            db.setdefault("TEST", {})["NAME"] = f"{base}_{os.getpid()}"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs ~0.2 s per user created; these tests are not about password strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(db):
    """An active staff user with the Owner role: may do everything (but is no superuser)."""
    return UserFactory(is_staff=True, username="staff", roles=["Owner"])


# The older name, kept for readability where "user" reads better.
staff_user = staff


@pytest.fixture
def staff_without_role(db):
    """An active staff user with no role and no permission."""
    return UserFactory(is_staff=True, username="norole", roles=[])


@pytest.fixture
def role_user(db):
    """`role_user("Editor")`: a new active staff user with that role."""

    def make(role: str, **kwargs):
        return UserFactory(
            is_staff=True,
            username=kwargs.pop("username", None) or f"{role.lower()}-user",
            roles=[role],
            **kwargs,
        )

    return make


# A fixed test key for the secrets stored encrypted (core.fields).
TEST_ENCRYPTION_KEY = "Hq3wqH4mcwuJq5b6kQpFtm1Yp0Zr0i6eKcXy2u9lWqk="


@pytest.fixture(autouse=True)
def encryption_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = [TEST_ENCRYPTION_KEY]


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True, username="admin")


@pytest.fixture
def api(staff) -> APIClient:
    """An API client signed in (session) as an active staff user."""
    client = APIClient()
    client.force_login(staff)
    return client


@pytest.fixture
def superuser_client(client, superuser):
    """Django's test client signed in to the admin as a superuser."""
    client.force_login(superuser)
    return client


@pytest.fixture
def fake_openai():
    """A fake OpenAI-compatible server on 127.0.0.1, stopped after the test (the AI
    library's tests and the posts' classification workflow)."""
    from tests.ai.fake_openai import FakeOpenAI

    fake = FakeOpenAI().start()
    yield fake
    fake.stop()


@pytest.fixture
def creator_login(db):
    """`creator_login()`: a Creator-role login with its own Creator (and one account)."""
    from tests.creators.factories import AccountFactory, CreatorFactory

    def make(name: str = "creator-login"):
        user = UserFactory(is_staff=True, username=name, roles=["Creator"])
        creator = CreatorFactory(user=user, display_name=name.title())
        AccountFactory(creator=creator, platform="instagram")
        return user, creator

    return make
