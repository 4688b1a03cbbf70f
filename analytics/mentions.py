"""Brand mentions (specs/analytics.md): tracked posts whose caption (hashtags included) names
one of a client's brand terms, whole word and any case, recorded as `Mention` rows in bulk;
then their sentiment from the AI when it is configured (feature "mention_sentiment").

Matching is done by the database (a case-insensitive regular expression that both SQLite and
PostgreSQL understand); the job is idempotent: a (client, post, term) is recorded once.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from ai.config import AIConfig, config_from_settings
from ai.errors import AIError, AINotConfigured
from ai.structured import structured_answer
from ai.validation import InvalidAnswer
from core.ai_usage import ai_usage_record
from core.jobs import WorkReport
from core.models import JobProgress
from posts.models import Post
from settings_app.access import posts_visible_to
from settings_app.models import Client

from .models import Mention

BATCH = 1000
SENTIMENT_FEATURE = "mention_sentiment"
SENTIMENT_PROMPT_VERSION = "mention-sentiment-1"
SENTIMENT_PER_RUN = 100
_WORD = "A-Za-z0-9_"
# How far before the last scan a post's `updated_at` still counts as new (a slow transaction).
MARKER_OVERLAP = timedelta(minutes=10)


def term_pattern(term: str) -> str:
    """A whole-word pattern for `term` (`#acme`, `@acme`, `Acme Co`), the same on SQLite
    (Python's re) and PostgreSQL (`~*`): no `\\b`, which they spell differently."""
    return f"(^|[^{_WORD}]){re.escape(term.strip())}($|[^{_WORD}])"


def posts_naming(term: str, qs: QuerySet[Post] | None = None) -> QuerySet[Post]:
    """The posts whose caption names `term` (whole word, any case)."""
    qs = Post.objects.all() if qs is None else qs
    return qs.filter(caption__iregex=term_pattern(term))


def mentions_find(*, now: datetime | None = None, clients: QuerySet | None = None) -> WorkReport:
    """Record the new mentions of every active client's brand terms; returns how many were
    created. Run twice, the second run creates none.

    Incremental: each (client, term) keeps a marker (core.JobProgress) of its last completed
    scan, and a run looks only at the posts written since (`updated_at`: added, edited, or
    refreshed with a possibly new caption). A term without a marker (just added to the
    client's brand terms) scans every post once. The marker moves with each batch of
    mentions, in the same transaction, so a run cut short goes on where it stopped."""
    now = now or timezone.now()
    report = WorkReport(kind="mentions")
    clients = Client.objects.filter(is_active=True) if clients is None else clients
    before = Mention.objects.count()
    terms = [
        (client, term)
        for client in clients.exclude(brand_terms="").only("pk", "brand_terms")  # clients: few
        for term in dict.fromkeys(t.lower() for t in client.brand_term_list)
    ]
    markers = {
        p.name: p
        for p in JobProgress.objects.filter(name__in=[_marker_name(c, t) for c, t in terms])
    }
    for client, term in terms:
        name = _marker_name(client, term)
        progress = markers.get(name) or JobProgress.objects.get_or_create(name=name)[0]
        _term_scan(client, term, progress, now=now)
        report.batches += 1
    # The run's items are the mentions it recorded (a second run records none).
    report.created = report.ok = Mention.objects.count() - before
    return report


def _marker_name(client: Client, term: str) -> str:
    # JobProgress.name is 100 characters: a term is named by its digest.
    return f"mentions:{client.pk}:{hashlib.sha1(term.encode()).hexdigest()[:20]}"


def _term_scan(client: Client, term: str, progress: JobProgress, *, now: datetime) -> None:
    """Scan the posts written since `progress.done_before` (every post if never scanned) for
    `term`, in primary-key order from `progress.next_id`; the scan's start becomes the new
    `done_before` when it completes."""
    if progress.target is None:
        # The database clock writes `updated_at`, not the run's `now` (a test or a replay).
        progress.target = timezone.now()
        progress.next_id = 0
        progress.save(update_fields=["target", "next_id", "updated_at"])
    candidates = posts_naming(term)
    if progress.done_before is not None:
        # A post saved just before the last scan may have committed just after it.
        candidates = candidates.filter(updated_at__gte=progress.done_before - MARKER_OVERLAP)
    known = Mention.objects.filter(client=client, term=term, post=OuterRef("pk"))
    candidates = candidates.filter(~Exists(known))
    while True:
        ids = list(
            candidates.filter(pk__gte=progress.next_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        with transaction.atomic():
            _insert([Mention(client=client, post_id=pk, term=term, matched_at=now) for pk in ids])
            if len(ids) < BATCH:
                progress.done_before, progress.target, progress.next_id = (
                    progress.target,
                    None,
                    None,
                )
                progress.save(update_fields=["done_before", "target", "next_id", "updated_at"])
                return
            progress.next_id = ids[-1] + 1
            progress.save(update_fields=["next_id", "updated_at"])


def _insert(batch: list[Mention]) -> None:
    # A concurrent run may have recorded some already: the unique constraint keeps one.
    if batch:
        Mention.objects.bulk_create(batch, ignore_conflicts=True, batch_size=BATCH)


SENTIMENT_SCHEMA = {
    "type": "object",
    "properties": {"sentiment": {"type": "string", "enum": list(Mention.Sentiment.values)}},
    "required": ["sentiment"],
    "additionalProperties": False,
}


def _validate(data: dict) -> str:
    value = data.get("sentiment")
    if value not in Mention.Sentiment.values:
        raise InvalidAnswer(f"`sentiment` must be one of {', '.join(Mention.Sentiment.values)}.")
    return value


def _messages(term: str, caption: str) -> list[dict]:
    return [
        {
            "role": "system",
            "content": (
                "You judge how a social media post speaks of a brand. Answer with the post's "
                "sentiment toward the brand only: positive, neutral or negative."
            ),
        },
        {"role": "user", "content": f"Brand term: {term}\n\nPost caption:\n{caption[:2000]}"},
    ]


def mention_sentiment_configured(config: AIConfig | None = None) -> bool:
    return (config or config_from_settings()).configured


def mentions_judge(*, config: AIConfig | None = None, limit: int = SENTIMENT_PER_RUN) -> WorkReport:
    """Ask the AI for the sentiment of mentions not judged yet (at most `limit` a run); each
    answer (or failure) recorded with `ai_usage_record`. Without AI nothing is judged: the
    sentiment stays empty."""
    config = config or config_from_settings()
    report = WorkReport(kind="mention_sentiment")
    if not config.configured:
        return report
    pending = (
        Mention.objects.filter(sentiment__isnull=True, sentiment_model="")
        .select_related("post")
        .order_by("pk")[:limit]
    )
    for mention in pending:  # bounded by `limit`: one model call each
        try:
            answer = structured_answer(
                config,
                messages=_messages(mention.term, mention.post.caption),
                schema_name="mention_sentiment",
                schema=SENTIMENT_SCHEMA,
                validate=_validate,
                prompt_version=SENTIMENT_PROMPT_VERSION,
            )
        except AINotConfigured:
            break
        except AIError as error:
            ai_usage_record(
                SENTIMENT_FEATURE,
                model=config.model,
                prompt_version=SENTIMENT_PROMPT_VERSION,
                prompt_tokens=getattr(error, "prompt_tokens", 0),
                completion_tokens=getattr(error, "completion_tokens", 0),
                error=str(error),
                detail={"mention": mention.pk},
            )
            # Not asked again (a failing caption would block the queue); shown as unjudged.
            Mention.objects.filter(pk=mention.pk).update(sentiment_model=f"error: {config.model}")
            report.failed += 1
            report.note_errors(str(error))
            continue
        Mention.objects.filter(pk=mention.pk, sentiment__isnull=True).update(
            sentiment=answer.value, sentiment_model=answer.model
        )
        ai_usage_record(
            SENTIMENT_FEATURE,
            model=answer.model,
            prompt_version=answer.prompt_version,
            prompt_tokens=answer.prompt_tokens,
            completion_tokens=answer.completion_tokens,
            calls=answer.calls,
            detail={"mention": mention.pk},
        )
        report.ok += 1
    return report


def mentions_visible_to(user, qs: QuerySet[Mention] | None = None) -> QuerySet[Mention]:
    """Mentions whose post `user` may see."""
    qs = Mention.objects.all() if qs is None else qs
    return posts_visible_to(user, qs, through="post__")


def mention_counts_by_client(user) -> QuerySet:
    """Per client: mentions and their sentiments (one aggregate)."""
    from django.db.models import Count, Max, Q

    return (
        mentions_visible_to(user)
        .values("client_id", "client__name")
        .annotate(
            total=Count("pk"),
            positive=Count("pk", filter=Q(sentiment="positive")),
            neutral=Count("pk", filter=Q(sentiment="neutral")),
            negative=Count("pk", filter=Q(sentiment="negative")),
            unjudged=Count("pk", filter=Q(sentiment__isnull=True)),
            last=Max("matched_at"),
        )
        .order_by("client__name")
    )
