"""Which providers exist and in what order each platform asks them (settings)."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from .base import AccountToken, Provider

OPERATIONS = ("posts", "profiles", "recent_posts")


@cache
def _provider(path: str) -> Provider:
    return import_string(path)()


def provider_by_name(name: str) -> Provider:
    """The provider registered under `name` in settings.PROVIDER_CLASSES."""
    try:
        path = settings.PROVIDER_CLASSES[name]
    except KeyError:
        raise LookupError(
            f"Unknown provider {name!r}; known: {', '.join(sorted(settings.PROVIDER_CLASSES))}"
        ) from None
    return _provider(path)


def chain(platform: str, operation: str, *, token: AccountToken | None = None) -> list[Provider]:
    """The configured providers of `platform` that can do `operation`, in the settings' order.

    A provider without credentials is skipped, unless it can answer with the account's own
    `token` (a connected account's).
    """
    if operation not in OPERATIONS:
        raise ValueError(f"operation must be one of {OPERATIONS}")
    providers = []
    for name in settings.PLATFORM_PROVIDERS.get(platform, []):
        provider = provider_by_name(name)
        if platform not in getattr(provider.capabilities, operation):
            continue
        if provider.is_configured() or provider.answers_with(token):
            providers.append(provider)
    return providers


def clear_cache() -> None:
    """Forget instantiated providers (tests change settings between cases)."""
    _provider.cache_clear()
