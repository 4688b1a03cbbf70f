"""AI classification of posts (specs/ai.md): the queue's claims, a pass of the
`classify_posts` job (operations.jobs runs post_classify_pending), writing the answers back,
and queueing posts for the AI again. What is sent to the AI library, and how, is in
classifier.py.
"""

import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from ai.classify import classify
from ai.config import AIConfig, config_from_settings
from ai.errors import AIError, AIInvalidAnswer, AINotConfigured
from ai.types import Classification
from core.bulk import BATCH_SIZE
from core.errors import DomainError
from core.jobs import WorkReport, error_text, item_failure, job_backoff, rows_claim
from settings_app.models import Category, Subcategory

from ..choices import ProcessingStatus, ReelStyle
from ..models import Post
from ..queries import posts_ai_queue
from .classifier import AITaxonomy, Released, ai_taxonomy, classify_all, post_ai_input

AI_CLASSIFICATION = "ai_classification"  # the dead-letter kind (operations.models.FailedItemKind)

_AI_FIELDS = (
    "idea_concept",
    "category",
    "reel_style",
    "processing_status",
    "ai_attempts",
    "ai_error",
    "ai_model",
    "ai_prompt_version",
    "ai_prompt_tokens",
    "ai_completion_tokens",
    "ai_processed_at",
    "ai_next_attempt_at",
    "updated_at",
)
# "Queue for the AI again": due now, with a clean attempt count (trial approval, re-queue).
AI_REQUEUE_FIELDS = {
    "processing_status": ProcessingStatus.PENDING,
    "ai_attempts": 0,
    "ai_error": "",
    "ai_next_attempt_at": None,
}
_STUCK_ERROR = "Stuck in processing longer than AI_PROCESSING_TIMEOUT_MINUTES (its worker stopped)."
_REEL_STYLE_BY_LABEL = {label: value for value, label in ReelStyle.choices}


def posts_claim_for_classification(*, now: datetime, limit: int) -> list[Post]:
    """Claim up to `limit` queued posts: `processing`, one more attempt, taken back at
    now + AI_PROCESSING_TIMEOUT_MINUTES if still processing. Rows another worker is claiming
    are skipped (SKIP LOCKED where supported; SQLite serializes writers); the UPDATE only takes
    rows still pending (compare-and-set)."""
    until = now + timedelta(minutes=settings.AI_PROCESSING_TIMEOUT_MINUTES)
    ids = rows_claim(
        posts_ai_queue(now=now),
        now=now,
        limit=limit,
        order_by=["id"],
        free=Q(processing_status=ProcessingStatus.PENDING, is_trial=False),
        changes={
            "processing_status": ProcessingStatus.PROCESSING,
            "ai_attempts": F("ai_attempts") + 1,
            "ai_next_attempt_at": until,
            "updated_at": timezone.now(),
        },
    )
    return list(
        Post.objects.filter(
            pk__in=ids, processing_status=ProcessingStatus.PROCESSING, ai_next_attempt_at=until
        )
        .select_related("account")
        .order_by("pk")
    )


def _ai_dead_letter(post: Post):
    return item_failure(post, error=post.ai_error, attempts=post.ai_attempts)


def posts_recover_stuck_processing(*, now: datetime) -> WorkReport:
    """Posts in `processing` past their deadline (a worker died) go back to pending, or are
    failed (and dead letters) when they had their AI_MAX_ATTEMPTS."""
    report = WorkReport(kind=AI_CLASSIFICATION)
    stuck = Post.objects.filter(
        Q(ai_next_attempt_at__isnull=True) | Q(ai_next_attempt_at__lte=now),
        processing_status=ProcessingStatus.PROCESSING,
    )
    report.failed += stuck.filter(ai_attempts__lt=settings.AI_MAX_ATTEMPTS).update(
        processing_status=ProcessingStatus.PENDING,
        ai_next_attempt_at=None,
        ai_error=_STUCK_ERROR,
        updated_at=timezone.now(),
    )
    report.note_errors(_STUCK_ERROR, report.failed)
    while True:
        posts = list(stuck.order_by("pk")[:BATCH_SIZE])  # only the exhausted ones are left
        if not posts:
            break
        changed = Post.objects.filter(
            pk__in=[p.pk for p in posts], processing_status=ProcessingStatus.PROCESSING
        ).update(
            processing_status=ProcessingStatus.FAILED,
            ai_next_attempt_at=None,
            ai_error=_STUCK_ERROR,
            ai_processed_at=now,
            updated_at=timezone.now(),
        )
        report.failed += changed
        report.note_errors(_STUCK_ERROR, changed)
        for post in posts:
            post.ai_error = _STUCK_ERROR
            report.dead_letters.append(_ai_dead_letter(post))
    return report


