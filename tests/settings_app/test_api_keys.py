"""API keys through the API, and who may use the API at all."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from rest_framework.test import APIClient

from core.errors import DomainError
from settings_app.models import ApiKey
from settings_app.services import api_key_create, api_key_revoke
from tests.settings_app.factories import UserFactory
from tests.utils import with_key

KEYS = "/api/v1/api-keys/"
A_PAGE = "/api/v1/clients/"


# Managing keys


def test_creating_a_key_shows_the_raw_key_once(api, staff):
    created = api.post(KEYS, {"name": "frontend"})

    assert created.status_code == 201, created.data
    raw_key = created.data["key"]
    assert raw_key.startswith(f"co_{created.data['prefix']}_")
    assert created.data["user"] == staff.pk
    assert created.data["scopes"] == []
    assert created.data["is_read_only"] is False
    assert "key" not in api.get(f"{KEYS}{created.data['id']}/").data
    assert all("key" not in row for row in api.get(KEYS).data["results"])
    assert raw_key not in ApiKey.objects.get().hashed_key


def test_a_created_key_works_for_its_user(api):
    raw_key = api.post(KEYS, {"name": "script"}).data["key"]

    assert with_key(raw_key).get(A_PAGE).status_code == 200


def test_a_key_can_be_read_only_and_expire(api):
    expires_at = timezone.now() + timedelta(days=30)

    response = api.post(
        KEYS, {"name": "dashboards", "scopes": ["read"], "expires_at": expires_at.isoformat()}
    )

    assert response.status_code == 201
    key = ApiKey.objects.get()
    assert key.scopes == ["read"]
    assert key.expires_at == expires_at
    assert response.data["is_read_only"] is True


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "name"),
        ({"name": "x", "scopes": ["admin"]}, "scopes"),
        ({"name": "x", "scopes": "read"}, "scopes"),
        ({"name": "x", "expires_at": "tomorrow"}, "expires_at"),
        ({"name": "x", "user": 1}, "user"),
    ],
)
def test_creating_a_key_with_bad_input_answers_400_naming_the_field(api, payload, field):
    response = api.post(KEYS, payload, format="json")

    assert response.status_code == 400
    assert field in response.data["error"]["fields"]
    assert not ApiKey.objects.exists()


def test_a_key_cannot_expire_in_the_past(api):
    response = api.post(
        KEYS, {"name": "old", "expires_at": (timezone.now() - timedelta(days=1)).isoformat()}
    )

    assert response.status_code == 400
    assert response.data["error"]["message"] == "The expiry date must be in the future."
    assert "expires_at" in response.data["error"]["fields"]


def _signed_in(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ["Manager", "Finance", "Editor", "Analyst"])
def test_users_see_only_their_own_keys(role_user, role):
    me = role_user(role)
    mine, _ = api_key_create(user=me, name="mine")
    api_key_create(user=UserFactory(), name="theirs")

    response = _signed_in(me).get(KEYS)

    assert [k["id"] for k in response.data["results"]] == [mine.pk]


@pytest.mark.parametrize("is_superuser", [True, False], ids=["superuser", "Owner"])
def test_superusers_and_owners_see_every_key(db, is_superuser):
    # The same rule as the admin's list (settings_app.access.api_keys_visible_to).
    admin = UserFactory(is_superuser=is_superuser, roles=[] if is_superuser else ["Owner"])
    keys = [api_key_create(user=user, name="k")[0] for user in (admin, UserFactory(roles=[]))]

    response = _signed_in(admin).get(KEYS)

    assert {k["id"] for k in response.data["results"]} == {k.pk for k in keys}


def test_revoking_a_key_stops_it_working(api, staff):
    key, raw_key = api_key_create(user=staff, name="leaked")

    response = api.post(f"{KEYS}{key.pk}/revoke/")

    assert response.status_code == 200
    assert response.data["revoked_at"] is not None
    refused = with_key(raw_key).get(A_PAGE)
    assert refused.status_code == 401
    assert refused.data["error"]["message"] == "Invalid, expired or revoked API key."


def test_revoking_a_key_twice_keeps_the_first_revocation_time(api, staff):
    key, _ = api_key_create(user=staff, name="k")
    first = api.post(f"{KEYS}{key.pk}/revoke/").data["revoked_at"]

    second = api.post(f"{KEYS}{key.pk}/revoke/")

    assert second.status_code == 200
    assert second.data["revoked_at"] == first


def test_someone_elses_key_cannot_be_revoked(role_user):
    theirs, _ = api_key_create(user=UserFactory(), name="theirs")

    response = _signed_in(role_user("Editor")).post(f"{KEYS}{theirs.pk}/revoke/")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_a_read_only_key_cannot_create_or_revoke_keys(staff):
    key, raw_key = api_key_create(user=staff, name="ro", scopes=["read"])
    client = with_key(raw_key)

    assert client.get(KEYS).status_code == 200
    assert client.post(KEYS, {"name": "more"}).status_code == 403
    assert client.post(f"{KEYS}{key.pk}/revoke/").status_code == 403
    assert ApiKey.objects.count() == 1


# Who may create a key for whom (settings_app.services, shared by the admin and the API)

OTHERS_ONLY_OWNERS = (
    "You can create API keys only for yourself; ask an Owner for another user's key."
)


def _more_rights(target) -> str:
    return (
        f"{target} has rights you do not have, and a key acts with its user's rights: "
        "only a user with at least their rights may create a key for them."
    )


@pytest.mark.parametrize("role", ["Manager", "Finance", "Editor", "Analyst"])
def test_only_owners_create_keys_for_other_users(role_user, role):
    creator, target = role_user(role), UserFactory(username="target", roles=[])

    with pytest.raises(DomainError) as refused:
        api_key_create(user=target, name="x", created_by=creator)

    assert refused.value.message == OTHERS_ONLY_OWNERS
    assert refused.value.fields == {"user": [OTHERS_ONLY_OWNERS]}
    assert not ApiKey.objects.exists()


def test_an_owner_creates_keys_for_users_with_no_more_rights_than_theirs(role_user):
    owner = role_user("Owner")
    for target in (role_user("Editor"), role_user("Owner", username="owner-2")):
        key, _ = api_key_create(user=target, name="x", created_by=owner)
        assert key.user == target


def test_nobody_but_a_superuser_creates_a_key_for_a_superuser(role_user, superuser):
    with pytest.raises(DomainError) as refused:
        api_key_create(user=superuser, name="x", created_by=role_user("Owner"))

    assert refused.value.message == _more_rights(superuser)
    other_superuser = UserFactory(username="root-2", is_superuser=True, roles=[])
    assert api_key_create(user=superuser, name="x", created_by=other_superuser)[0].user == superuser


def test_managing_keys_is_not_enough_to_create_one_for_a_user_with_other_rights(
    role_user, staff_without_role
):
    # "More rights" is any permission the creator lacks, not only superuser status.
    staff_without_role.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="settings_app",
            codename__in=["view_apikey", "add_apikey", "manage_all_apikey"],
        )
    )
    editor, plain = role_user("Editor"), UserFactory(username="plain", roles=[])

    with pytest.raises(DomainError) as refused:
        api_key_create(user=editor, name="x", created_by=staff_without_role)

    assert refused.value.message == _more_rights(editor)
    assert api_key_create(user=plain, name="x", created_by=staff_without_role)[0].user == plain


def test_a_key_created_through_the_api_is_always_the_callers_own(role_user):
    editor = role_user("Editor")

    response = _signed_in(editor).post(KEYS, {"name": "mine"}, format="json")

    assert response.status_code == 201
    assert ApiKey.objects.get().user == editor


# Who may use the API


def test_an_anonymous_request_answers_401_with_the_error_shape(db):
    response = APIClient().get(A_PAGE)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    assert response.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
            "fields": {},
        }
    }


@pytest.mark.parametrize(
    "header", ["Api-Key co_deadbeef_nope", "Api-Key ", "Api-Key not-a-key", "Api-Key co_x"]
)
def test_a_bad_api_key_answers_401(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(A_PAGE)

    assert response.status_code == 401
    assert response.data["error"]["code"] == "authentication_failed"


def test_an_expired_key_answers_401(staff):
    key, raw_key = api_key_create(
        user=staff, name="soon", expires_at=timezone.now() + timedelta(minutes=1)
    )
    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert with_key(raw_key).get(A_PAGE).status_code == 401


def test_the_key_of_an_inactive_user_answers_401(staff):
    _, raw_key = api_key_create(user=staff, name="k")
    staff.is_active = False
    staff.save(update_fields=["is_active"])

    assert with_key(raw_key).get(A_PAGE).status_code == 401


def test_a_signed_in_user_who_is_not_staff_gets_403(db):
    client = APIClient()
    client.force_login(UserFactory(is_staff=False))

    response = client.get(A_PAGE)

    assert response.status_code == 403
    assert response.data["error"]["code"] == "permission_denied"


def test_the_key_of_a_non_staff_user_may_use_the_api(db):
    _, raw_key = api_key_create(user=UserFactory(is_staff=False), name="frontend")

    assert with_key(raw_key).get(A_PAGE).status_code == 200


def test_a_read_only_key_can_read_but_not_write(staff):
    _, raw_key = api_key_create(user=staff, name="ro", scopes=["read"])
    client = with_key(raw_key)

    assert client.get(A_PAGE).status_code == 200
    response = client.post(A_PAGE, {"name": "Acme"})
    assert response.status_code == 403
    assert response.data["error"] == {
        "code": "permission_denied",
        "message": "This API key is read-only.",
        "fields": {},
    }


def test_a_revoked_key_of_a_user_with_another_key_still_fails(staff):
    revoked, revoked_raw = api_key_create(user=staff, name="old")
    api_key_revoke(key=revoked)
    _, fresh_raw = api_key_create(user=staff, name="new")

    assert with_key(revoked_raw).get(A_PAGE).status_code == 401
    assert with_key(fresh_raw).get(A_PAGE).status_code == 200


def test_a_key_cannot_mint_another_key(staff):
    _, raw_key = api_key_create(user=staff, name="script")

    response = with_key(raw_key).post("/api/v1/api-keys/", {"name": "copy"}, format="json")

    assert response.status_code == 403
    assert "signed-in person" in response.json()["error"]["message"]
    assert ApiKey.objects.filter(user=staff).count() == 1
