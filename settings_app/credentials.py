"""The providers' tokens from the encrypted PlatformCredential rows.

posts registers `platform_credential_tokens` as the source of `platforms.credentials` in its
`AppConfig.ready()` (settings_app may not import platforms). Which row feeds which setting:

- a YouTube row: `YOUTUBE_API_KEY`;
- an Apify row: `APIFY_TOKEN`;
- an Instagram row named like "user id": `INSTAGRAM_GRAPH_USER_ID`; any other Instagram row:
  `INSTAGRAM_GRAPH_TOKEN`.

An expired row is ignored; of several rows for one setting the last saved wins. A setting
with no row keeps its environment value.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone

from .models import PlatformCredential

_USER_ID_NAME = re.compile(r"user[\s_-]*id", re.IGNORECASE)

# (checked at, fingerprint of the rows, tokens): rows are re-read only when they changed.
_cache: tuple[float, tuple, dict[str, str]] | None = None


def _setting_for(row: PlatformCredential) -> str | None:
    if row.platform == PlatformCredential.Platform.YOUTUBE:
        return "YOUTUBE_API_KEY"
    if row.platform == PlatformCredential.Platform.APIFY:
        return "APIFY_TOKEN"
    if row.platform == PlatformCredential.Platform.INSTAGRAM:
        if _USER_ID_NAME.search(row.name):
            return "INSTAGRAM_GRAPH_USER_ID"
        return "INSTAGRAM_GRAPH_TOKEN"
    return None


def _fingerprint() -> tuple:
    now = timezone.now()
    figures = PlatformCredential.objects.aggregate(
        rows=Count("pk"),
        last_saved=Max("updated_at"),
        expired=Count("pk", filter=Q(expires_at__lte=now)),
    )
    return (figures["rows"], figures["last_saved"], figures["expired"])


def _read() -> dict[str, str]:
    live = PlatformCredential.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    ).order_by("updated_at", "pk")
    tokens: dict[str, str] = {}
    for row in live:  # a handful of rows: one per provider setting
        name = _setting_for(row)
        if name and row.token.strip():
            tokens[name] = row.token.strip()
    return tokens


def platform_credential_tokens() -> Mapping[str, str]:
    """Provider setting name -> token, from the credential rows.

    Each call checks the rows with one small aggregate (at most every
    `PLATFORM_CREDENTIALS_TTL_S` seconds, 0 by default) and decrypts them again only when one was
    saved, deleted or expired, so every process uses a rotated token at once, without a restart.
    """
    global _cache
    ttl = getattr(settings, "PLATFORM_CREDENTIALS_TTL_S", 0.0)
    now = time.monotonic()
    if _cache is not None and now - _cache[0] < ttl:
        return _cache[2]
    fingerprint = _fingerprint()
    tokens = _cache[2] if _cache is not None and _cache[1] == fingerprint else _read()
    _cache = (now, fingerprint, tokens)
    return tokens


def platform_credential_tokens_forget() -> None:
    """Drop the cached tokens (tests; a process that just saved a row reads them again)."""
    global _cache
    _cache = None
