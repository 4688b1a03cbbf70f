"""API keys in the admin, role by role: who may open the add page, for whom each role may create
a key, which keys each role sees (list and change page) and which it may revoke.

A key acts with its user's rights, so a user creates keys for themselves; only Owners may create
one for another user, and never for a user with rights they lack (a superuser, for one).
"""

import re

import pytest
from django.urls import reverse

from settings_app.models import ApiKey
from settings_app.services import api_key_authenticate, api_key_create
from tests.settings_app.factories import UserFactory

ROLES = ["Owner", "Manager", "Finance", "Editor", "Analyst"]
RAW_KEY = re.compile(r"co_[0-9a-f]{8}_[A-Za-z0-9_-]{20,}")
ADD = "admin:settings_app_apikey_add"
CHANGELIST = "admin:settings_app_apikey_changelist"
CHANGE = "admin:settings_app_apikey_change"


@pytest.fixture
def people(db):
    """A staff user per role, a second Owner, a second Editor and a superuser; one key each."""
    users = {role: UserFactory(username=role.lower(), roles=[role]) for role in ROLES}
    users["other Owner"] = UserFactory(username="owner2", roles=["Owner"])
    users["other Editor"] = UserFactory(username="editor2", roles=["Editor"])
    users["superuser"] = UserFactory(username="root", is_superuser=True, roles=[])
    keys = {
        name: api_key_create(user=user, name=f"key of {name}")[0] for name, user in users.items()
    }
    return {"users": users, "keys": keys}


def _signed_in(client, people, role):
    client.force_login(people["users"][role])
    return client


def _add_key(client, data):
    return client.post(reverse(ADD), {"name": "new key", **data}, follow=True)


def _raw_keys_shown(response) -> set[str]:
    return set(RAW_KEY.findall(response.content.decode()))


@pytest.mark.parametrize("role", ROLES)
def test_only_the_owner_role_holds_the_permission_to_manage_every_users_keys(people, role):
    user = people["users"][role]
    assert user.has_perm("settings_app.manage_all_apikey") is (role == "Owner")
    assert user.has_perm("settings_app.add_apikey")


# --- The add page -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_opens_the_add_page_but_only_owners_choose_the_user(client, people, role):
    response = _signed_in(client, people, role).get(reverse(ADD))

    offers_user_choice = 'name="user"' in response.content.decode()
    assert response.status_code == 200
    assert offers_user_choice is (role == "Owner")


@pytest.mark.parametrize("role", ROLES)
def test_every_role_creates_a_key_for_themselves(client, people, role):
    me = people["users"][role]
    data = {"user": me.pk} if role == "Owner" else {}

    response = _add_key(_signed_in(client, people, role), data)

    (raw_key,) = _raw_keys_shown(response)
    assert api_key_authenticate(raw_key).user == me


# Whose key each role gets when it asks for one for `target`. Non-owners have no user choice:
# a `user` sent anyway is ignored and the key is their own. None: refused, no key created.
CREATE_FOR = [
    ("Owner", "other Editor", "other Editor"),
    ("Owner", "other Owner", "other Owner"),
    ("Owner", "superuser", None),
    *((role, target, role) for role in ROLES[1:] for target in ("other Editor", "Owner")),
    *((role, "superuser", role) for role in ROLES[1:]),
    ("superuser", "Owner", "Owner"),
]


@pytest.mark.parametrize(("role", "target", "key_for"), CREATE_FOR)
def test_who_may_create_a_key_for_another_user(client, people, role, target, key_for):
    users = people["users"]
    before = set(ApiKey.objects.values_list("pk", flat=True))

    response = _add_key(_signed_in(client, people, role), {"user": users[target].pk})

    new_keys = ApiKey.objects.exclude(pk__in=before)
    raw_keys = _raw_keys_shown(response)
    if key_for is None:
        # Not even offered: the choice lists only the users the creator may create a key for.
        assert not new_keys.exists() and not raw_keys
        assert response.context["adminform"].form.errors["user"]
        choices = client.get(reverse(ADD)).content.decode()
        assert f'<option value="{users[target].pk}"' not in choices
    else:
        (key,) = new_keys
        (raw_key,) = raw_keys
        assert key.user == users[key_for]
        assert api_key_authenticate(raw_key).user == users[key_for]


# --- Which keys each role sees ----------------------------------------------------------------


def _visible_key_owners(client) -> set[str]:
    html = client.get(reverse(CHANGELIST)).content.decode()
    return {m for m in re.findall(r"key of ([\w ]+?)<", html)}


@pytest.mark.parametrize("role", ROLES)
def test_the_changelist_shows_owners_every_key_and_others_their_own(client, people, role):
    shown = _visible_key_owners(_signed_in(client, people, role))

    assert shown == (set(people["keys"]) if role == "Owner" else {role})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("whose", ["own", "other Editor", "superuser"])
def test_another_users_key_page_is_missing_unless_an_owner_asks(client, people, role, whose):
    key = people["keys"][role if whose == "own" else whose]

    response = _signed_in(client, people, role).get(reverse(CHANGE, args=[key.pk]))

    if whose == "own" or role == "Owner":
        assert response.status_code == 200
        assert key.prefix in response.content.decode()
    else:
        # The admin's answer for an object outside its queryset: back to the index, not shown.
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:index")


# --- Revoking ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("whose", ["own", "other Editor", "superuser"])
def test_who_may_revoke_which_key_with_the_action(client, people, role, whose):
    key = people["keys"][role if whose == "own" else whose]

    _signed_in(client, people, role).post(
        reverse(CHANGELIST), {"action": "revoke_keys", "_selected_action": [key.pk]}
    )

    key.refresh_from_db()
    assert (key.revoked_at is not None) is (whose == "own" or role == "Owner")
