"""Scale benchmark: the API and the admin on a million posts, side by side with raw SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/scale.py

Creates (or, with --reuse, keeps) its own database `--db` on that server, fills it with the
agency of bench/agency.py (10 000 accounts, 1 000 000 posts, 30 000 000 snapshots by default)
and recomputes the account figures. Then, for each scenario, it times our endpoint or admin
page through Django's full request stack (middleware, authentication, permissions, filters,
serializers, templates; no network) and the raw SQL query that returns the same rows, checks
both return the same rows, and prints median and p95 of each, their ratio and the queries per
request. The write scenarios print rows per second. See bench/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import agency
from agency import timed


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--snapshots", type=int, default=30_000_000, help="Post snapshots.")
    parser.add_argument("--db", default="creatorops_scale", help="Database to create and fill.")
    parser.add_argument("--runs", type=int, default=30, help="Timed requests per scenario.")
    parser.add_argument("--reuse", action="store_true", help="Keep data of the same sizes.")
    parser.add_argument("--only", default="", help="Run only scenarios whose name contains this.")
    parser.add_argument("--bulk-urls", type=int, default=10_000, help="URLs per bulk add.")
    parser.add_argument(
        "--refresh-snapshots", type=int, default=100_000, help="Snapshots of the refresh pass."
    )
    parser.add_argument("--drop", action="store_true", help="Drop the database at the end.")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="Run the refresh pass under cProfile: its function calls, statements and the "
        "functions that spend most (its seconds then include the profiler's overhead).",
    )
    return parser.parse_args()


# --- Timing -----------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass
class Read:
    """A page (API or admin) and the raw SQL that returns its rows."""

    name: str
    path: str
    sql: str
    params: list = field(default_factory=list)
    goal_ms: float = 50
    max_ratio: float | None = 3
    ids: Any = None  # function(response) -> the ids the page shows, compared with the SQL's


def raw_rows(sql: str, params: list) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def api_ids(response) -> list:
    return [row["id"] for row in response.json()["results"]]


def history_ids(response) -> list:
    return [row["bucket"] for row in response.json()["results"]]


def same_form(value) -> str:
    """Ids and datetimes as the API writes them (ISO 8601, UTC as Z)."""
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    return str(value).replace("+00:00", "Z")


def run_read(client, scenario: Read, runs: int) -> dict:
    from django.db import connection

    response = client.get(scenario.path)
    if response.status_code != 200:
        raise SystemExit(f"{scenario.name}: {scenario.path} answered {response.status_code}")
    rows = raw_rows(scenario.sql, scenario.params)
    if scenario.ids is not None:
        shown = [same_form(x) for x in scenario.ids(response)]
        expected = [same_form(row[0]) for row in rows]
        if shown != expected:
            raise SystemExit(
                f"{scenario.name}: the page and the SQL disagree: {shown[:5]} vs {expected[:5]}"
            )
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
    ):
        client.get(scenario.path)
    ours = timed(lambda: client.get(scenario.path), runs, warmup=3)
    raw = timed(lambda: raw_rows(scenario.sql, scenario.params), runs, warmup=3)
    return {
        "ours": ours,
        "raw": raw,
        "rows": len(rows),
        "queries": len(queries),
    }


# --- The scenarios ----------------------------------------------------------------------------

# The columns a post of the API carries, with its account's username, its category's name, its
# boards and sub-categories: what PostSerializer shows, in one statement.
POST_ROW = """
    SELECT p.id, p.url, p.platform, p.post_id, p.account_id, a.username, p.username,
           p.post_date, p.caption, p.thumbnail_url, p.duration_s, p.width, p.height, p.views,
           p.likes, p.comments, p.shares, p.engagement_rate, p.base_format, p.content_type,
           p.idea_concept, p.category_id, c.name,
           ARRAY(SELECT s.id FROM posts_post_subcategories ps JOIN settings_app_subcategory s
                 ON s.id = ps.subcategory_id WHERE ps.post_id = p.id),
           ARRAY(SELECT s.name FROM posts_post_subcategories ps JOIN settings_app_subcategory s
                 ON s.id = ps.subcategory_id WHERE ps.post_id = p.id),
           p.reel_style, p.processing_status, p.ai_error, p.ai_attempts, p.ai_next_attempt_at,
           p.ai_processed_at, p.ai_model, p.ai_prompt_version, p.ai_prompt_tokens,
           p.ai_completion_tokens, p.last_updated, p.next_refresh_at, p.detected_at,
           p.deleted_at, p.is_trial, p.trial_status, p.trial_decided_at, p.trial_note,
           p.client_id, p.editor_id, p.assignee_id, p.type,
           ARRAY(SELECT b.board_id FROM posts_post_boards b WHERE b.post_id = p.id),
           p.finance_item_id, p.extra, p.added_by_id, p.added_date, p.created_at, p.updated_at
    FROM posts_post p
    LEFT JOIN creators_account a ON a.id = p.account_id
    LEFT JOIN settings_app_category c ON c.id = p.category_id
