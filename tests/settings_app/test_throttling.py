import pytest
from django.db import connection
from rest_framework.throttling import SimpleRateThrottle

from core.models import RateCounter
from settings_app.throttling import SessionUserRateThrottle
from tests.settings_app.factories import UserFactory
from tests.utils import key_client


@pytest.fixture
def rates(monkeypatch):
    """Set the throttle rates (read once at import from settings, API_THROTTLE_*_RATE)."""

    def set_rates(key_rate: str, user_rate: str) -> None:
        monkeypatch.setattr(
            SimpleRateThrottle, "THROTTLE_RATES", {"api_key": key_rate, "user": user_rate}
        )

    return set_rates


def test_the_rates_come_from_the_settings():
    assert set(SimpleRateThrottle.THROTTLE_RATES) >= {"api_key", "user"}


def test_each_api_key_has_its_own_budget(db, rates):
    rates("2/minute", "100/minute")
    user = UserFactory()
    first, second = key_client(user), key_client(user)

    assert [first.get("/api/v1/clients/").status_code for _ in range(3)] == [200, 200, 429]
    assert second.get("/api/v1/clients/").status_code == 200


def test_a_signed_in_user_is_throttled_too(api, rates):
    rates("100/minute", "2/minute")

    answers = [api.get("/api/v1/clients/") for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[-1].json()["error"]["code"]
    assert "Retry-After" in answers[-1]


def test_the_retry_after_is_what_is_left_of_the_window(db, rates):
    rates("1/minute", "100/minute")
    client = key_client(UserFactory())
    client.get("/api/v1/clients/")

    refused = client.get("/api/v1/clients/")

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_a_forged_forwarded_for_does_not_change_the_throttled_address(settings, rf):
    settings.TRUSTED_PROXIES = []
    forged = rf.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4")

    assert SessionUserRateThrottle().get_ident(forged) == "198.51.100.7"


def test_behind_a_trusted_proxy_the_throttled_address_is_the_forwarded_client(settings, rf):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxied = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")

    assert SessionUserRateThrottle().get_ident(proxied) == "203.0.113.9"


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_budget_holds_and_later_writes_stay_durable(rates):
    # Committed rows, as in production: on PostgreSQL each take commits without waiting for
    # the disk, for that statement alone.
    rates("2/minute", "100/minute")
    client = key_client(UserFactory())

    assert [client.get("/api/v1/clients/").status_code for _ in range(3)] == [200, 200, 429]
    assert RateCounter.objects.get().count == 2
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
