"""Rate limits and quotas shared by all workers, in the database."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.models import ProviderState
from platforms import ratelimit
from platforms.providers.base import NotFound, QuotaExhausted, RateLimited, TemporaryError

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    settings.PROVIDER_RATE_LIMITS = {
        "small": {"calls": 3, "window_s": 60, "daily_quota": 0},
        "quota": {"calls": 0, "window_s": 60, "daily_quota": 5},
        "other": {"calls": 3, "window_s": 60, "daily_quota": 0},
    }
    settings.PROVIDER_DEFAULT_PAUSE_S = 60
    return settings


def test_calls_past_the_windows_limit_are_rate_limited_until_it_ends(limits):
    for _ in range(3):
        ratelimit.before_call("small")
    with pytest.raises(RateLimited) as raised:
        ratelimit.before_call("small")
    assert 1 <= raised.value.retry_after <= 60
    assert ProviderState.objects.get(provider="small").calls_in_window == 3


def test_a_new_window_starts_when_the_old_one_has_passed(limits):
    for _ in range(3):
        ratelimit.before_call("small")
    ProviderState.objects.filter(provider="small").update(
        window_started_at=timezone.now() - timedelta(seconds=61)
    )
    ratelimit.before_call("small")
    assert ProviderState.objects.get(provider="small").calls_in_window == 1


def test_a_call_costing_more_than_is_left_is_refused_whole(limits):
    ratelimit.before_call("small", cost=2)
    with pytest.raises(RateLimited):
        ratelimit.before_call("small", cost=2)
    assert ProviderState.objects.get(provider="small").calls_in_window == 2


def test_the_daily_quota_runs_out_then_resets_the_next_quota_day(limits):
    ratelimit.before_call("quota", cost=5)
    with pytest.raises(QuotaExhausted) as raised:
        ratelimit.before_call("quota")
    assert 0 < raised.value.retry_after <= 25 * 3600
    ProviderState.objects.filter(provider="quota").update(
        quota_date=ratelimit.quota_day() - timedelta(days=1)
    )
    ratelimit.before_call("quota")
    assert ProviderState.objects.get(provider="quota").quota_used == 1


def test_the_quota_day_ends_at_midnight_pacific(settings):
    settings.PROVIDER_QUOTA_TIME_ZONE = "America/Los_Angeles"
    reset = ratelimit.next_quota_reset()
    assert (reset.hour, reset.minute) == (0, 0)
    assert str(reset.tzinfo) == "America/Los_Angeles"
    assert timedelta(0) < reset - timezone.now() <= timedelta(hours=25)


def test_a_429_pauses_only_that_provider_for_its_retry_after(limits):
    ratelimit.after_error("small", RateLimited("429", retry_after=90))
    with pytest.raises(RateLimited) as raised:
        ratelimit.before_call("small")
    assert 85 <= raised.value.retry_after <= 90
    ratelimit.before_call("other")  # not paused


def test_a_429_without_retry_after_pauses_for_the_default(limits):
    ratelimit.after_error("small", RateLimited("429"))
    paused_until = ProviderState.objects.get(provider="small").paused_until
    assert timedelta(seconds=55) < paused_until - timezone.now() <= timedelta(seconds=60)


def test_a_shorter_pause_never_shortens_a_longer_one(limits):
    ratelimit.after_error("small", RateLimited("429", retry_after=600))
    ratelimit.after_error("small", RateLimited("429", retry_after=10))
    paused_until = ProviderState.objects.get(provider="small").paused_until
    assert paused_until - timezone.now() > timedelta(seconds=590)


def test_the_pause_ends_by_itself(limits):
    ratelimit.after_error("small", RateLimited("429", retry_after=30))
    ProviderState.objects.filter(provider="small").update(
        paused_until=timezone.now() - timedelta(seconds=1)
    )
    ratelimit.before_call("small")


def test_a_quota_error_from_the_api_spends_the_days_quota(limits):
    ratelimit.after_error("quota", QuotaExhausted("quotaExceeded"))
    state = ProviderState.objects.get(provider="quota")
    assert state.quota_used == 5
    assert state.paused_until == ratelimit.next_quota_reset()
    with pytest.raises(QuotaExhausted):
        ratelimit.before_call("quota")


def test_errors_are_recorded_but_answers_about_one_post_are_not(limits):
    ratelimit.after_error("small", TemporaryError("boom"))
    ratelimit.after_error("small", NotFound("deleted"))
    state = ProviderState.objects.get(provider="small")
    assert state.last_error == "TemporaryError: boom"
    assert state.last_error_at is not None
    assert state.paused_until is None


def test_operators_see_calls_left_pauses_quota_and_last_error(limits):
    limits.PROVIDER_CLASSES = {"small": "x", "quota": "y"}
    ratelimit.before_call("small")
    ratelimit.before_call("quota", cost=2)
    ratelimit.after_error("small", RateLimited("429 from the API", retry_after=30))
    ratelimit.record_success("quota")
    states = {state["provider"]: state for state in ratelimit.provider_states()}
    assert set(states) == {"small", "quota"}
    small, quota = states["small"], states["quota"]
    assert (small["calls_limit"], small["calls_left"], small["daily_quota"]) == (3, 2, None)
    assert small["paused_until"] is not None
    assert small["last_error"] == "RateLimited: 429 from the API"
    assert (quota["daily_quota"], quota["quota_used"], quota["quota_left"]) == (5, 2, 3)
    assert quota["calls_left"] is None
    assert quota["quota_resets_at"] == ratelimit.next_quota_reset()
    assert quota["last_success_at"] is not None


def test_a_provider_never_called_shows_its_full_allowance(settings):
    settings.PROVIDER_CLASSES = {"youtube_api": "x"}
    [state] = ratelimit.provider_states()
    assert (state["calls_left"], state["quota_left"], state["paused_until"]) == (100, 10000, None)


@pytest.mark.django_db(transaction=True)
def test_workers_racing_for_the_last_calls_never_overspend(limits):
    limits.PROVIDER_RATE_LIMITS = {"race": {"calls": 25, "window_s": 600, "daily_quota": 0}}
    ratelimit.before_call("race", cost=0)  # create the row up front
    granted, refused = [], []

    def worker():
        try:
            for _ in range(10):
                try:
                    ratelimit.before_call("race")
                    granted.append(1)
                except RateLimited:
                    refused.append(1)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (len(granted), len(refused)) == (25, 25)
    assert ProviderState.objects.get(provider="race").calls_in_window == 25
