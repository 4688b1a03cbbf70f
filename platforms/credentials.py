"""Where the providers' tokens come from: a source the project registers, else the settings.

`platforms/` knows no app models (DESIGN.md), so the app that stores credentials hands a
function in through `register_source`; the environment (settings) stays the fallback. The
source is asked on every read, so a rotated token is used without a restart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.conf import settings

#: The credentials a provider may need, by their setting's name.
NAMES = ("YOUTUBE_API_KEY", "INSTAGRAM_GRAPH_TOKEN", "INSTAGRAM_GRAPH_USER_ID", "APIFY_TOKEN")

CredentialSource = Callable[[], Mapping[str, str]]

_source: CredentialSource | None = None


def register_source(source: CredentialSource | None) -> None:
    """Use `source()` (setting name -> value) before the settings; None forgets it."""
    global _source
    _source = source


def credential(name: str) -> str:
    """The value of credential `name` (e.g. "APIFY_TOKEN"): the registered source's when it has
    one, else the setting of that name, else ""."""
    if _source is not None:
        value = _source().get(name)
        if value:
            return value
    return getattr(settings, name, "") or ""
