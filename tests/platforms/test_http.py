"""Outbound HTTP: the allow-list, Retry-After, backoff."""

from datetime import timedelta
from email.utils import format_datetime

import pytest
from django.utils import timezone

from platforms import http
from platforms.providers.base import RateLimited


def test_a_foreign_host_is_refused_before_any_request(fake_api, providers_settings, monkeypatch):
    monkeypatch.setattr(http, "session_for", lambda provider: pytest.fail("no session wanted"))
    with pytest.raises(http.HostNotAllowed, match=r"evil\.example\.com"):
        http.request_json("youtube_api", "GET", "https://evil.example.com/youtube/v3/videos")
    assert fake_api.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://www.youtube.com/x",
        "https://www.instagram.com.evil.example/p/x/",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
def test_non_http_schemes_and_lookalike_hosts_are_refused(url):
    with pytest.raises(http.HostNotAllowed):
        http.ensure_allowed(url)


def test_the_allow_list_is_the_platforms_plus_the_configured_api_hosts(settings):
    settings.APIFY_BASE_URL = "https://apify.internal.example/v2"
    hosts = http.allowed_hosts()
    assert {"www.tiktok.com", "www.googleapis.com", "graph.facebook.com"} <= hosts
    assert "apify.internal.example" in hosts
    assert "api.apify.com" not in hosts


def test_retry_after_is_read_as_seconds_or_an_http_date():
    assert http.retry_after_seconds("120") == 120
    when = format_datetime(timezone.now() + timedelta(seconds=300), usegmt=True)
    assert 290 <= http.retry_after_seconds(when) <= 300
    assert http.retry_after_seconds(None) is None
    assert http.retry_after_seconds("soon") is None


def test_a_429_without_retry_after_leaves_the_pause_to_the_default(fake_api, providers_settings):
    from .conftest import Reply

    fake_api.scripted.append(Reply(429, {}))
    with pytest.raises(RateLimited) as raised:
        http.request_json("apify", "GET", fake_api.url + "/v2/x")
    assert raised.value.retry_after is None


def test_backoff_doubles_with_jitter_and_stays_bounded(settings):
    settings.PROVIDER_RETRY_BACKOFF_S = 1.0
    delays = [http.backoff_delay(attempt) for attempt in (1, 2, 3)]
    assert 0.5 <= delays[0] <= 1.0
    assert 1.0 <= delays[1] <= 2.0
    assert 2.0 <= delays[2] <= 4.0


def test_retries_sleep_between_attempts(fake_api, providers_settings, monkeypatch):
    from .conftest import Reply

    slept = []
    monkeypatch.setattr(http, "sleep", slept.append)
    fake_api.scripted.extend([Reply(500), Reply(500)])
    fake_api.route = lambda request: Reply(200, {"ok": True})
    assert http.request_json("apify", "GET", fake_api.url + "/v2/x") == {"ok": True}
    assert len(slept) == 2
    assert len(fake_api.requests) == 3
