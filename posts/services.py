"""Writes on posts: adding by URL (one or many), editing business fields."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.bulk import BATCH_SIZE, CREATED, EXISTS, INVALID, AddResult
from core.errors import DomainError
from platforms.resolve import ShortLinkError, resolve_short_link
from platforms.urls import KIND_POST, ParsedURL, UnsupportedURL, parse_url

from .choices import TrialStatus
from .models import Post

# Fields a user sets when adding posts; the rest comes from the URL and the platforms.
BUSINESS_FIELDS = ("client", "editor", "assignee", "type", "finance_item", "extra")


@dataclass
class _Candidate:
    index: int
    parsed: ParsedURL
    results: list[int] = field(default_factory=list)


def parse_post_url(
    url: str, *, resolve: Callable[[str], ParsedURL] = resolve_short_link
) -> ParsedURL:
    """Parse a pasted post URL, following a short link; raise DomainError with the reason."""
    try:
        parsed = parse_url(url)
        if parsed.needs_redirect:
            parsed = resolve(parsed.canonical_url)
    except UnsupportedURL as exc:
        raise DomainError(str(exc), code="unsupported_url") from exc
    except ShortLinkError as exc:
        raise DomainError(
            f"{exc} Paste the full post URL instead.", code="short_link_unresolved"
        ) from exc
    if parsed.kind != KIND_POST:
        raise DomainError(
            "This is a profile URL, not a post: add it as an account.", code="not_a_post"
        )
    return parsed


def _account_model():
    # posts must not import creators (creators imports posts); the FK knows the model.
    return Post._meta.get_field("account").related_model


def _accounts_by_username(parsed: Iterable[ParsedURL]) -> dict[tuple[str, str], Any]:
    wanted: dict[str, set[str]] = {}
    for p in parsed:
        if p.username:
            wanted.setdefault(p.platform, set()).add(p.username)
    found = {}
    for platform, usernames in wanted.items():
        for account in (
            _account_model()
            .objects.filter(platform=platform, username__in=usernames)
            .only("id", "platform", "username")
        ):
            found[(platform, account.username)] = account
    return found


def _existing_posts(keys: set[tuple[str, str]]) -> dict[tuple[str, str], Post]:
    by_platform: dict[str, list[str]] = {}
    for platform, post_id in keys:
        by_platform.setdefault(platform, []).append(post_id)
    found = {}
    for platform, ids in by_platform.items():
        for start in range(0, len(ids), BATCH_SIZE):
            for post in Post.objects.filter(
                platform=platform, post_id__in=ids[start : start + BATCH_SIZE]
            ):
                found[(platform, post.post_id)] = post
    return found


def post_bulk_add(
    *,
    urls: Sequence[str],
    added_by=None,
    is_trial: bool = False,
    boards: Iterable = (),
    resolve: Callable[[str], ParsedURL] = resolve_short_link,
    **business: Any,
) -> list[AddResult]:
    """Add many posts by URL; one result per URL, in order. A bad URL never blocks the others.

    Idempotent: the platform's post id is the key, so the same post pasted in two forms (or
    twice) is one post; posts already there are reported and left as they are, except that an
    author learned from this URL completes a post whose author was unknown.
    """
    unknown = set(business) - set(BUSINESS_FIELDS)
    if unknown:
        raise TypeError(f"Unknown post fields: {', '.join(sorted(unknown))}")
    boards = list(boards)
    results = [AddResult(url=url) for url in urls]
    candidates: dict[tuple[str, str], _Candidate] = {}
    for index, url in enumerate(urls):
        try:
            parsed = parse_post_url(url, resolve=resolve)
        except DomainError as exc:
            results[index].error = exc.message
            continue
        key = (parsed.platform, parsed.post_id)
        candidate = candidates.setdefault(key, _Candidate(index=index, parsed=parsed))
        candidate.results.append(index)
        if parsed.username and not candidate.parsed.username:
            candidate.parsed = parsed  # the form that names the author is the better one

    now = timezone.now()
    with transaction.atomic():
        existing = _existing_posts(set(candidates))
        accounts = _accounts_by_username(c.parsed for c in candidates.values())
        to_create, to_complete = [], []
        for key, candidate in candidates.items():
            parsed = candidate.parsed
            account = accounts.get((parsed.platform, parsed.username)) if parsed.username else None
            post = existing.get(key)
            if post is None:
                to_create.append(
                    Post(
                        url=parsed.canonical_url,
                        platform=parsed.platform,
                        post_id=parsed.post_id,
                        username=parsed.username or "",
                        account=account,
                        is_trial=is_trial,
                        trial_status=TrialStatus.PENDING if is_trial else None,
                        added_by=added_by,
                        added_date=now,
                        **{"extra": {}, **business},
                    )
                )
            elif parsed.username and not post.username:
                post.username = parsed.username
                post.url = parsed.canonical_url
                post.account = post.account or account
                to_complete.append(post)

        for start in range(0, len(to_create), BATCH_SIZE):
            # A concurrent request may add the same post meanwhile: its row wins, ours is skipped.
            Post.objects.bulk_create(to_create[start : start + BATCH_SIZE], ignore_conflicts=True)
        if to_complete:
            Post.objects.bulk_update(
                to_complete, ["username", "url", "account"], batch_size=BATCH_SIZE
            )

        created_keys = {(p.platform, p.post_id) for p in to_create}
        stored = _existing_posts(created_keys) if created_keys else {}
        if boards and stored:
            through = Post.boards.through
            through.objects.bulk_create(
                [
                    through(post_id=post.pk, board_id=board.pk)
                    for post in stored.values()
                    for board in boards
                ],
                ignore_conflicts=True,
                batch_size=BATCH_SIZE,
            )

    for key, candidate in candidates.items():
        first = True
        for index in candidate.results:
            post = existing.get(key) or stored.get(key)
            created = key not in existing and first
            results[index].status = CREATED if created else EXISTS
            results[index].obj = post
            first = False
    return results


def post_add(*, url: str, **kwargs: Any) -> tuple[Post, bool]:
    """Add one post by URL; returns (post, created). Raises DomainError for a bad URL."""
    (result,) = post_bulk_add(urls=[url], **kwargs)
    if result.status == INVALID:
        raise DomainError(result.error, code="invalid_url", fields={"url": [result.error]})
    return result.obj, result.status == CREATED


def post_update(*, post: Post, boards: Iterable | None = None, **fields: Any) -> Post:
    """Edit a post's business and trial-independent fields; validates before saving."""
    for name, value in fields.items():
        setattr(post, name, value)
    with transaction.atomic():
        if fields:
            post.full_clean(validate_unique=False)
            post.save(update_fields=[*fields, "updated_at"])
        if boards is not None:
            post.boards.set(boards)
    return post
