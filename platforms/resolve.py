"""Short links (vm.tiktok.com/…, instagram.com/share/…) name no post; one request finds it."""

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
            raise ShortLinkError(f"Could not reach {urlsplit(current).hostname}: {exc}") from exc
        location = response.headers.get("Location")
        if not response.is_redirect or not location:
            raise ShortLinkError(
                f"The short link did not redirect to a post (HTTP {response.status_code})."
            )
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