def _ai_fail(post: Post, error: str) -> None:
    post.processing_status = ProcessingStatus.FAILED
    post.ai_error = error[:2000]
    post.ai_next_attempt_at = None


def _ai_answer_apply(post: Post, outcome: Classification, ids: AITaxonomy, live, now) -> list[int]:
    """Write a model's answer onto `post` (in memory); returns its sub-category ids, or [] when
    its category or every sub-category was deleted meanwhile (nothing written)."""
    live_categories, live_subcategories = live
    category_id = ids.category_ids.get(outcome.category)
    sub_ids = [
        ids.subcategory_ids[(outcome.category, name)]
        for name in outcome.subcategories
        if ids.subcategory_ids.get((outcome.category, name)) in live_subcategories
    ]
    if category_id not in live_categories or not sub_ids:
        return []
    post.idea_concept = outcome.idea_concept
    post.category_id = category_id
    post.reel_style = _REEL_STYLE_BY_LABEL.get(outcome.reel_style or "")
    post.processing_status = ProcessingStatus.COMPLETED
    post.ai_error = ""
    post.ai_next_attempt_at = None
    post.ai_model = outcome.model[:100]
    post.ai_prompt_version = outcome.prompt_version[:32]
    post.ai_prompt_tokens = outcome.prompt_tokens
    post.ai_completion_tokens = outcome.completion_tokens
    post.ai_processed_at = now
    return sub_ids


def _ai_failure_apply(post: Post, outcome: BaseException, now: datetime) -> None:
    """A failed attempt: an invalid answer fails the post at once; other errors back off, and
    fail it at AI_MAX_ATTEMPTS."""
    if isinstance(outcome, AIInvalidAnswer):
        _ai_fail(post, str(outcome))
        post.ai_prompt_tokens = outcome.prompt_tokens
        post.ai_completion_tokens = outcome.completion_tokens
        post.ai_processed_at = now
        return
    error = str(outcome) if isinstance(outcome, AIError) else error_text(outcome)
    if post.ai_attempts >= settings.AI_MAX_ATTEMPTS:
        _ai_fail(post, f"{error} (attempt {post.ai_attempts} of {settings.AI_MAX_ATTEMPTS})")
        post.ai_processed_at = now
    else:
        post.processing_status = ProcessingStatus.PENDING
        post.ai_error = error[:2000]
        post.ai_next_attempt_at = now + job_backoff(failures=post.ai_attempts, error=outcome)


def _ai_live_taxonomy(ids: AITaxonomy) -> tuple[set[int], set[int]]:
    # The taxonomy may have been edited while the model answered.
    categories = Category.objects.filter(pk__in=ids.category_ids.values())
    subcategories = Subcategory.objects.filter(pk__in=ids.subcategory_ids.values())
    return (
        set(categories.values_list("pk", flat=True)),
        set(subcategories.values_list("pk", flat=True)),
    )


def _ai_subcategories_write(subcategories: dict[int, list[int]]) -> None:
    through = Post.subcategories.through
    through.objects.filter(post_id__in=list(subcategories)).delete()
    through.objects.bulk_create(
        [
            through(post_id=post_id, subcategory_id=sub_id)
            for post_id, sub_ids in subcategories.items()
            for sub_id in sub_ids
        ],
        ignore_conflicts=True,
        batch_size=BATCH_SIZE,
    )


def _ai_apply(
    posts: list[Post], outcomes: list[Any], *, ids: AITaxonomy, now: datetime
) -> WorkReport:
    """Write the outcomes of claimed posts in bulk: results, failures, backoffs, releases."""
    report = WorkReport(kind=AI_CLASSIFICATION, batches=1)
    subcategories: dict[int, list[int]] = {}
    touched = timezone.now()
    with transaction.atomic():
        live = _ai_live_taxonomy(ids)
        for post, outcome in zip(posts, outcomes, strict=True):
            post.updated_at = touched
            if isinstance(outcome, Classification):
                sub_ids = _ai_answer_apply(post, outcome, ids, live, now)
                if sub_ids:
                    subcategories[post.pk] = sub_ids
                    report.ok += 1
                    report.ok_objects.append(post)
                    continue
                outcome = Released()  # its category was deleted meanwhile: ask again
            if isinstance(outcome, Released | AINotConfigured):
                post.processing_status = ProcessingStatus.PENDING
                post.ai_attempts = max(post.ai_attempts - 1, 0)
                post.ai_next_attempt_at = getattr(outcome, "until", None)
                continue
            report.failed += 1
            _ai_failure_apply(post, outcome, now)
            report.note_errors(post.ai_error)
            if post.processing_status == ProcessingStatus.FAILED:
                report.dead_letters.append(_ai_dead_letter(post))
        Post.objects.bulk_update(posts, _AI_FIELDS, batch_size=BATCH_SIZE)
        _ai_subcategories_write(subcategories)
    return report


