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


AccountTokens = Callable[[Iterable[int]], dict[int, Any]]

_account_tokens: AccountTokens | None = None


def register_account_tokens(finder: AccountTokens) -> None:
    """publishing registers how an account's own token is found (its connection's)."""
    global _account_tokens
    _account_tokens = finder


def account_tokens(account_ids: Iterable[int]) -> dict[int, Any]:
    """The own tokens (`platforms.providers.base.AccountToken`) of these accounts that have
    one, by account id; none while no app holds connections. A failing source costs the
    refresh nothing: public data is still fetched."""
    ids = [pk for pk in account_ids if pk]
    if _account_tokens is None or not ids:
        return {}
    return _account_tokens(ids)


AccountsWithoutOwnToken = Callable[[str], int]

_accounts_without_own_token: AccountsWithoutOwnToken | None = None


def register_accounts_without_own_token(counter: AccountsWithoutOwnToken) -> None:
    """publishing registers how many tracked accounts of a platform have no connection whose
    token a tracking provider could use."""
    global _accounts_without_own_token
    _accounts_without_own_token = counter


def accounts_without_own_token(platform: str) -> int | None:
    """How many tracked accounts of `platform` have no own token to be refreshed with; None
    while no app holds connections (then none has one)."""
    if _accounts_without_own_token is None:
        return None
    return _accounts_without_own_token(platform)
