"""Thumbnails for documents we render (PDF reports): fetched only from allow-listed hosts
(`platforms.http`), never from an arbitrary URL a post or a user handed us."""

from __future__ import annotations

from .http import HostNotAllowed, ensure_allowed, request
from .providers.base import ProviderError

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")


def thumbnail_fetch(url: str, *, max_bytes: int, timeout: float = 5.0) -> tuple[bytes, str] | None:
    """The image at `url` and its content type, or None: a host outside the allow-list (nothing
    is sent), a failed request, a body that is not an image or is larger than `max_bytes`."""
    if not url:
        return None
    try:
        ensure_allowed(url)
        response = request("thumbnails", "GET", url, timeout=(2.0, timeout))
    except (HostNotAllowed, ProviderError):
        return None
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    body = response.content
    if content_type not in IMAGE_TYPES or not body or len(body) > max_bytes:
        return None
    return body, content_type
