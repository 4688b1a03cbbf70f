from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from settings_app.models import PlatformCredential
from tests.conftest import TEST_ENCRYPTION_KEY

TOKEN = "IGQWRtopsecretlonglivedtoken"


def raw_token(credential) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT token FROM settings_app_platformcredential WHERE id = %s", [credential.pk]
        )
        return cursor.fetchone()[0]


def credential() -> PlatformCredential:
    return PlatformCredential.objects.create(platform="instagram", name="graph", token=TOKEN)


def test_the_raw_column_holds_ciphertext_and_the_model_the_token(db):
    saved = credential()

    raw = raw_token(saved)
    assert TOKEN not in raw and raw.startswith("gAAAA")
    assert Fernet(TEST_ENCRYPTION_KEY.encode()).decrypt(raw.encode()).decode() == TOKEN
    assert PlatformCredential.objects.get(pk=saved.pk).token == TOKEN


def test_rotation_re_encrypts_with_the_first_key_and_old_keys_can_go(db, settings):
    saved = credential()
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, TEST_ENCRYPTION_KEY]

    call_command("rotate_encryption_key", stdout=StringIO())

    assert Fernet(new_key.encode()).decrypt(raw_token(saved).encode()).decode() == TOKEN
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert PlatformCredential.objects.get(pk=saved.pk).token == TOKEN


def test_a_missing_or_wrong_key_is_a_clear_error(db, settings):
    saved = credential()
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured, match="rotate_encryption_key"):
        PlatformCredential.objects.get(pk=saved.pk)
    settings.FIELD_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS is empty"):
        credential()


def test_the_admin_never_shows_the_token(db, superuser_client):
    saved = credential()

    page = superuser_client.get(
        reverse("admin:settings_app_platformcredential_change", args=[saved.pk])
    )
    kept = superuser_client.post(
        reverse("admin:settings_app_platformcredential_change", args=[saved.pk]),
        {"platform": "instagram", "name": "graph", "token": "", "notes": "renewed"},
    )

    assert page.status_code == 200 and TOKEN not in page.content.decode()
    assert kept.status_code == 302
    assert PlatformCredential.objects.get(pk=saved.pk).token == TOKEN
