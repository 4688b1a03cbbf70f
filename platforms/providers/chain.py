"""Ask each platform's providers in order until one answers.

A final answer (`NotFound`, `Private`) is not retried on the next provider; any other error is.
Every call passes the shared rate limiter first.
"""

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from platforms import ratelimit

from .base import (
    AccountToken,
    PostRef,
    PostResult,
    PostStats,
    ProfileRef,
    ProfileStats,
    ProviderError,
)
from .registry import chain


class NoProvider(ProviderError):
    """No configured provider can do this for this platform (missing credentials?)."""


def _call(provider, cost: int, function, *args):
    ratelimit.before_call(provider.name, cost=cost)
    try:
        answer = function(*args)
    except ProviderError as error:
        ratelimit.after_error(provider.name, error)
        raise
    failed = _batch_failure(answer)
    if failed is not None:
        # Every post of the batch failed: the provider did not answer, whatever it returned.
        ratelimit.after_error(provider.name, failed)
    else:
        ratelimit.record_success(provider.name)
    return answer


def _batch_failure(answer) -> ProviderError | None:
    """A batch of post results (fetch_posts) where no post got an answer — stats, or a final
    one such as NotFound: its first error. None otherwise (and for any other call)."""
    if not isinstance(answer, list) or not answer:
        return None
    if not all(isinstance(item, PostResult) for item in answer):
        return None
    errors = [item.error for item in answer if item.error is not None and not item.error.final]
    if len(errors) < len(answer):
        return None
    return errors[0]


def _batches(refs: list[PostRef], size: int) -> Iterator[list[PostRef]]:
    """Batches of at most `size` refs sharing one token: an own account's posts are read with
    its token, so a batch is one call, and the quota reserved for it is what it spends."""
    by_token: dict[Any, list[PostRef]] = defaultdict(list)
    for ref in refs:
        by_token[ref.token].append(ref)
    for same in by_token.values():
        for start in range(0, len(same), size):
            yield same[start : start + size]


def fetch_posts(refs: list[PostRef]) -> list[PostResult]:
    """One result per ref (same order): stats from the first provider that has them, or the
    last error met. Refs are batched per provider's `batch_size`."""
    results: dict[PostRef, PostResult] = {}
    groups: dict[tuple[str, AccountToken | None], list[PostRef]] = defaultdict(list)
    for ref in refs:
        groups[(ref.platform, ref.token)].append(ref)
    for (platform, token), pending in groups.items():
        # An own account's token may enable a provider that has no credentials of its own.
        providers = chain(platform, "posts", token=token)
        if not providers:
            error = NoProvider(f"No configured provider fetches {platform} posts.")
            for ref in pending:
                results[ref] = PostResult(ref=ref, error=error)
            continue
        for provider in providers:
            if not pending:
                break
            retry_next: list[PostRef] = []
            for batch in _batches(pending, provider.batch_size):
                try:
                    answers = _call(
                        provider,
                        provider.call_cost("posts", count=len(batch)),
                        provider.fetch_posts,
                        batch,
                    )
                except ProviderError as error:
                    answers = [PostResult(ref=ref, error=error) for ref in batch]
                for answer in answers:
                    results[answer.ref] = answer
                    if answer.error is not None and not answer.error.final:
                        retry_next.append(answer.ref)
            pending = retry_next
    return [results[ref] for ref in refs]


def fetch_profile(ref: ProfileRef) -> ProfileStats:
    """The profile from the first provider that answers; raises the last error otherwise."""
    return _first_answer(
        ref.platform,
        "profiles",
        lambda p: _call(p, p.call_cost("profiles"), p.fetch_profile, ref),
        token=ref.token,
    )


def list_recent_posts(ref: ProfileRef, limit: int = 30) -> list[PostStats | PostRef]:
    """The profile's recent posts from the first provider that answers."""
    return _first_answer(
        ref.platform,
        "recent_posts",
        lambda p: _call(
            p, p.call_cost("recent_posts", count=limit), p.list_recent_posts, ref, limit
        ),
        token=ref.token,
    )


def _first_answer(platform: str, operation: str, ask, *, token: AccountToken | None = None):
    last_error: ProviderError = NoProvider(
        f"No configured provider does {operation.replace('_', ' ')} on {platform}."
    )
    for provider in chain(platform, operation, token=token):
        try:
            return ask(provider)
        except ProviderError as error:
            if error.final:
                raise
            last_error = error
    raise last_error
