"""A realistic agency at scale, generated in SQL on PostgreSQL: shared by the benchmarks.

`generate(now=…, accounts=…, posts=…, snapshots=…)` fills a migrated database with clients,
editors, boards, finance items, accounts on the three platforms with their follower history,
posts with business and AI fields, and their snapshot history, then VACUUM ANALYZEs. See
bench/README.md for the shape of the data.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DAYS_OF_POSTS = 730  # posts published over the last two years
CLIENTS = 20
EDITORS = 60
BOARDS = ("Finance", "Clipping", "Clients", "UGC")
PENDING_TRIAL_DAYS = 10  # trials older than this were decided (half approved, half rejected)


def server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1/postgres"
        )
    return url


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def create_database(url: str, name: str) -> bool:
    """Create `name` if missing; True when it was created."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def drop_database(url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def step(message: str):
    """Print a step and, when it ends, how long it took."""

    class _Step:
        def __enter__(self):
            print(f"{message}…", end=" ", flush=True)
            self.started = time.monotonic()
            return self

        def __exit__(self, *exc):
            print(f"{time.monotonic() - self.started:.1f} s", flush=True)

    return _Step()


def timed(function, runs: int, *, warmup: int = 0) -> list[float]:
    """Seconds of each of `runs` calls of `function`, after `warmup` untimed calls."""
    for _ in range(warmup):
        function()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - started)
    return seconds


def insert_select(cursor, model, overrides: dict[str, str], source: str, params=()) -> int:
    """INSERT INTO model's table (every column) SELECT … FROM `source`.

    Columns not in `overrides` (SQL without parameters; `mod()`, not `%`) get NULL or the
    model field's default: the statement keeps working when a field is added to the model.
    """
    columns, expressions, values = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.column in overrides:
            expressions.append(overrides[field.column])
        elif field.null:
            expressions.append("NULL")
        else:
            default = field.get_default()
            expressions.append("%s")
            values.append(field.get_db_prep_save(default, cursor.db))
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(expressions)} FROM {source}"
    )
    cursor.execute(sql, [*values, *params])
    return cursor.rowcount


