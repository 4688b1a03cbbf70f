from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from settings_app.models import ApiKey
from tests.settings_app.factories import UserFactory
from tests.utils import with_key


def apikey(*args) -> str:
    out = StringIO()
    call_command("apikey", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_create_prints_the_key_once_and_it_works_with_the_users_role(db):
    UserFactory(username="scripter", roles=["Analyst"])

    raw_key = apikey("create", "--user", "scripter", "--name", "import", "--expires-in-days", "30")

    key = ApiKey.objects.get()
    assert raw_key.startswith(f"co_{key.prefix}_") and key.hashed_key not in raw_key
    assert key.expires_at is not None and key.scopes == []
    client = with_key(raw_key)
    assert client.get("/api/v1/posts/").status_code == 200
    assert client.post("/api/v1/clients/", {"name": "X"}, format="json").status_code == 403


def test_a_read_only_key_may_only_read(db):
    UserFactory(username="scripter")
    raw_key = apikey("create", "--user", "scripter", "--name", "ro", "--read-only")

    assert ApiKey.objects.get().scopes == ["read"]
    assert with_key(raw_key).post("/api/v1/clients/", {"name": "X"}).status_code == 403


def test_revoke_and_list(db):
    UserFactory(username="scripter")
    raw_key = apikey("create", "--user", "scripter", "--name", "old")
    prefix = ApiKey.objects.get().prefix

    assert "active" in apikey("list")
    apikey("revoke", prefix)

    listing = apikey("list", "--user", "scripter")
    assert prefix in listing and "revoked" in listing and raw_key not in listing
    assert with_key(raw_key).get("/api/v1/posts/").status_code == 401


@pytest.mark.parametrize(
    "args",
    [
        ["create", "--user", "nobody", "--name", "x"],
        ["create", "--user", "scripter", "--name", "x", "--expires-at", "yesterday"],
        ["create", "--user", "scripter", "--name", "x", "--expires-at", "2001-01-01T00:00:00Z"],
        ["revoke", "nope"],
    ],
)
def test_bad_input_is_a_clear_error(db, args):
    UserFactory(username="scripter")
    with pytest.raises(CommandError):
        apikey(*args)
