"""Rate limits and quotas shared by all workers.

Placeholder interface: every call to a provider goes through `before_call`, and every error it
answers through `after_error`. The shared (database-backed) implementation replaces these.
"""

from .providers.base import ProviderError


def before_call(provider: str, *, cost: int = 1) -> None:
    """Reserve `cost` units for one call of `provider`; raise RateLimited/QuotaExhausted if the
    provider is paused or out of calls, without calling it."""


def after_error(provider: str, error: ProviderError) -> None:
    """Record an error of `provider`; a RateLimited pauses it for its `retry_after`."""