def post_classify_batch(
    *,
    posts: list[Post],
    config: AIConfig,
    ids: AITaxonomy | None = None,
    now: datetime | None = None,
    deadline: float | None = None,
) -> tuple[WorkReport, bool, AINotConfigured | None]:
    """Classify claimed `posts` concurrently and write the outcomes. Returns the report,
    whether the pass must stop (rate limit, refused key, deadline) and the refusal if any."""
    now = now or timezone.now()
    ids = ids or ai_taxonomy()
    outcomes, stopped = classify_all(
        [post_ai_input(post) for post in posts], ids.taxonomy, config, now=now, deadline=deadline
    )
    report = _ai_apply(posts, outcomes, ids=ids, now=now)
    refused = next((o for o in outcomes if isinstance(o, AINotConfigured)), None)
    return report, stopped, refused


def post_classify_pending(
    *,
    now: datetime | None = None,
    batch_size: int | None = None,
    time_budget: float | None = None,
    on_batch: Callable[[WorkReport], None] | None = None,
    config: AIConfig | None = None,
) -> WorkReport:
    """One classification pass: take back stuck posts, then claim queued posts batch by batch
    and classify them, until none is queued, `time_budget` seconds have passed or the server
    rate-limits us. Raises AINotConfigured (nothing claimed, posts stay pending) when there is
    no API key, the taxonomy is empty, or the server refuses the key or the model."""
    config = config or config_from_settings()
    if not config.configured:
        raise AINotConfigured(config.not_configured_reason)
    batch_size = batch_size or settings.AI_BATCH_SIZE
    deadline = None if time_budget is None else time.monotonic() + time_budget
    total = WorkReport(kind=AI_CLASSIFICATION)

    def record(report: WorkReport) -> None:
        total.add_counts(report)
        if on_batch is not None:
            on_batch(report)

    recovered = posts_recover_stuck_processing(now=now or timezone.now())
    if recovered.failed:
        record(recovered)
    while deadline is None or time.monotonic() < deadline:
        ids = ai_taxonomy()  # each batch sees the taxonomy's latest edits
        if ids.taxonomy.is_empty:
            raise AINotConfigured(
                "The taxonomy is empty: add categories and sub-categories in Settings."
            )
        batch_now = now or timezone.now()
        posts = posts_claim_for_classification(now=batch_now, limit=batch_size)
        if not posts:
            break
        report, stopped, refused = post_classify_batch(
            posts=posts, config=config, ids=ids, now=batch_now, deadline=deadline
        )
        record(report)
        if refused is not None:
            raise refused
        if stopped:
            break
    return total


def post_classify_now(
    *, post: Post, config: AIConfig | None = None, store: bool = True
) -> Classification:
    """Classify one post in the foreground whatever its status (`manage.py classify`); with
    `store`, write the result as the job would. Errors are raised and nothing is written."""
    if post.is_trial:
        raise DomainError("A trial reel is classified once approved.", code="trial")
    config = config or config_from_settings()
    ids = ai_taxonomy()
    result = classify(post_ai_input(post), ids.taxonomy, config)
    if store:
        post.ai_attempts += 1
        _ai_apply([post], [result], ids=ids, now=timezone.now())
    return result


def _requeue(queryset: QuerySet[Post]) -> int:
    return (
        queryset.filter(is_trial=False)
        .exclude(processing_status=ProcessingStatus.PROCESSING)
        .update(**AI_REQUEUE_FIELDS, updated_at=timezone.now())
    )


def posts_requeue_classification(*, ids: Iterable[int]) -> int:
    """Queue these posts for the AI again, due now with a clean attempt count (completed ones
    keep their labels until the new answer). Trial reels and posts being classified right
    now are left alone. Returns how many were queued; their open dead letters are resolved
    when they succeed."""
    ids = list(ids)
    return sum(
        _requeue(Post.objects.filter(pk__in=ids[start : start + BATCH_SIZE]))
        for start in range(0, len(ids), BATCH_SIZE)
    )


def posts_requeue_failed_classifications() -> int:
    """Queue every failed post for the AI again (see posts_requeue_classification)."""
    return _requeue(Post.objects.filter(processing_status=ProcessingStatus.FAILED))


def post_requeue_classification(*, post: Post) -> Post:
    """Queue one post for the AI again; DomainError says why it cannot be."""
    if post.is_trial:
        raise DomainError(
            "A trial reel is classified once approved: approve it first.", code="trial"
        )
    if not posts_requeue_classification(ids=[post.pk]):
        raise DomainError(
            "This post is being classified right now; try again in a few minutes.",
            code="processing",
        )
    post.refresh_from_db(fields=["processing_status", "ai_attempts", "ai_error"])
    post.refresh_from_db(fields=["ai_next_attempt_at", "updated_at"])
    return post