"""
NEWEST = " ORDER BY p.added_date DESC, p.id DESC LIMIT 50"


def post_reads(now: datetime) -> list[Read]:
    """The posts list: first page unfiltered and with the typical filters, and a deep page."""
    from posts.models import Post
    from settings_app.models import Category, Client

    client = Client.objects.get(name="Client 2")  # a client with accounts (agency.py)
    category = Category.objects.order_by("id")[3]
    month_ago = (now - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    week_ago = (now - timedelta(days=23)).strftime("%Y-%m-%dT%H:%M:%SZ")
    user = "bench_4242"
    escaped = user.replace("_", "\\_")  # as Django escapes a LIKE pattern
    # The deep page: the 50 posts after the 200 000th (or the middle one of a smaller
    # agency), as following `next` reaches it.
    depth = min(200_000, Post.objects.count() // 2)
    deep = Post.objects.order_by("-added_date", "-id").values_list("added_date", "id")[depth - 1]
    from core.api.pagination import encode_cursor

    cursor = encode_cursor([deep[0].isoformat(), deep[1]])
    return [
        # No row at all: what any request costs (authentication, permissions, the FilterSet,
        # the serializer's fields, JSON), whatever the size of the table.
        Read(
            "API posts, an empty page (fixed cost)",
            "/api/v1/posts/?account=0",
            POST_ROW + " WHERE p.account_id = 0" + NEWEST,
            ids=api_ids,
            max_ratio=None,
        ),
        Read("API posts, first page", "/api/v1/posts/", POST_ROW + NEWEST, ids=api_ids),
        Read(
            "API posts, client + is_trial",
            f"/api/v1/posts/?client={client.pk}&is_trial=true",
            POST_ROW + " WHERE p.client_id = %s AND p.is_trial" + NEWEST,
            [client.pk],
            ids=api_ids,
        ),
        Read(
            "API posts, platform + category",
            f"/api/v1/posts/?platform=tiktok&category={category.pk}",
            POST_ROW + " WHERE p.platform = 'tiktok' AND p.category_id = %s" + NEWEST,
            [category.pk],
            ids=api_ids,
        ),
        Read(
            "API posts, post_date range (a week)",
            f"/api/v1/posts/?post_date_after={month_ago}&post_date_before={week_ago}",
            # A period lists newest posted first (posts.filters).
            POST_ROW + " WHERE p.post_date >= %s AND p.post_date <= %s"
            " ORDER BY p.post_date DESC, p.id DESC LIMIT 50",
            [month_ago, week_ago],
            ids=api_ids,
        ),
        Read(
            "API posts, search by username",
            f"/api/v1/posts/?search={user}",
            POST_ROW + " WHERE p.username LIKE %s OR upper(p.caption) LIKE upper(%s)" + NEWEST,
            [f"{escaped}%", f"%{escaped}%"],
            ids=api_ids,
        ),
        Read(
            f"API posts, deep page (after {depth:,})",
            f"/api/v1/posts/?cursor={cursor}",
            POST_ROW + " WHERE (p.added_date, p.id) < (%s, %s)" + NEWEST,
            [deep[0], deep[1]],
            ids=api_ids,
        ),
    ]


ACCOUNT_ROW = (
    "SELECT a.*, ARRAY(SELECT b.board_id FROM creators_account_boards b WHERE "
    "b.account_id = a.id) FROM creators_account a"
)


def account_reads(now: datetime) -> list[Read]:
    from creators.models import Account

    account = Account.objects.order_by("-followers", "id").first()
    start = (now - timedelta(days=365)).strftime("%Y-%m-%d")
    return [
        Read(
            "API accounts, by views_last_7d",
            "/api/v1/accounts/?ordering=-views_last_7d",
            ACCOUNT_ROW + " ORDER BY coalesce(a.views_last_7d, -1) DESC, a.id DESC LIMIT 50",
            ids=api_ids,
        ),
        Read(
            "API account snapshots, a year by day",
            f"/api/v1/accounts/{account.pk}/snapshots/?granularity=day&start={start}",
            """SELECT DISTINCT ON (date_trunc('day', captured_at AT TIME ZONE 'UTC'))
                   date_trunc('day', captured_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
                   captured_at, followers, following, media_count
               FROM creators_accountsnapshot WHERE account_id = %s AND captured_at >= %s
               ORDER BY date_trunc('day', captured_at AT TIME ZONE 'UTC'), captured_at DESC
               LIMIT 50""",
            [account.pk, start],
            ids=history_ids,
        ),
    ]


ADMIN_POSTS = """
    SELECT p.*, c.name, cl.name,
           ARRAY(SELECT s.name FROM posts_post_subcategories ps JOIN settings_app_subcategory s
                 ON s.id = ps.subcategory_id WHERE ps.post_id = p.id ORDER BY s.name),
           ARRAY(SELECT bo.name FROM posts_post_boards b JOIN settings_app_board bo
                 ON bo.id = b.board_id WHERE b.post_id = p.id)
    FROM posts_post p
    LEFT JOIN settings_app_category c ON c.id = p.category_id
    LEFT JOIN settings_app_client cl ON cl.id = p.client_id
"""


def admin_reads() -> list[Read]:
    from settings_app.models import Client

    client = Client.objects.get(name="Client 2")
    goal = {"goal_ms": 300, "max_ratio": None}
    return [
        Read(
            "Admin posts",
            "/admin/posts/post/",
            ADMIN_POSTS + " ORDER BY p.id DESC LIMIT 50",
            **goal,
        ),
        Read(
            "Admin posts, client + platform",
            f"/admin/posts/post/?client={client.pk}&platform=instagram",
            ADMIN_POSTS + " WHERE p.client_id = %s AND p.platform = 'instagram'"
            " ORDER BY p.id DESC LIMIT 50",
            [client.pk],
            **goal,
        ),
        Read(
            "Admin accounts",
            "/admin/creators/account/",
            "SELECT a.*, cl.name FROM creators_account a"
            " LEFT JOIN settings_app_client cl ON cl.id = a.client_id"
            " ORDER BY a.username, a.id LIMIT 50",
            **goal,
        ),
        Read(
            "Admin accounts, client, by views 7d",
            f"/admin/creators/account/?client={client.pk}&ordering=-views_last_7d",
            "SELECT a.*, cl.name FROM creators_account a"
            " LEFT JOIN settings_app_client cl ON cl.id = a.client_id WHERE a.client_id = %s"
            " ORDER BY coalesce(a.views_last_7d, -1) DESC, a.id DESC LIMIT 50",
            [client.pk],
            **goal,
        ),
        Read(
            "Admin trial reels board",
            "/admin/posts/post/trial-board/",
            """SELECT p.*, a.username, cl.name, e.name FROM posts_post p
               LEFT JOIN creators_account a ON a.id = p.account_id
               LEFT JOIN settings_app_client cl ON cl.id = p.client_id
               LEFT JOIN settings_app_editor e ON e.id = p.editor_id
               WHERE p.is_trial AND p.trial_status = 'pending'
               ORDER BY cl.name NULLS LAST, e.name NULLS LAST, p.views DESC NULLS LAST, p.id DESC
               LIMIT 50""",
            **goal,
        ),
    ]


# --- Writes -----------------------------------------------------------------------------------


def bench_bulk_add(client, key: str, urls: int, runs: int = 3) -> dict:
    """POST /api/v1/posts/bulk/ with `urls` new URLs, `runs` times (deleted after each)."""
    from django.db import connection

    from posts.models import Post

    ours, raw = [], []
    for run in range(runs):
        base = 9_000_000_000 + run * urls
        batch = [f"https://www.youtube.com/watch?v=Z{base + i:010d}" for i in range(urls)]
        started = time.perf_counter()
        response = client.post(
            "/api/v1/posts/bulk/",
            {"urls": batch},
            content_type="application/json",
            HTTP_AUTHORIZATION=key,
        )
        ours.append(time.perf_counter() - started)
        created = sum(1 for r in response.json()["results"] if r["status"] == "created")
        if response.status_code != 200 or created != urls:
            raise SystemExit(f"bulk add: {response.status_code}, {created} created of {urls}")
        Post.objects.filter(url__in=batch).delete()
        # The floor: one INSERT … SELECT of the same rows.
        with connection.cursor() as cursor:
            started = time.perf_counter()
            agency.insert_select(
                cursor,
                Post,
                {
                    "url": "'https://www.youtube.com/watch?v=Z' || lpad(i::text, 10, '0')",
                    "platform": "'youtube'",
                    "post_id": "'Z' || lpad(i::text, 10, '0')",
                    "username": "''",
                    "processing_status": "'pending'",
                    "added_date": "now()",
                    "created_at": "now()",
                    "updated_at": "now()",
                    "extra": "'{}'::jsonb",
                },
                "generate_series(%s, %s) AS i",
                [base, base + urls - 1],
            )
            raw.append(time.perf_counter() - started)
            cursor.execute("DELETE FROM posts_post WHERE post_id LIKE 'Z%%'")
    return {"ours": ours, "raw": raw, "rows": urls}


def bench_refresh(snapshots: int, now: datetime, *, profile: bool = False) -> dict:
    """A refresh_post_stats pass over `snapshots` due posts, the providers answering instantly
    in process: what is timed is our database work (claims, snapshots, post updates). With
    `profile`, the pass runs under cProfile and prints its calls and statements."""
    from django.db import connection

    from platforms.providers import chain
    from platforms.providers.base import PostResult, PostStats
    from posts.models import Post, PostSnapshot
    from posts.services.refresh import post_refresh_due

    def instant(refs):
        return [
            PostResult(
                ref=ref,
                stats=PostStats(
                    platform=ref.platform,
                    post_id=ref.post_id,
                    views=1000,
                    likes=100,
                    comments=10,
                    shares=1,
                    source="bench",
                ),
            )
            for ref in refs
        ]

    from posts.queries import posts_due_for_refresh

    ids = list(
        Post.objects.filter(is_trial=False).order_by("id").values_list("id", flat=True)[:snapshots]
    )
    # Only these are due (the first time, every generated post is: never refreshed).
    posts_due_for_refresh(now=now).update(next_refresh_at=now + timedelta(days=365))
    Post.objects.filter(id__in=ids).update(next_refresh_at=now - timedelta(minutes=1))
    # Neither side starts on the dead rows of what came before (the two updates above, the
    # other side's run): those fill the pages' free room, so no update could be HOT.
    vacuum = "VACUUM posts_post"
    with connection.cursor() as cursor:
        cursor.execute(vacuum)
        updates_before = post_updates(cursor)
    real, chain.fetch_posts = chain.fetch_posts, instant
    try:
        if profile:
            report, seconds = profiled(lambda: post_refresh_due(now=now))
        else:
            started = time.perf_counter()
            report = post_refresh_due(now=now)
            seconds = time.perf_counter() - started
    finally:
        chain.fetch_posts = real
    with connection.cursor() as cursor:
        updated, hot = (a - b for a, b in zip(post_updates(cursor), updates_before, strict=True))
    print(f"refresh pass: {updated:,} row updates of posts_post, {hot:,} of them HOT")
    written = PostSnapshot.objects.filter(captured_at=now).count()
    if report.ok != len(ids) or written != len(ids):
        raise SystemExit(f"refresh: {report.ok} ok, {written} snapshots of {len(ids)}")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM posts_postsnapshot WHERE captured_at = %s", [now])
        cursor.execute(vacuum)
        # The floor: the same snapshots in one INSERT … SELECT, the posts in one UPDATE.
        started = time.perf_counter()
        cursor.execute(
            """INSERT INTO posts_postsnapshot (post_id, captured_at, views, likes, comments,
                   shares, source)
               SELECT id, %s, 1000, 100, 10, 1, 'bench' FROM posts_post WHERE id = ANY(%s)""",
            [now, ids],
        )
        cursor.execute(
            # The columns our pass writes, its bookkeeping included.
            """UPDATE posts_post SET views = 1000, likes = 100, comments = 10, shares = 1,
                   last_updated = %s, next_refresh_at = %s, refresh_failures = 0,
                   refresh_error = '', refresh_error_at = NULL, refresh_claimed_until = NULL,
                   updated_at = %s WHERE id = ANY(%s)""",
            [now, now + timedelta(days=1), now, ids],
        )
        floor = time.perf_counter() - started
        cursor.execute("DELETE FROM posts_postsnapshot WHERE captured_at = %s", [now])
    alone = {}
    for claims in (True, False):
        Post.objects.filter(id__in=ids).update(next_refresh_at=now - timedelta(minutes=1))
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM posts_postsnapshot WHERE captured_at = %s", [now])
            cursor.execute(vacuum)
        alone[claims], split = refresh_statements_alone(now, claims=claims)
        print(
            f"the same statements alone{'' if claims else ', the claims only read'}, batch by"
            " batch: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in split.items())
        )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM posts_postsnapshot WHERE captured_at = %s", [now])
    return {
        "ours": [seconds],
        "raw": [floor],
        "batched": [alone[True]],
        "unclaimed": [alone[False]],
        "rows": len(ids),
    }


# The pass's three statements as it sends them (posts.services.refresh), with the values of the
# benchmark's instant answers written in SQL: no Python between them.
_CLAIM = """
    UPDATE posts_post SET refresh_claimed_until = %(until)s WHERE id IN (
        SELECT id FROM posts_post
        WHERE deleted_at IS NULL AND COALESCE(next_refresh_at, %(low)s) <= %(now)s
          AND (refresh_claimed_until IS NULL OR refresh_claimed_until <= %(now)s)
          AND (COALESCE(next_refresh_at, %(low)s), id) > (%(after_at)s, %(after_id)s)
        ORDER BY COALESCE(next_refresh_at, %(low)s), id LIMIT %(limit)s
        FOR UPDATE SKIP LOCKED)
    RETURNING id, url, platform, post_id, account_id, username, post_date, is_short,
              next_refresh_at, refresh_failures, is_trial, trial_status, added_date"""
# The claim's SELECT alone: the same batch, nothing written.
_CLAIM_READ = """
    SELECT id, url, platform, post_id, account_id, username, post_date, is_short,
           next_refresh_at, refresh_failures, is_trial, trial_status, added_date
    FROM posts_post
    WHERE deleted_at IS NULL AND COALESCE(next_refresh_at, %(low)s) <= %(now)s
      AND (refresh_claimed_until IS NULL OR refresh_claimed_until <= %(now)s)
      AND (COALESCE(next_refresh_at, %(low)s), id) > (%(after_at)s, %(after_id)s)
    ORDER BY COALESCE(next_refresh_at, %(low)s), id LIMIT %(limit)s"""
_SNAPSHOTS = """
    INSERT INTO posts_postsnapshot (post_id, views, likes, comments, shares, source, captured_at)
    SELECT id, 1000, 100, 10, 1, 'bench', %s FROM unnest(%s::bigint[]) AS v (id)
    ON CONFLICT DO NOTHING"""
_POSTS = """
    UPDATE posts_post SET views = 1000, likes = 100, comments = 10, shares = 1,
        next_refresh_at = %s, last_updated = %s, refresh_failures = 0, refresh_error = '',
        refresh_error_at = NULL, refresh_claimed_until = NULL, updated_at = %s
    FROM unnest(%s::bigint[]) AS v (id) WHERE posts_post.id = v.id"""


def refresh_statements_alone(now: datetime, *, claims: bool) -> tuple[float, dict[str, float]]:
    """What the pass's claims and writes cost the database alone, in its batches: what a
    batched, claimed pass could reach with no Python at all. Without `claims`, each batch is
    only read (the claim's SELECT): what any claim kept off `posts_post` (a narrow table)
    could at best reach. Returns its seconds and their split per statement."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from core.sorting import LOWEST_DATETIME

    split = dict.fromkeys(("claims", "snapshots", "posts"), 0.0)
    after = (LOWEST_DATETIME, 0)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        while True:
            step = time.perf_counter()
            cursor.execute(
                _CLAIM if claims else _CLAIM_READ,
                {
                    "until": now + timedelta(minutes=15),
                    "low": LOWEST_DATETIME,
                    "now": now,
                    "after_at": after[0],
                    "after_id": after[1],
                    "limit": settings.REFRESH_BATCH_SIZE,
                },
            )
            claimed = cursor.fetchall()
            split["claims"] += time.perf_counter() - step
            if not claimed:
                break
            after = max((row[8] or LOWEST_DATETIME, row[0]) for row in claimed)
            ids = [row[0] for row in claimed]
            with transaction.atomic():
                step = time.perf_counter()
                cursor.execute(_SNAPSHOTS, [now, ids])
                split["snapshots"] += time.perf_counter() - step
                step = time.perf_counter()
                cursor.execute(_POSTS, [now + timedelta(days=2), now, timezone.now(), ids])
                split["posts"] += time.perf_counter() - step
    return time.perf_counter() - started, split


def post_updates(cursor) -> tuple[int, int]:
    """Rows of posts_post updated so far, and how many of those updates were HOT."""
    cursor.execute("SELECT pg_stat_force_next_flush()")  # this session's counts, now
    cursor.execute(
        "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'posts_post'"
    )
    return cursor.fetchone()


def profiled(function):
    """Call `function` under cProfile; print its function calls, its statements (and their
    seconds), and the functions that spent most. Returns its result and its seconds."""
    import cProfile
    import pstats

    from django.db import connection

    statements = {"count": 0, "seconds": 0.0}

    def count(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements["count"] += 1
            statements["seconds"] += time.perf_counter() - started

    profile = cProfile.Profile()
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        profile.enable()
        result = function()
        profile.disable()
        seconds = time.perf_counter() - started
    stats = pstats.Stats(profile)
    print(
        f"profiled: {stats.total_calls:,} function calls, {statements['count']:,} statements"
        f" ({statements['seconds']:.2f} s of {seconds:.2f} s)"
    )
    stats.sort_stats("tottime").print_stats(25)
    return result, seconds


# --- Main -------------------------------------------------------------------------------------


def setup_users():
    from django.contrib.auth import get_user_model

    from settings_app.services import api_key_create

    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    _, raw_key = api_key_create(user=user, name="bench")
    return user, f"Api-Key {raw_key}"


def print_reads(results: list[tuple[Read, dict]]) -> None:
    header = (
        f"{'scenario':40} {'ours med':>9} {'p95':>7} {'SQL med':>8} {'p95':>7} {'ratio':>6}"
        f" {'rows':>5} {'queries':>7}  goal"
    )
    print(header)
    print("-" * len(header))
    for scenario, r in results:
        ours_med, ours_p95 = statistics.median(r["ours"]) * 1000, percentile(r["ours"], 0.95) * 1000
        raw_med, raw_p95 = statistics.median(r["raw"]) * 1000, percentile(r["raw"], 0.95) * 1000
        ratio = ours_med / raw_med if raw_med else float("inf")
        met = ours_p95 < scenario.goal_ms and (
            scenario.max_ratio is None or ratio <= scenario.max_ratio
        )
        goal = f"p95 < {scenario.goal_ms:.0f} ms" + (
            f", ≤ {scenario.max_ratio:.0f}×" if scenario.max_ratio else ""
        )
        print(
            f"{scenario.name:40} {ours_med:7.1f}ms {ours_p95:5.1f}ms {raw_med:6.1f}ms"
            f" {raw_p95:5.1f}ms {ratio:5.1f}× {r['rows']:5} {r['queries']:7}  "
            f"{'met' if met else 'MISSED'} ({goal})"
        )


def print_write(name: str, r: dict, goal: float) -> None:
    ours, raw = statistics.median(r["ours"]), statistics.median(r["raw"])
    rate, floor = r["rows"] / ours, r["rows"] / raw
    print(
        f"{name:40} {r['rows']:,} rows: median {ours:.2f} s = {rate:,.0f} rows/s; raw SQL"
        f" {raw:.2f} s = {floor:,.0f} rows/s ({ours / raw:.1f}×); "
        f"{'met' if rate > goal else 'MISSED'} (> {goal:,.0f}/s)"
    )
    if "batched" in r:
        batched = statistics.median(r["batched"])
        print(
            f"{'':40} share of the floor: ours {raw / ours:.0%}; its statements alone, batch"
            f" by batch, {batched:.2f} s = {raw / batched:.0%}; and with claims that write"
            f" nothing, {statistics.median(r['unclaimed']):.2f} s ="
            f" {raw / statistics.median(r['unclaimed']):.0%}"
        )


def main() -> None:
    args = parse_args()
    url = agency.server_url()
    created = agency.create_database(url, args.db)
    import os

    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    agency.setup_django(agency.with_database(url, args.db))

    from django.core.management import call_command
    from django.test import Client

    from finance.metrics import account_figures_recompute as account_metrics_recompute

    print(f"Database {args.db} ({'created' if created else 'exists'}).")
    with agency.step("migrate"):
        call_command("migrate", verbosity=0)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    if args.reuse and agency.same_sizes(accounts=args.accounts, posts=args.posts):
        print("Reusing the data already there.")
    else:
        started = time.monotonic()
        agency.generate(
            now=now,
            accounts=args.accounts,
            posts=args.posts,
            snapshots=args.snapshots,
            account_snapshots=60,
        )
        print(f"Generated in {time.monotonic() - started:.0f} s.")
    from creators.models import Account

    if not Account.objects.filter(metrics_computed_at__isnull=False).exists():
        with agency.step("account figures (account_figures_recompute)"):
            account_metrics_recompute(now=now)
        agency.vacuum()
    sizes = agency.counts()
    print(
        f"Data: {sizes['creators_account']:,} accounts, {sizes['posts_post']:,} posts, "
        f"{sizes['posts_postsnapshot']:,} post snapshots.\n"
    )

    user, key = setup_users()
    api = Client(HTTP_AUTHORIZATION=key)
    admin = Client()
    admin.force_login(user)

    reads = [(api, s) for s in [*post_reads(now), *account_reads(now)]]
    reads += [(admin, s) for s in admin_reads()]
    results = []
    for client, scenario in reads:
        if args.only and args.only not in scenario.name:
            continue
        results.append((scenario, run_read(client, scenario, args.runs)))
    if results:
        print(f"Reads: {args.runs} timed requests each after 3 warm-ups; times in ms.")
        print_reads(results)
        print()
    if not args.only or "bulk" in args.only:
        print_write(
            "API bulk add (POST /api/v1/posts/bulk/)",
            bench_bulk_add(api, key, args.bulk_urls),
            2_000,
        )
    if not args.only or "refresh" in args.only:
        print_write(
            "refresh_post_stats pass (snapshots)",
            bench_refresh(args.refresh_snapshots, now, profile=args.profile),
            20_000,
        )
    if args.drop:
        from django.db import connection

        connection.close()
        agency.drop_database(url, args.db)
        print(f"Dropped {args.db}.")


if __name__ == "__main__":
    main()
