import os

import pytest
from rest_framework.test import APIClient

from settings_app.services import api_key_create
from tests.settings_app.factories import UserFactory


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Give each test run its own PostgreSQL test database, so two runs on one server can't
    drop each other's (pytest-django's default name, test_<db>, is shared)."""
    from django.conf import settings

    for db in settings.DATABASES.values():
        if db["ENGINE"] != "django.db.backends.sqlite3":
            base = db.get("TEST", {}).get("NAME") or f"test_{db['NAME']}"
            db.setdefault("TEST", {})["NAME"] = f"{base}_{os.getpid()}"


@pytest.fixture
def staff_user(db):
    return UserFactory(is_staff=True, username="staff")


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True, username="admin")


@pytest.fixture
def api(staff_user) -> APIClient:
    """An API client signed in as an active staff user."""
    client = APIClient()
    client.force_authenticate(staff_user)
    return client


@pytest.fixture
def anon_api() -> APIClient:
    return APIClient()


@pytest.fixture
def api_key(staff_user) -> str:
    """The raw value of a full-access API key of `staff_user`."""
    _, raw = api_key_create(user=staff_user, name="tests")
    return raw