def drop_secondary_indexes(cursor, table: str) -> list[str]:
    """Drop the table's unique/foreign-key constraints and indexes (not the primary key) and
    return the statements that recreate them: a bulk load is much faster without them."""
    cursor.execute(
        """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
           WHERE conrelid = %s::regclass AND contype IN ('u', 'f')""",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s
           AND indexname NOT IN (SELECT conname FROM pg_constraint
                                 WHERE conrelid = %s::regclass)""",
        [table, table],
    )
    indexes = cursor.fetchall()
    recreate = []
    for name, definition in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        recreate.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for name, definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
        recreate.append(definition)
    return recreate


# Per platform: the canonical profile URL and post URL of generated rows (platforms.urls).
PROFILE_URL = """CASE a.platform
    WHEN 'instagram' THEN 'https://www.instagram.com/' || a.username || '/'
    WHEN 'tiktok' THEN 'https://www.tiktok.com/@' || a.username
    ELSE 'https://www.youtube.com/@' || a.username END"""
POST_ID = """CASE a.platform
    WHEN 'instagram' THEN 'B' || g.i
    WHEN 'tiktok' THEN (7000000000000000000 + g.i)::text
    ELSE 'Y' || lpad(g.i::text, 10, '0') END"""
POST_URL = f"""CASE a.platform
    WHEN 'instagram' THEN 'https://www.instagram.com/p/' || {POST_ID} || '/'
    WHEN 'tiktok' THEN 'https://www.tiktok.com/@' || a.username || '/video/' || {POST_ID}
    ELSE 'https://www.youtube.com/watch?v=' || {POST_ID} END"""


def caption(i: str) -> str:
    """SQL: a short caption for post number `i`, from a few topics, formats and tags."""
    return f"""'Day ' || mod({i}, 365) || ' of ' || (ARRAY['fitness', 'cooking', 'travel',
        'money tips', 'skincare', 'gaming', 'study with me', 'home workouts'])[1 + mod({i}, 8)]
        || ': ' || (ARRAY['part 1', 'storytime', 'tutorial', 'behind the scenes', 'Q&A',
        'challenge'])[1 + mod({i} / 8, 6)] || ' #' || (ARRAY['fyp', 'viral', 'reels', 'shorts',
        'motivation', 'lifestyle', 'ugc', 'foryou', 'explore'])[1 + mod({i} / 48, 9)]"""


def generate(*, now: datetime, accounts: int, posts: int, snapshots: int, account_snapshots: int):
    """Fill the (migrated) database: every table the agency uses, in SQL, then ANALYZE."""
    from django.db import connection

    from creators.models import Account, AccountSnapshot
    from finance.models import FinanceItem
    from posts.models import Post
    from settings_app.models import Board, Client, Editor

    now_sql = f"'{now.isoformat()}'::timestamptz"
    per_post = max(1, round(snapshots / max(posts, 1)))
    items = max(1, accounts // 20)
    stamps = {"created_at": now_sql, "updated_at": now_sql}
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET work_mem = '512MB'")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute(
            "TRUNCATE posts_postsnapshot, posts_post_subcategories, posts_post_boards, posts_post,"
            " creators_accountsnapshot, creators_account_boards, creators_account,"
            " finance_financeitem, settings_app_client, settings_app_editor, settings_app_board"
            " RESTART IDENTITY CASCADE"
        )
        with step(f"{CLIENTS} clients, {EDITORS} editors, {len(BOARDS)} boards"):
            insert_select(
                cursor,
                Client,
                {"name": "'Client ' || i", **stamps},
                "generate_series(1, %s) i",
                [CLIENTS],
            )
            insert_select(
                cursor,
                Editor,
                {"name": "'Editor ' || i", **stamps},
                "generate_series(1, %s) i",
                [EDITORS],
            )
            insert_select(
                cursor,
                Board,
                {"name": "b.name", "slug": "lower(b.name)", **stamps},
                "unnest(%s::text[]) AS b(name)",
                [list(BOARDS)],
            )
        with step(f"{items:,} finance items"):
            insert_select(
                cursor,
                FinanceItem,
                {
                    "code": "'BENCH-' || i",
                    "payee_name": "'Payee ' || i",
                    "expected_monthly_posting_volume": (
                        "CASE WHEN mod(i, 4) = 0 THEN NULL ELSE 20 + mod(i, 40) END"
                    ),
                    **stamps,
                },
                "generate_series(1, %s) AS i",
                [items],
            )
        # Accounts: half on Instagram, 30 % TikTok, 20 % YouTube; 90 % with a client; every
        # account run by an editor; a third paid through a finance item.
        with step(f"{accounts:,} accounts"):
            insert_select(
                cursor,
                Account,
                {
                    "url": PROFILE_URL,
                    "platform": "a.platform",
                    "username": "a.username",
                    "full_name": "'Bench creator ' || a.i",
                    "followers": "1000 + mod(a.i * 7919, 500000)",
                    "client_id": f"CASE WHEN mod(a.i, 10) <> 0 THEN 1 + mod(a.i, {CLIENTS}) END",
                    "editor_id": f"1 + mod(a.i * 31, {EDITORS})",
                    "type": "CASE WHEN mod(a.i, 10) = 0 THEN 'main' ELSE 'clip_side' END",
                    "finance_item_id": f"CASE WHEN mod(a.i, 3) = 0 THEN 1 + mod(a.i, {items}) END",
                    "last_stats_update": now_sql,
                    **stamps,
                },
                """(SELECT i, 'bench_' || i AS username,
                       CASE WHEN mod(i, 10) < 5 THEN 'instagram'
                            WHEN mod(i, 10) < 8 THEN 'tiktok' ELSE 'youtube' END AS platform
                    FROM generate_series(1, %s) AS i) a""",
                [accounts],
            )
            cursor.execute(
                "INSERT INTO creators_account_boards (account_id, board_id)"
                f" SELECT id, 1 + mod(id, {len(BOARDS)}) FROM creators_account"
            )
        with step(f"{accounts * account_snapshots:,} account snapshots"):
            insert_select(
                cursor,
                AccountSnapshot,
                {
                    "account_id": "a.id",
                    "captured_at": f"{now_sql} - (j * 6) * interval '1 day'",
                    "followers": "greatest(100, a.followers - j * mod(a.id, 50))",
                    "following": "100",
                    "media_count": "200",
                    "source": "'bench'",
                },
                "creators_account a CROSS JOIN generate_series(0, %s) AS j",
                [account_snapshots - 1],
            )
        # Posts: skewed over accounts (a few big ones), published over two years, with their
        # account's client and editor. 3 % were trial reels: pending for their first days,
        # then half approved, half rejected. 10 % photos (no view counter), 10 % carousels;
        # 90 % classified by the AI (a category, one or two of its sub-categories).
        with step(f"{posts:,} posts"):
            insert_select(
                cursor,
                Post,
                {
                    "url": POST_URL,
                    "platform": "a.platform",
                    "post_id": POST_ID,
                    "account_id": "a.id",
                    "username": "a.username",
                    "post_date": "g.post_date",
                    "caption": caption("g.i"),
                    "thumbnail_url": "'https://cdn.example.com/thumbs/' || g.i || '.jpg'",
                    "base_format": "CASE WHEN mod(g.i, 10) = 0 THEN 'single_photo' "
                    "WHEN mod(g.i, 10) = 1 THEN 'carousel' ELSE 'video' END",
                    "content_type": "CASE WHEN mod(g.i, 10) = 0 THEN 'photo_single' "
                    "WHEN mod(g.i, 10) = 1 THEN 'carousel' ELSE 'video_short' END",
                    "is_trial": f"mod(g.i, 33) = 0 AND (g.post_date > {now_sql} - interval "
                    f"'{PENDING_TRIAL_DAYS} days' OR mod(g.i, 2) = 0)",
                    "trial_status": f"""CASE WHEN mod(g.i, 33) <> 0 THEN NULL
                        WHEN g.post_date > {now_sql} - interval '{PENDING_TRIAL_DAYS} days'
                            THEN 'pending'
                        WHEN mod(g.i, 2) = 0 THEN 'rejected' ELSE 'approved' END""",
                    "category_id": "CASE WHEN mod(g.i, 10) <> 9 THEN c.ids[1 + mod(g.i, c.n)] END",
                    "reel_style": "CASE WHEN mod(g.i, 10) > 1 AND mod(g.i, 10) <> 9 THEN (ARRAY"
                    "['talking_head', 'lifestyle_broll', 'hybrid', 'other'])[1 + mod(g.i, 4)] END",
                    "processing_status": "CASE WHEN mod(g.i, 10) = 9 "
                    "THEN 'pending' ELSE 'completed' END",
                    "client_id": "a.client_id",
                    "editor_id": "a.editor_id",
                    "type": "a.type",
                    "added_date": "least(g.post_date + interval '2 hours', " + now_sql + ")",
                    **stamps,
                    "extra": "'{}'::jsonb",
                },
                f"""(SELECT i, 1 + floor({accounts} * power(random(), 1.5))::int AS account_id,
                        {now_sql} - random() * interval '{DAYS_OF_POSTS} days' AS post_date
                     FROM generate_series(1, %s) AS i) g
                    JOIN creators_account a ON a.id = g.account_id
                    CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n
                                FROM settings_app_category) c""",
                [posts],
            )
        with step("posts' sub-categories and boards"):
            cursor.execute(
                """INSERT INTO posts_post_subcategories (post_id, subcategory_id)
                   SELECT p.id, s.id FROM posts_post p CROSS JOIN LATERAL (
                       SELECT id FROM settings_app_subcategory
                       WHERE category_id = p.category_id ORDER BY id
                       OFFSET mod(p.id, 4) LIMIT 1 + mod(p.id, 2)) s
                   WHERE p.category_id IS NOT NULL"""
            )
            cursor.execute(
                "INSERT INTO posts_post_boards (post_id, board_id)"
                " SELECT p.id, b.board_id FROM posts_post p"
                " JOIN creators_account_boards b ON b.account_id = p.account_id"
                " WHERE mod(p.id, 10) < 7"
            )
        recreate = drop_secondary_indexes(cursor, "posts_postsnapshot")
        # Snapshots: per post, 1 to 2k-1 of them (k on average), dense after publication and
        # sparser later, the last one just before `now`; inserted in time order, as the
        # refresh job writes them (rows of one post are scattered over the table).
        with step(f"~{posts * per_post:,} post snapshots"):
            cursor.execute(
                f"""
                INSERT INTO posts_postsnapshot
                    (post_id, captured_at, views, likes, comments, shares, source)
                SELECT id, captured_at,
                       CASE WHEN photo THEN NULL ELSE (final * grown)::bigint END,
                       (final * grown / 20)::bigint, (final * grown / 400)::bigint, NULL, 'bench'
                FROM (
                    SELECT p.id, p.base_format = 'single_photo' AS photo,
                           p.post_date + (({now_sql} - interval '1 minute' - p.post_date)
                               * power((j + 1)::float / n, 3)) AS captured_at,
                           (500 + mod(p.id * 104729, 200000))::float AS final,
                           1 - exp(-power((j + 1)::float / n, 3) * 20) AS grown
                    FROM (SELECT *, 1 + mod(id * 7919, {2 * per_post - 1}) AS n FROM posts_post) p
                    CROSS JOIN LATERAL generate_series(0, p.n - 1) AS j
                ) s
                ORDER BY captured_at
                """
            )
        with step("indexes and constraints of the snapshots"):
            for statement in recreate:
                cursor.execute(statement)
        with step("posts' current stats = their latest snapshot"):
            cursor.execute(
                """UPDATE posts_post p SET views = s.views, likes = s.likes,
                       comments = s.comments, last_updated = s.captured_at
                   FROM (SELECT DISTINCT ON (post_id) post_id, views, likes, comments, captured_at
                         FROM posts_postsnapshot ORDER BY post_id, captured_at DESC) s
                   WHERE p.id = s.post_id"""
            )
    with step("VACUUM ANALYZE"):
        vacuum()


def vacuum(table: str = "") -> None:
    """VACUUM ANALYZE (a table, or the database): outside a transaction."""
    from django.db import connection

    connection.ensure_connection()
    old = connection.connection.autocommit
    connection.connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")
    finally:
        connection.connection.autocommit = old


def counts() -> dict[str, int]:
    """Estimated rows of the big tables (pg_class.reltuples, kept by ANALYZE)."""
    from django.db import connection

    with connection.cursor() as cursor:
        result = {}
        for table in ("creators_account", "posts_post", "posts_postsnapshot"):
            cursor.execute(f"SELECT reltuples::bigint FROM pg_class WHERE relname = '{table}'")
            result[table] = cursor.fetchone()[0]
    return result


def same_sizes(*, accounts: int, posts: int) -> bool:
    """The database already holds an agency of about these sizes (within 2 %)."""
    sizes = counts()
    wanted = {"creators_account": accounts, "posts_post": posts}
    same = all(abs(sizes[t] - n) <= n * 0.02 for t, n in wanted.items())
    return same and sizes["posts_postsnapshot"] > 0
