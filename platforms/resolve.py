"""Short links (vm.tiktok.com/…, instagram.com/share/…) name no post; one request finds it."""

import socket
import ssl
from http import HTTPStatus
from urllib.parse import urljoin, urlsplit

import requests

from . import http
from .urls import ParsedURL, UnsupportedURL, is_allowed_host, parse_url

MAX_REDIRECTS = 5
TIMEOUT = (5, 10)  # connect, read (seconds)
USER_AGENT = "Mozilla/5.0 (compatible; CreatorOps/1.0; +https://creatorops.invalid)"


class ShortLinkError(Exception):
    """The short link could not be followed to a post (network error, dead link, foreign host)."""


def resolve_short_link(url: str, *, session: requests.Session | None = None) -> ParsedURL:
    """Follow `url`'s redirects, allow-listed hosts only, until they name a post or profile."""
    session = session or http.session_for("short_links")
    current = parse_url(url).canonical_url
    for _ in range(MAX_REDIRECTS):
        try:
            http.ensure_allowed(current)
            response = session.get(
                current,
                allow_redirects=False,
                timeout=TIMEOUT,
                headers={"User-Agent": USER_AGENT},
                stream=True,  # only the headers matter
            )
            response.close()
        except http.HostNotAllowed as exc:
            raise ShortLinkError(str(exc)) from exc
        except requests.RequestException as exc:
            host = urlsplit(current).hostname or current
            raise ShortLinkError(f"Could not reach {host}: {unreachable_reason(exc)}") from exc
        location = response.headers.get("Location")
        if not response.is_redirect or not location:
            raise ShortLinkError(_no_redirect_reason(response.status_code))
        target = urljoin(current, location)
        host = urlsplit(target).hostname or ""
        if not is_allowed_host(host):
            raise ShortLinkError(f"The short link points outside the platforms ({host}).")
        try:
            parsed = parse_url(target)
        except UnsupportedURL as exc:
            raise ShortLinkError(f"The short link led to an unsupported page: {exc}") from exc
        if not parsed.needs_redirect:
            return parsed
        current = parsed.canonical_url
    raise ShortLinkError("The short link redirected too many times.")


def unreachable_reason(exc: requests.RequestException) -> str:
    """Why a request failed, in words a user can act on (never urllib3's raw message)."""
    causes = _causes(exc)
    if any(isinstance(c, socket.gaierror) for c in causes):
        return "this server could not look this address up (no internet access or DNS failure)."
    if isinstance(exc, requests.Timeout):
        return "it did not answer in time."
    if any(isinstance(c, ssl.SSLError) for c in causes) or isinstance(
        exc, requests.exceptions.SSLError
    ):
        return "a secure connection could not be made."
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return "the connection was refused."
    if isinstance(exc, requests.ConnectionError):
        return "the connection failed."
    return "the request failed."


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and everything it wraps: causes, contexts, and urllib3's `reason`s."""
    seen: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop()
        if any(current is s for s in seen):
            continue
        seen.append(current)
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        todo.extend(e for e in [*linked, *current.args] if isinstance(e, BaseException))
    return seen


def _no_redirect_reason(status: int) -> str:
    try:
        phrase = f" {HTTPStatus(status).phrase}"
    except ValueError:
        phrase = ""
    if status in (404, 410):
        return f"The short link leads nowhere (HTTP {status}{phrase}): it may have expired."
    return f"The short link did not redirect to a post (HTTP {status}{phrase})."
