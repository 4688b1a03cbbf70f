"""The settings admin: API keys are created through the service, shown once, revoked by action."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from settings_app.models import ApiKey, Category, Subcategory
from settings_app.services import api_key_authenticate, api_key_create
from tests.settings_app.factories import CategoryFactory, SubcategoryFactory, UserFactory

pytestmark = pytest.mark.django_db


RAW_KEY = re.compile(r"co_[0-9a-f]{8}_[A-Za-z0-9_-]{20,}")


def test_creating_an_api_key_shows_it_once_and_stores_only_its_hash(superuser_client, superuser):
    response = superuser_client.post(
        reverse("admin:settings_app_apikey_add"),
        {"name": "frontend", "user": superuser.pk, "scopes": ["read"]},
        follow=True,
    )

    assert response.status_code == 200
    content = response.content.decode()
    (raw_key,) = set(RAW_KEY.findall(content))
    assert "copy it now, it won't be shown again" in content.replace("&#x27;", "'")
    key = ApiKey.objects.get()
    assert key.name == "frontend" and key.scopes == ["read"] and key.user == superuser
    assert key.hashed_key == hashlib.sha256(raw_key.encode()).hexdigest()
    assert raw_key not in {key.prefix, key.hashed_key, key.name}
    assert api_key_authenticate(raw_key) == key

    change_page = superuser_client.get(reverse("admin:settings_app_apikey_change", args=[key.pk]))
    later = superuser_client.get(reverse("admin:settings_app_apikey_changelist"))
    for page in (change_page, later):
        assert page.status_code == 200
        assert raw_key not in page.content.decode()
        assert key.hashed_key not in page.content.decode()
    assert key.prefix in change_page.content.decode()


def test_an_api_key_expiring_in_the_past_is_a_form_error(superuser_client, superuser):
    past = timezone.localtime() - timedelta(days=1)

    response = superuser_client.post(
        reverse("admin:settings_app_apikey_add"),
        {
            "name": "old",
            "user": superuser.pk,
            "expires_at_0": past.strftime("%Y-%m-%d"),
            "expires_at_1": past.strftime("%H:%M:%S"),
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["expires_at"]
    assert not ApiKey.objects.exists()


def test_the_revoke_action_revokes_the_selected_keys(superuser_client):
    user = UserFactory()
    (kept, _), (revoked, raw) = (
        api_key_create(user=user, name="kept"),
        api_key_create(user=user, name="revoked"),
    )

    response = superuser_client.post(
        reverse("admin:settings_app_apikey_changelist"),
        {"action": "revoke_keys", "_selected_action": [revoked.pk]},
        follow=True,
    )

    revoked.refresh_from_db()
    kept.refresh_from_db()
    assert revoked.revoked_at is not None and kept.revoked_at is None
    assert api_key_authenticate(raw) is None
    assert "1 key(s) revoked." in response.content.decode()


def test_the_api_key_list_shows_prefix_user_scopes_and_dates(superuser_client):
    user = UserFactory(username="scripter")
    key, _ = api_key_create(user=user, name="import script", scopes=["read", "write"])

    content = superuser_client.get(reverse("admin:settings_app_apikey_changelist")).content.decode()

    for value in (key.prefix, "scripter", "read, write", "Active", "Last used at", "Revoked at"):
        assert value in content, value
    assert key.hashed_key not in content


def test_a_category_is_edited_with_its_subcategories_inline(superuser_client):
    category = CategoryFactory(name="Fitness")
    SubcategoryFactory(category=category, name="Yoga")

    response = superuser_client.get(
        reverse("admin:settings_app_category_change", args=[category.pk])
    )
    assert response.status_code == 200
    assert "Yoga" in response.content.decode()

    response = superuser_client.post(
        reverse("admin:settings_app_category_add"),
        {
            "name": "Cooking",
            "description": "",
            "subcategories-TOTAL_FORMS": "1",
            "subcategories-INITIAL_FORMS": "0",
            "subcategories-0-name": "Quick meals",
            "subcategories-0-description": "",
        },
    )
    assert response.status_code == 302
    assert Subcategory.objects.filter(category=Category.objects.get(name="Cooking")).count() == 1


def test_saving_an_api_key_page_writes_nothing_back(superuser_client):
    key, _ = api_key_create(user=UserFactory(), name="frontend")

    with CaptureQueriesContext(connection) as queries:
        response = superuser_client.post(
            reverse("admin:settings_app_apikey_change", args=[key.pk]), {}
        )

    assert response.status_code == 302
    assert not [q for q in queries.captured_queries if 'UPDATE "settings_app_apikey"' in q["sql"]]
