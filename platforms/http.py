"""Outbound HTTP for providers: one session each, timeouts, bounded retries, typed errors.

Only allow-listed hosts are ever requested: the platforms' own hosts and the hosts of the
configured provider base URLs. Any other URL raises `HostNotAllowed` before any network I/O.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils import timezone
from urllib3.exceptions import NewConnectionError

from .providers.base import ProviderError, RateLimited, TemporaryError
from .urls import ALLOWED_HOSTS

USER_AGENT = "CreatorOps/1.0 (+https://creatorops.invalid)"

#: Settings naming the provider APIs' base URLs; their hosts join the allow-list.
BASE_URL_SETTINGS = (
    "YOUTUBE_API_BASE_URL",
    "GRAPH_API_BASE_URL",
    "APIFY_BASE_URL",
    # The publishers' (platforms.publishers); optional, for test or proxy hosts.
    "INSTAGRAM_PUBLISH_BASE_URL",
    "FACEBOOK_PUBLISH_BASE_URL",
    "TIKTOK_API_BASE_URL",
    "YOUTUBE_UPLOAD_BASE_URL",
    # Audience demographics (platforms.audience).
    "YOUTUBE_ANALYTICS_BASE_URL",
    # The OAuth token endpoints (platforms.publishers.oauth).
    "OAUTH_INSTAGRAM_TOKEN_URL",
    "OAUTH_INSTAGRAM_GRAPH_URL",
    "OAUTH_GOOGLE_TOKEN_URL",
)

#: The publishing APIs' own hosts (TikTok hands out upload URLs on open-upload).
PUBLISH_API_HOSTS = frozenset(
    {
        "graph.facebook.com",
        "graph.instagram.com",
        "open.tiktokapis.com",
        "open-upload.tiktokapis.com",
        "www.googleapis.com",
        "youtubeanalytics.googleapis.com",
        # OAuth token endpoints.
        "api.instagram.com",
        "oauth2.googleapis.com",
    }
)

_sessions: dict[str, requests.Session] = {}
# Replaced in tests that count the backoff sleeps.
sleep: Callable[[float], None] = time.sleep

#: Methods whose repetition does no more than the first call (RFC 9110 §9.2.2): safe to retry.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

#: Turns a non-2xx answer into a typed error (or None for the default mapping).
ErrorMapper = Callable[[requests.Response, Any], ProviderError | None]


class HostNotAllowed(ProviderError):
    """A URL outside the allow-list was about to be requested; nothing was sent."""


class MaybeDelivered(TemporaryError):
    """The request may have reached the host and done its work, but no usable answer came back
    (read timeout, connection broken after sending, 5xx to a non-idempotent call)."""


def allowed_hosts() -> frozenset[str]:
    """The platform hosts plus the hosts of the configured provider base URLs."""
    hosts = set(ALLOWED_HOSTS | PUBLISH_API_HOSTS)
    for name in BASE_URL_SETTINGS:
        host = urlsplit(getattr(settings, name, "") or "").hostname
        if host:
            hosts.add(host.lower())
    return frozenset(hosts)


def ensure_allowed(url: str) -> None:
    """Raise `HostNotAllowed` unless `url` is http(s) on an allow-listed host."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme not in ("http", "https") or host not in allowed_hosts():
        raise HostNotAllowed(f"Refusing to request {host or url!r}: not an allow-listed host.")


def session_for(provider: str) -> requests.Session:
    """The process's one `requests.Session` for `provider` (connection reuse per provider)."""
    session = _sessions.get(provider)
    if session is None:
        session = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
        _sessions[provider] = session
    return session


def default_timeout() -> tuple[float, float]:
    """(connect, read) seconds from settings."""
    return (settings.PROVIDER_CONNECT_TIMEOUT_S, settings.PROVIDER_READ_TIMEOUT_S)


