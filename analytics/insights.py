"""Insight cards (`specs/analytics.md`): "top 3 posts and why" for a client, a creator or a
campaign over a period. The three posts with the most views gained relative to their account's
median in the period, the facts they share (category, sub-categories, reel style, format,
length, posting hour) and, when AI is configured, a two-sentence explanation written from those
facts only (`ai.insights`). Without AI, or when its answer is rejected twice, the facts alone.
The outcome is stored (`InsightExplanation`, keyed by scope, period and the facts' hash), so the
report, the API and the analytics page ask the model once per card.

Views gained (summed from the daily rollups, `DailyPostMetric`: like every analytics figure, up
to the last rolled-up day), the per-account medians and the ranking are computed in the
database, in one statement (window functions over the posts' views gained)."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.cache import cache
from django.db import connections
from django.db.models import BigIntegerField, F, QuerySet, Sum
from django.db.models.functions import Cast

from ai.config import AIConfig, config_from_settings
from ai.errors import AIError, AIInvalidAnswer, AINotConfigured
from ai.insights import PROMPT_VERSION, InsightFacts, PostFacts, insight_explain
from core.ai_usage import ai_usage_record
from core.windows import agency_timezone
from posts.models import Post

from .choices import ScopeKind
from .models import DailyPostMetric, InsightExplanation
from .queries import Period, jit_disabled
from .reports.scope import Scope, scope_get

TOP = 3
CARD_SCOPES = tuple(ScopeKind.values)  # a card is about a client, a creator or a campaign
# After the AI server failed, pages and the API show the facts alone this long without asking
# again (each ask may wait AI_TIMEOUT_S); reports still ask.
UNAVAILABLE_BACKOFF_S = 300
FEATURE = "insight"
NOT_CONFIGURED = "AI is not configured: the facts alone are shown."
REJECTED = "The AI explanation did not keep to the facts; the facts alone are shown."
NO_POSTS = "No posts gained views in this period: there is nothing to explain."
UNAVAILABLE = "The AI explanation is unavailable right now; the facts alone are shown."

# Length buckets (seconds, label): a fact the model and the reader can compare.
LENGTHS = ((15, "under 15 s"), (30, "15–30 s"), (60, "30–60 s"), (180, "1–3 min"))


def length_label(duration_s: float | None) -> str:
    if duration_s is None:
        return ""
    for limit, label in LENGTHS:
        if duration_s < limit:
            return label
    return "over 3 min"


@dataclass
class TopPost:
    post: Post
    views_gained: int
    median: float
    times_median: float
    facts: PostFacts


@dataclass
class InsightCard:
    scope: str
    period: str
    posts: list[TopPost] = field(default_factory=list)
    shared: list[str] = field(default_factory=list)
    explanation: str = ""
    note: str = ""  # why there is no explanation, when there is none


def counted_for_median(posts: QuerySet[Post], end: datetime) -> QuerySet[Post]:
    """The posts an account's median is over: those on an account, published before the
    period's end (or undated), whose views the platform shows (`views` is the latest
    snapshot's: NULL for an Instagram photo, and for a post never refreshed).

    The snapshot rules (`posts.metrics.views_gained`) give a post a gain exactly when it has
    a snapshot and its views were shown at the period's two ends; the current `views` stands
    for that here, so a post whose views became shown or hidden since the period, or one given
    views without any snapshot, may count differently (both rare)."""
    return posts.exclude(account=None).exclude(post_date__gte=end).filter(views__isnull=False)


# Each post's views gained in the period is the sum of its DailyPostMetric rows; a counted post
# without rows did not move (0), one whose rows' views are hidden (NULL) is left out. Each
# account's median is over both, but only the moving posts are sorted: in the account's order by
# gain, its `zeros` posts without rows stand just before the moving posts that gained 0 or more
# (equal values: any order gives the same median), so a moving post's place is its rank among
# the moving ones, plus `zeros` unless it lost views; a middle place no moving post holds is a 0.
# The median is the middle place's value (odd count) or the mean of the two middle ones (even);
# then the posts that gained something are ranked by gain over that median (under 1 counts as 1).
# The counted posts are read twice (joined, counted): `post_counted_views_idx` serves both from
# the index alone; without it this form reads more than the sort it saves.
RANKED_SQL = """
WITH mv AS (
    SELECT p.post_pk, p.acct, r.gained
    FROM ({posts}) AS p JOIN ({gains}) AS r ON r.post_id = p.post_pk
),
k AS (
    SELECT p.acct, COUNT(*) AS counted FROM ({posts}) AS p GROUP BY p.acct
),
z AS (
    SELECT mv.post_pk, mv.acct, mv.gained,
        k.counted - COUNT(*) OVER (PARTITION BY mv.acct) AS zeros
    FROM mv JOIN k ON k.acct = mv.acct
),
c AS (
    SELECT post_pk, acct, gained,
        zeros + COUNT(*) OVER (PARTITION BY acct) AS n,
        ROW_NUMBER() OVER (PARTITION BY acct ORDER BY gained)
            + CASE WHEN gained < 0 THEN 0 ELSE zeros END AS place
    FROM z WHERE gained IS NOT NULL
),
m AS (
    SELECT acct, (
        COALESCE(MAX(CASE WHEN place = (n + 1) / 2 THEN gained END), 0)
        + COALESCE(MAX(CASE WHEN place = n / 2 + 1 THEN gained END), 0)
    ) / 2.0 AS median
    FROM c GROUP BY acct
)
SELECT c.post_pk, c.gained, m.median FROM c JOIN m ON m.acct = c.acct
WHERE c.gained > 0
ORDER BY c.gained * 1.0 / (CASE WHEN m.median < 1 THEN 1 ELSE m.median END) DESC, c.gained DESC,
    c.post_pk
