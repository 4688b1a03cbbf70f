"""Adding posts by URL (one or many), and editing their business fields."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from core.bulk import (
    BATCH_SIZE,
    CREATED,
    EXISTS,
    INVALID,
    AddResult,
    already_tracked_error,
    hide_rows_not_visible,
)
from core.edits import audited_update
from core.errors import DomainError
from platforms.resolve import ShortLinkError, resolve_short_link
from platforms.urls import KIND_POST, ParsedURL, UnsupportedURL, parse_url
from settings_app.access import posts_visible_to

from ..choices import BaseFormat, ContentType, TrialStatus
from ..hooks import accounts_by_username
from ..models import Post
from ..queries import posts_by_key

# Fields a user sets when adding posts; the rest comes from the URL and the platforms.
BUSINESS_FIELDS = ("client", "editor", "assignee", "type", "finance_item", "extra")
# The per-id refresh of new posts: one task per this many ids (a bulk add of thousands of
# URLs queues a handful of tasks, not thousands).
REFRESH_TASK_IDS = 500


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


def _candidates(
    urls: Sequence[str], results: list[AddResult], resolve: Callable[[str], ParsedURL]
) -> dict[tuple[str, str], _Candidate]:
    """The distinct posts of `urls` by (platform, post id); a bad URL's error goes on its result."""
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
        is_short = parsed.is_short or candidate.parsed.is_short  # one /shorts/ form says Short
        if parsed.username and not candidate.parsed.username:
            candidate.parsed = parsed  # the form that names the author is the better one
        candidate.parsed = replace(candidate.parsed, is_short=is_short)
    return candidates


def _new_and_completed(
    candidates: dict[tuple[str, str], _Candidate],
    existing: dict[tuple[str, str], Post],
    *,
    now: datetime,
    added_by,
    is_trial: bool,
    business: dict[str, Any],
) -> tuple[list[Post], list[Post]]:
    """The posts to create, and the existing ones whose unknown author this paste names."""
    accounts = accounts_by_username(c.parsed for c in candidates.values())
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
                    **_short_fields(parsed.is_short),
                    is_trial=is_trial,
                    trial_status=TrialStatus.PENDING if is_trial else None,
                    added_by=added_by,
                    added_date=now,
                    **{"extra": {}, **business},
                )
            )
        elif (parsed.username and not post.username) or (parsed.is_short and not post.is_short):
            if parsed.username and not post.username:
                post.username = parsed.username
                post.url = parsed.canonical_url
                post.account = post.account or account
            for name, value in _short_fields(parsed.is_short).items():
                setattr(post, name, value)
            to_complete.append(post)
    return to_create, to_complete


def _short_fields(is_short: bool) -> dict[str, Any]:
    # A /shorts/ URL is the one sign of a Short that some providers (the YouTube API) lack:
    # remembered on the post, it decides the format whatever the aspect ratio.
    if not is_short:
        return {}
    return {
        "is_short": True,
        "base_format": BaseFormat.VIDEO,
        "content_type": ContentType.VIDEO_SHORT,
    }


def _store(
    to_create: list[Post], to_complete: list[Post], *, now: datetime, boards: list
) -> dict[tuple[str, str], Post]:
    """Write the new posts and the completed ones; return the new posts that are ours."""
    for start in range(0, len(to_create), BATCH_SIZE):
        # A concurrent request may add the same post meanwhile: its row wins, ours is skipped.
        Post.objects.bulk_create(to_create[start : start + BATCH_SIZE], ignore_conflicts=True)
    if to_complete:
        Post.objects.bulk_update(
            to_complete,
            ["username", "url", "account", "is_short", "base_format", "content_type"],
            batch_size=BATCH_SIZE,
        )

    created_keys = {(p.platform, p.post_id) for p in to_create}
    stored = posts_by_key(created_keys) if created_keys else {}
    # Where a concurrent request won, the stored row is theirs: it carries their moment.
    stored = {key: post for key, post in stored.items() if post.added_date == now}
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
    return stored


def posts_refresh_on_commit(ids: Sequence[int]) -> None:
    """After the transaction commits, queue the first stats refresh of these new posts
    (posts.tasks.refresh_posts), REFRESH_TASK_IDS ids per task, so a pasted URL gets its stats
    as soon as a worker is free instead of on the next scheduled pass. The cluster's timeout,
    retry and max_attempts apply (settings.Q_CLUSTER); the refresh claims its posts, so a
    second delivery does nothing twice."""
    ids = sorted(ids)
    for start in range(0, len(ids), REFRESH_TASK_IDS):
        chunk = ids[start : start + REFRESH_TASK_IDS]
        transaction.on_commit(
            partial(
                async_task,
                "posts.tasks.refresh_posts",
                chunk,
                task_name="refresh_posts (added)",
            )
        )


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
    author learned from this URL completes a post whose author was unknown. A post `added_by`
    may not see (another editor's) is reported as existing without the post itself. The posts
    created get their first stats refresh queued once the transaction commits.
    """
    unknown = set(business) - set(BUSINESS_FIELDS)
    if unknown:
        raise TypeError(f"Unknown post fields: {', '.join(sorted(unknown))}")
    results = [AddResult(url=url) for url in urls]
    candidates = _candidates(urls, results, resolve)

    now = timezone.now()
    with transaction.atomic():
        existing = posts_by_key(set(candidates))
        to_create, to_complete = _new_and_completed(
            candidates, existing, now=now, added_by=added_by, is_trial=is_trial, business=business
        )
        stored = _store(to_create, to_complete, now=now, boards=list(boards))
        if stored:
            posts_refresh_on_commit([post.pk for post in stored.values()])

    for key, candidate in candidates.items():
        first = True
        for index in candidate.results:
            post = existing.get(key) or stored.get(key)
            created = key in stored and first
            if post is None:  # a concurrent request added it: someone else's row
                post = posts_by_key({key}).get(key)
            results[index].status = CREATED if created else EXISTS
            results[index].obj = post
            first = False
    if added_by is not None:  # None: a job or a script, which sees every post
        hide_rows_not_visible(results, posts_visible_to(added_by, Post.objects.all()))
    return results


def post_add(*, url: str, **kwargs: Any) -> tuple[Post, bool]:
    """Add one post by URL; returns (post, created). Raises DomainError for a bad URL, and
    ConflictError for a post already tracked that `added_by` may not see."""
    (result,) = post_bulk_add(urls=[url], **kwargs)
    if result.status == INVALID:
        raise DomainError(result.error, code="invalid_url", fields={"url": [result.error]})
    if result.status == EXISTS and result.obj is None:
        raise already_tracked_error(Post)
    return result.obj, result.status == CREATED


def post_update(*, post: Post, boards: Iterable | None = None, actor=None, **fields: Any) -> Post:
    """Edit a post's business and trial-independent fields; validates before saving. The
    changes are recorded in the audit trail, with `actor`."""
    return audited_update(obj=post, boards=boards, actor=actor, fields=fields)
