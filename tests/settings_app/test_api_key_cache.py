"""API keys are cached between requests (settings_app.services.api_key_cached), and every change
to a key, its user or a role applies to the very next request."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from settings_app import services
from settings_app.models import ApiKey
from settings_app.services import api_key_create, api_key_revoke
from tests.settings_app.factories import UserFactory
from tests.utils import with_key

pytestmark = pytest.mark.django_db

POSTS = "/api/v1/posts/"


def _key(user, **kwargs):
    key, raw_key = api_key_create(user=user, name="cached", **kwargs)
    client = with_key(raw_key)
    assert client.get(POSTS).status_code == 200  # now cached
    return key, raw_key, client


def test_a_revoked_key_is_refused_on_the_next_request_though_it_was_just_used():
    key, _, client = _key(UserFactory(is_staff=True, roles=["Editor"]))

    api_key_revoke(key=key)

    refused = client.get(POSTS)
    assert refused.status_code == 401
    assert refused.data["error"]["message"] == "Invalid, expired or revoked API key."


def test_a_deleted_key_is_refused_on_the_next_request():
    key, _, client = _key(UserFactory(is_staff=True, roles=["Editor"]))

    key.delete()

    assert client.get(POSTS).status_code == 401


def test_the_key_of_a_user_just_deactivated_is_refused():
    user = UserFactory(is_staff=True, roles=["Editor"])
    _, _, client = _key(user)

    user.is_active = False
    user.save(update_fields=["is_active"])

    refused = client.get(POSTS)
    assert refused.status_code == 401
    assert refused.data["error"]["message"] == "The owner of this API key is inactive."


def test_a_role_taken_away_applies_to_the_next_request():
    user = UserFactory(is_staff=True, roles=["Editor"])
    _, _, client = _key(user)

    user.groups.clear()

    assert client.get(POSTS).status_code == 403


def test_a_role_given_applies_to_the_next_request():
    user = UserFactory(is_staff=True, roles=[])
    _, raw_key = api_key_create(user=user, name="cached")
    client = with_key(raw_key)
    assert client.get(POSTS).status_code == 403

    user.groups.add(Group.objects.get(name="Editor"))

    assert client.get(POSTS).status_code == 200


def test_a_permission_taken_from_a_role_applies_to_its_users_keys_at_once():
    _, _, client = _key(UserFactory(is_staff=True, roles=["Editor"]))

    Group.objects.get(name="Editor").permissions.remove(
        Permission.objects.get(codename="view_post")
    )

    assert client.get(POSTS).status_code == 403


def test_a_wrong_secret_with_a_cached_keys_prefix_is_refused():
    key, raw_key, _ = _key(UserFactory(is_staff=True, roles=["Editor"]))

    forged = with_key(f"co_{key.prefix}_{'x' * 43}")

    assert forged.get(POSTS).status_code == 401
    assert with_key(raw_key).get(POSTS).status_code == 200


def test_a_read_only_key_stays_read_only_when_cached():
    _, _, client = _key(UserFactory(is_staff=True, roles=["Owner"]), scopes=["read"])

    refused = client.post("/api/v1/clients/", {"name": "New client"}, format="json")

    assert refused.status_code == 403
    assert refused.data["error"]["message"] == "This API key is read-only."


def test_a_cached_key_reads_neither_the_key_nor_the_permissions_from_the_database():
    _, _, client = _key(UserFactory(is_staff=True, roles=["Editor"]))

    with CaptureQueriesContext(connection) as queries:
        assert client.get(POSTS).status_code == 200

    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "settings_app_apikey" not in tables
    assert "auth_permission" not in tables


def test_a_cached_key_still_records_when_it_was_used_a_minute_later():
    key, _, client = _key(UserFactory(is_staff=True, roles=["Editor"]))
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=None)
    # The cached copy last recorded a use a minute ago (as it would a minute later).
    cached = services.api_key_cached(key.prefix)
    cached.last_used_at = timezone.now() - services.LAST_USED_RESOLUTION
    services._api_key_cache_store(cached, generation=cached._cache_generation)

    assert client.get(POSTS).status_code == 200

    assert ApiKey.objects.get(pk=key.pk).last_used_at is not None


def test_keys_still_work_from_the_database_while_the_cache_server_is_down(settings):
    user = UserFactory(is_staff=True, roles=["Editor"])
    _, raw_key = api_key_create(user=user, name="no cache")
    # Nothing listens on port 1: every cache call fails to connect.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }

    answer = with_key(raw_key).get(POSTS)

    assert answer.status_code == 200


# API_KEY_PROCESS_SECONDS: each process may keep its own copy of a key for a few seconds.


@pytest.fixture
def process_copies(settings, monkeypatch):
    settings.API_KEY_PROCESS_SECONDS = 5
    monkeypatch.setattr(services, "_PROCESS_ENTRIES", {})
    clock = [1000.0]
    monkeypatch.setattr(services.time, "monotonic", lambda: clock[0])
    return clock


def _changed_by_another_process(key: ApiKey, **fields) -> None:
    """What a change made on another machine does here: the rows change and the shared
    generation is replaced, but this process runs no signal of its own."""
    ApiKey.objects.filter(pk=key.pk).update(**fields)
    from django.core.cache import cache

    cache.set(services._GENERATION, "changed elsewhere", timeout=None)


def test_a_kept_key_is_served_without_reading_the_shared_cache(process_copies):
    _, _, client = _key(UserFactory(is_staff=True, roles=["Editor"]))

    with CaptureQueriesContext(connection) as queries:
        assert client.get(POSTS).status_code == 200

    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "creatorops_cache" not in tables and "settings_app_apikey" not in tables


def test_a_key_revoked_in_this_process_is_refused_on_the_next_request_though_kept(
    process_copies,
):
    key, _, client = _key(UserFactory(is_staff=True, roles=["Editor"]))

    api_key_revoke(key=key)

    assert client.get(POSTS).status_code == 401


def test_a_role_taken_away_in_this_process_applies_to_the_next_request_though_kept(
    process_copies,
):
    user = UserFactory(is_staff=True, roles=["Editor"])
    _, _, client = _key(user)

    user.groups.clear()

    assert client.get(POSTS).status_code == 403


def test_a_key_revoked_on_another_process_is_refused_once_the_copy_is_as_old_as_the_setting(
    process_copies,
):
    key, _, client = _key(UserFactory(is_staff=True, roles=["Editor"]))
    process_copies[0] += 4

    _changed_by_another_process(key, revoked_at=timezone.now())

    assert client.get(POSTS).status_code == 200  # the documented delay: still kept
    process_copies[0] += 1  # five seconds after this process read it
    assert client.get(POSTS).status_code == 401


def test_a_new_last_use_does_not_make_a_kept_copy_live_longer(process_copies):
    key, _, client = _key(UserFactory(is_staff=True, roles=["Editor"]))
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=None)
    entry, _ = services._PROCESS_ENTRIES[key.prefix]
    entry["key"]["last_used_at"] = None  # due for a new last use
    process_copies[0] += 3
    assert client.get(POSTS).status_code == 200  # writes last_used_at into the copy
    assert ApiKey.objects.get(pk=key.pk).last_used_at is not None

    _changed_by_another_process(key, revoked_at=timezone.now())
    process_copies[0] += 2

    assert client.get(POSTS).status_code == 401


def test_without_process_copies_a_change_on_another_process_applies_to_the_next_request():
    key, _, client = _key(UserFactory(is_staff=True, roles=["Editor"]))

    _changed_by_another_process(key, revoked_at=timezone.now())

    assert client.get(POSTS).status_code == 401


def test_a_copy_that_aged_out_is_read_again_once_and_kept_afresh(process_copies):
    _, _, client = _key(UserFactory(is_staff=True, roles=["Editor"]))
    process_copies[0] += 5  # aged out: the next request reads the shared cache

    with CaptureQueriesContext(connection) as first:
        assert client.get(POSTS).status_code == 200
    process_copies[0] += 4
    with CaptureQueriesContext(connection) as second:
        assert client.get(POSTS).status_code == 200

    def cache_reads(queries):
        return sum("creatorops_cache" in q["sql"] for q in queries.captured_queries)

    assert (cache_reads(first), cache_reads(second)) == (1, 0)