LIMIT %s
"""


def top_posts_relative(
    posts: QuerySet[Post], account_ids: list[int], period: Period, *, limit: int = TOP
) -> list[tuple[Post, float]]:
    """The `limit` of `posts` with the most views gained in `period` relative to their
    account's median, with that median: one statement over the daily rollups of the accounts
    `account_ids` (theirs, or more), so, like every analytics figure, only rolled-up days
    count: today is not in until the nightly job ran."""
    if not account_ids:
        return []
    counted = (
        counted_for_median(posts, period.window[1])
        .order_by()
        .values(post_pk=F("pk"), acct=F("account_id"))
    )
    gains = (
        DailyPostMetric.objects.filter(
            account_id__in=account_ids,
            date__gte=period.start,
            date__lte=period.end,
        )
        .order_by()
        .values("post_id")
        # An integer, not PostgreSQL's numeric SUM: the windows below sort and compare it.
        .annotate(gained=Cast(Sum("views_gained"), BigIntegerField()))
    )
    posts_sql, posts_params = counted.query.sql_with_params()
    gains_sql, gains_params = gains.query.sql_with_params()
    sql = RANKED_SQL.format(posts=posts_sql, gains=gains_sql)
    with jit_disabled(counted.db), connections[counted.db].cursor() as cursor:
        cursor.execute(sql, [*posts_params, *gains_params, *posts_params, limit])
        ranked = cursor.fetchall()
    found = (
        Post.objects.filter(pk__in=[row[0] for row in ranked])
        .select_related("account", "category")
        .prefetch_related("subcategories")
        .in_bulk()
    )
    out = []
    for pk, gained, median in ranked:
        post = found[pk]
        post.gained = gained
        out.append((post, float(median)))
    return out


def post_facts(post: Post, median: float) -> PostFacts:
    hour = post.post_date.astimezone(agency_timezone()).hour if post.post_date else None
    account = post.account
    label = f"@{account.username or post.username} on {account.get_platform_display()}"
    return PostFacts(
        label=label,
        views_gained=int(post.gained),
        times_median=round(post.gained / max(median, 1.0), 1),
        category=post.category.name if post.category_id else "",
        subcategories=tuple(sorted(s.name for s in post.subcategories.all())),
        reel_style=post.get_reel_style_display() if post.reel_style else "",
        format=(
            post.get_content_type_display()
            if post.content_type
            else (post.get_base_format_display() if post.base_format else "")
        ),
        length=length_label(post.duration_s),
        posting_hour=hour,
    )


def shared_facts(facts: list[PostFacts]) -> list[str]:
    """What at least two of the top posts have in common, e.g. "3 of 3: reel style Talking
    Head"."""
    total = len(facts)
    if total < 2:
        return []
    counters = {
        "category": Counter(f.category for f in facts if f.category),
        "sub-category": Counter(s for f in facts for s in f.subcategories),
        "reel style": Counter(f.reel_style for f in facts if f.reel_style),
        "format": Counter(f.format for f in facts if f.format),
        "length": Counter(f.length for f in facts if f.length),
        "posted at": Counter(
            f"{f.posting_hour:02d}:00" for f in facts if f.posting_hour is not None
        ),
    }
    shared = []
    for name, counter in counters.items():
        for value, count in counter.most_common():
            if count >= 2:
                shared.append(f"{count} of {total}: {name} {value}")
    return shared


def facts_hash(facts: InsightFacts) -> str:
    """What identifies the model's question: the prompt version and the facts it reads."""
    text = "\n".join([PROMPT_VERSION, *facts.lines()])
    return hashlib.sha256(text.encode()).hexdigest()


