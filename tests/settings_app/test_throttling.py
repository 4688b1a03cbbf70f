import pytest
from rest_framework.throttling import SimpleRateThrottle

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
