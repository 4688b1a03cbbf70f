"""What posts asks of the apps above it, through functions they register in their
`AppConfig.ready()` (DESIGN.md: a lower app never imports a higher one)."""

from collections.abc import Callable, Iterable
from typing import Any

AccountsByUsername = Callable[[Iterable[Any]], dict[tuple[str, str], Any]]

_accounts_by_username: AccountsByUsername | None = None


def register_accounts_by_username(finder: AccountsByUsername) -> None:
    """creators registers how a post's author (platform, username) finds its tracked account."""
    global _accounts_by_username
    _accounts_by_username = finder


def accounts_by_username(authors: Iterable[Any]) -> dict[tuple[str, str], Any]:
    """The tracked accounts of these authors (anything with .platform and .username, and
    optionally .external_id), by (platform, username) and (platform, external id); none while
    no app tracks accounts."""
    if _accounts_by_username is None:
        return {}
    return _accounts_by_username(authors)