def insight_card(
    scope: Scope,
    start: date,
    end: date,
    *,
    user=None,
    accounts: QuerySet | None = None,
    config: AIConfig | None = None,
    explain: bool = True,
    backoff: bool = False,
) -> InsightCard:
    """The card of `scope` over the local dates `[start, end]` (its posts on `accounts` only,
    when given: the caller's role scoping); with `explain`, the explanation stored for the same
    facts, else the AI's when configured (its usage recorded, the outcome stored), else the
    facts alone with the reason. With `backoff`, an AI server that just failed on these facts
    is not asked again for UNAVAILABLE_BACKOFF_S."""
    period = f"{start:%d %b %Y} – {end:%d %b %Y}"
    card = InsightCard(scope=scope.name, period=period)
    scoped = scope.accounts()  # a campaign's accounts hold its posts
    if accounts is not None:
        scoped = scoped.filter(pk__in=accounts.values("pk"))
    # The account ids read first: the statement is then planned from the posts' and rollups'
    # statistics per account. Planned through `creators_account`, whose statistics may say a
    # client has 1 account right after it was given hundreds (autovacuum analyses a table
    # after 10 % of its rows changed), it ran for over 8 minutes at full size.
    ids = list(scoped.values_list("pk", flat=True))
    ranked = top_posts_relative(scope.posts(account_ids=ids), ids, Period(start, end))
    for post, median in ranked:
        facts = post_facts(post, median)
        card.posts.append(
            TopPost(post, facts.views_gained, median, facts.times_median, facts=facts)
        )
    card.shared = shared_facts([top.facts for top in card.posts])
    if not card.posts or not explain:
        return card
    facts = InsightFacts(
        scope=scope.name, period=period, posts=[t.facts for t in card.posts], shared=card.shared
    )
    key = {
        "scope_kind": scope.kind,
        "scope_id": scope.id,
        "start": start,
        "end": end,
        "facts_hash": facts_hash(facts),
    }
    stored = InsightExplanation.objects.filter(**key).first()
    if stored is not None:
        card.explanation, card.note = stored.explanation, stored.note
        return card
    config = config or config_from_settings()
    if not config.configured:
        card.note = NOT_CONFIGURED
        return card
    backoff_key = f"insight-unavailable:{key['facts_hash']}"
    if backoff and cache.get(backoff_key):
        card.note = UNAVAILABLE
        return card
    _explain(card, scope, facts, key, user=user, config=config)
    if backoff and card.note == UNAVAILABLE:
        cache.set(backoff_key, True, UNAVAILABLE_BACKOFF_S)
    return card


def scope_insight_card(
    *, kind: str, scope_id: int, period: Period, accounts: QuerySet, user=None
) -> tuple[Scope, InsightCard]:
    """The card the API and the analytics page show: scope `kind` (one of CARD_SCOPES) over
    `period`, its posts on `accounts` (the ones the user may see); a failing AI server is given
    a rest rather than slowing every view."""
    scope = scope_get(kind, scope_id)
    card = insight_card(scope, period.start, period.end, user=user, accounts=accounts, backoff=True)
    return scope, card


def _store(key: dict, **outcome) -> None:
    # A concurrent view may have stored the same card first: keep that one.
    InsightExplanation.objects.bulk_create(
        [InsightExplanation(**key, **outcome)], ignore_conflicts=True
    )


def _explain(card: InsightCard, scope: Scope, facts: InsightFacts, key: dict, *, user, config):
    try:
        answer = insight_explain(config, facts)
    except AIInvalidAnswer as error:
        ai_usage_record(
            FEATURE,
            user=user,
            model=config.model,
            prompt_version=PROMPT_VERSION,
            prompt_tokens=error.prompt_tokens,
            completion_tokens=error.completion_tokens,
            calls=2,
            error=str(error),
        )
        # The same facts would be asked again on every view: the rejection is kept too.
        _store(key, note=REJECTED, model=config.model, prompt_version=PROMPT_VERSION)
        card.note = REJECTED
        return
    except AINotConfigured:
        card.note = NOT_CONFIGURED
        return
    except AIError as error:
        ai_usage_record(FEATURE, user=user, model=config.model, error=str(error) or "AI error")
        card.note = UNAVAILABLE
        return
    ai_usage_record(
        FEATURE,
        user=user,
        model=answer.model,
        prompt_version=answer.prompt_version,
        prompt_tokens=answer.prompt_tokens,
        completion_tokens=answer.completion_tokens,
        calls=answer.calls,
        detail={"scope": f"{scope.kind}:{scope.id}", "retried_because": answer.retried_because},
    )
    _store(
        key,
        explanation=answer.value,
        model=answer.model,
        prompt_version=answer.prompt_version,
    )
    card.explanation = answer.value