def retry_after_seconds(value: str | None) -> float | None:
    """A `Retry-After` header (seconds or an HTTP date) as seconds from now, or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - timezone.now()).total_seconds())


def backoff_delay(attempt: int) -> float:
    """Seconds to wait before retry number `attempt` (1, 2, …): doubling, with jitter."""
    base = settings.PROVIDER_RETRY_BACKOFF_S * (2 ** (attempt - 1))
    return base * (0.5 + random.random() / 2)


def request_json(provider: str, method: str, url: str, **kwargs: Any) -> Any:
    """Send one request for `provider` and return the decoded JSON answer.

    5xx answers and connection errors are retried `PROVIDER_RETRIES` times with exponential
    backoff and jitter; nothing else is. A non-idempotent call (POST, PATCH; `idempotent`
    overrides the method's rule) is retried only when the connection could not be opened, so the
    request never left: a 5xx or a dropped connection may already have started paid work (an
    Apify run), and repeating it blindly would start a second one (`MaybeDelivered`). A read
    timeout raises `MaybeDelivered` at once (a slow answer would hold the worker again). A 429
    raises `RateLimited` with its `Retry-After`. Other non-2xx answers go through
    `error_mapper`, then default to `ProviderError`. A 2xx body that is not JSON raises
    `ProviderError`. Keyword arguments are those of `request`.
    """
    response = request(provider, method, url, **kwargs)
    return _decode(provider, urlsplit(url).hostname, response)


def request(
    provider: str,
    method: str,
    url: str,
    *,
    params: dict[str, Any] | None = None,
    json: Any = None,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: tuple[float, float] | None = None,
    error_mapper: ErrorMapper | None = None,
    idempotent: bool | None = None,
    accept: frozenset[int] = frozenset(),
) -> requests.Response:
    """Like `request_json` (same retries and errors) but return the response itself: a 2xx one,
    or one whose status is in `accept` (YouTube's 308 Resume Incomplete). `data` is a raw body."""
    ensure_allowed(url)
    session = session_for(provider)
    timeout = timeout or default_timeout()
    attempts = 1 + max(0, settings.PROVIDER_RETRIES)
    host = urlsplit(url).hostname
    if idempotent is None:
        idempotent = method.upper() in IDEMPOTENT_METHODS
    for attempt in range(1, attempts + 1):
        last = attempt == attempts
        response = _send(
            session,
            provider,
            host,
            method,
            url,
            timeout=timeout,
            last=last,
            attempts=attempts,
            idempotent=idempotent,
            params=params,
            json=json,
            data=data,
            headers=headers,
        )
        if response is not _RETRY:
            answer = _answer(
                provider,
                host,
                response,
                last=last,
                attempts=attempts,
                idempotent=idempotent,
                error_mapper=error_mapper,
                accept=accept,
            )
            if answer is not _RETRY:
                return answer
        sleep(backoff_delay(attempt))
    raise AssertionError("unreachable")  # pragma: no cover


# A transient failure worth another attempt (not the last one).
_RETRY = object()


def _send(
    session,
    provider,
    host,
    method,
    url,
    *,
    timeout,
    last: bool,
    attempts: int,
    idempotent: bool,
    **kwargs,
):
    """One attempt: the response, or _RETRY after a connection error that is not the last."""
    try:
        # No redirects: one could leave the allow-list.
        return session.request(method, url, timeout=timeout, allow_redirects=False, **kwargs)
    except requests.ReadTimeout as exc:
        raise MaybeDelivered(f"{provider}: {host} did not answer within {timeout[1]:g} s.") from exc
    except (requests.ConnectionError, requests.Timeout) as exc:
        if not idempotent and not _never_sent(exc):
            raise MaybeDelivered(
                f"{provider}: the connection to {host} broke during a {method} that may have "
                f"started work there; not repeated: {exc}"
            ) from exc
        if not last:
            return _RETRY
        raise TemporaryError(
            f"{provider}: could not reach {host} after {attempts} attempts: {exc}"
        ) from exc
    except requests.RequestException as exc:
        raise ProviderError(f"{provider}: request to {host} failed: {exc}") from exc


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the connection was never opened, so the request cannot have reached the host."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    todo: list[BaseException] = [exc]
    seen: list[BaseException] = []
    while todo:
        cause = todo.pop()
        if any(cause is s for s in seen):
            continue
        seen.append(cause)
        if isinstance(cause, NewConnectionError | ConnectionRefusedError):
            return True
        # requests keeps urllib3's error in args; urllib3 keeps its cause in `reason`.
        linked = [cause.__cause__, cause.__context__, getattr(cause, "reason", None), *cause.args]
        todo.extend(e for e in linked if isinstance(e, BaseException))
    return False


def _answer(
    provider, host, response, *, last: bool, attempts: int, idempotent: bool, error_mapper, accept
):
    """A 2xx (or accepted) response, _RETRY for a 5xx that is not the last, else raises."""
    status = response.status_code
    if status in accept:
        return response
    if status >= 500 and not idempotent:
        raise MaybeDelivered(
            f"{provider}: {host} answered HTTP {status} to a {response.request.method} that may "
            "have started work there; not repeated, the next pass tries again."
        )
    if status >= 500:
        if not last:
            return _RETRY
        raise TemporaryError(f"{provider}: {host} answered HTTP {status} {attempts} times.")
    if status == 429:
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        raise RateLimited(
            f"{provider}: {host} answered 429 Too Many Requests.", retry_after=retry_after
        )
    if 200 <= status < 300:
        return response
    payload = _decode_quietly(response)
    error = error_mapper(response, payload) if error_mapper else None
    if error is None:
        error = ProviderError(
            f"{provider}: {host} answered HTTP {status}: {_excerpt(response.text)}"
        )
    raise error


def _decode(provider: str, host: str | None, response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise ProviderError(
            f"{provider}: {host} answered malformed JSON (HTTP {response.status_code}): "
            f"{_excerpt(response.text)!r}"
        ) from None


def _decode_quietly(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _excerpt(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"
