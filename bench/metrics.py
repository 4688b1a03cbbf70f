"""Benchmark of the account metrics recompute at scale (PostgreSQL only; not part of the tests).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/metrics.py --accounts 10000 --posts 1000000 --snapshots 30000000

Creates (or reuses, see --reuse) its own database `--db` on that server, migrates it, fills it
in SQL (INSERT … SELECT generate_series, indexes built after the load), ANALYZEs, then times:
- the full recompute (every account; the first run also writes every post's engagement rate),
- the recompute of one account (several accounts, one after the other),
and prints rows, median seconds and rows per second. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
NOW_SQL = f"'{NOW.isoformat()}'::timestamptz"
DAYS_OF_POSTS = 730  # posts published over the last two years


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--snapshots", type=int, default=30_000_000, help="Post snapshots.")
    parser.add_argument(
        "--account-snapshots", type=int, default=60, help="Follower snapshots per account."
    )
    parser.add_argument("--db", default="creatorops_bench", help="Database to create and fill.")
    parser.add_argument("--runs", type=int, default=3, help="Timed full recomputes.")
    parser.add_argument("--single-runs", type=int, default=20, help="Timed one-account runs.")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Keep the database if it already holds data of these sizes (skip generation).",
    )
    parser.add_argument(
        "--reset-rates",
        action="store_true",
        help="With --reuse: empty every post's engagement rate first (untimed), so the first "
        "run writes them all again, as after a fresh load.",
    )
    parser.add_argument("--drop", action="store_true", help="Drop the database at the end.")
    return parser.parse_args()


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


# --- Generation -------------------------------------------------------------------------------


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


def generate(args: argparse.Namespace) -> None:
    from django.db import connection

    from creators.models import Account, AccountSnapshot
    from finance.models import FinanceItem
    from posts.models import Post

    per_post = max(1, round(args.snapshots / max(args.posts, 1)))
    items = max(1, args.accounts // 20)
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET work_mem = '512MB'")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute(
            "TRUNCATE posts_postsnapshot, posts_post, creators_accountsnapshot, creators_account,"
            " finance_financeitem RESTART IDENTITY CASCADE"
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
                    "created_at": NOW_SQL,
                    "updated_at": NOW_SQL,
                },
                "generate_series(1, %s) AS i",
                [items],
            )
        with step(f"{args.accounts:,} accounts"):
            insert_select(
                cursor,
                Account,
                {
                    "url": "'https://www.instagram.com/bench_' || i || '/'",
                    "platform": "'instagram'",
                    "username": "'bench_' || i",
                    "followers": "1000 + mod(i * 7919, 500000)",
                    "finance_item_id": f"CASE WHEN mod(i, 3) = 0 THEN 1 + mod(i, {items}) END",
                    "created_at": NOW_SQL,
                    "updated_at": NOW_SQL,
                },
                "generate_series(1, %s) AS i",
                [args.accounts],
            )
        with step(f"{args.accounts * args.account_snapshots:,} account snapshots"):
            insert_select(
                cursor,
                AccountSnapshot,
                {
                    "account_id": "a.id",
                    "captured_at": f"{NOW_SQL} - (j * 6) * interval '1 day'",
                    "followers": "greatest(100, a.followers - j * mod(a.id, 50))",
                    "following": "100",
                    "media_count": "200",
                    "source": "'bench'",
                },
                "creators_account a CROSS JOIN generate_series(0, %s) AS j",
                [args.account_snapshots - 1],
            )
        # Posts: skewed over accounts (a few big ones), published over two years; 3 % trials,
        # 10 % photos without a view counter.
        with step(f"{args.posts:,} posts"):
            insert_select(
                cursor,
                Post,
                {
                    "url": "'https://www.instagram.com/p/B' || i || '/'",
                    "platform": "'instagram'",
                    "post_id": "'B' || i",
                    "account_id": f"1 + floor({args.accounts} * power(random(), 1.5))::int",
                    "username": "''",
                    "post_date": f"{NOW_SQL} - random() * interval '{DAYS_OF_POSTS} days'",
                    "base_format": "CASE WHEN mod(i, 10) = 0 THEN 'single_photo' "
                    "WHEN mod(i, 10) = 1 THEN 'carousel' ELSE 'video' END",
                    "is_trial": "mod(i, 33) = 0",
                    "trial_status": "CASE WHEN mod(i, 33) = 0 THEN 'pending' END",
                    "processing_status": "'completed'",
                    "added_date": NOW_SQL,
                    "created_at": NOW_SQL,
                    "updated_at": NOW_SQL,
                    "extra": "'{}'::jsonb",
                },
                "generate_series(1, %s) AS i",
                [args.posts],
            )
        recreate = drop_secondary_indexes(cursor, "posts_postsnapshot")
        # Snapshots: per post, 1 to 2k-1 of them (k on average), dense after publication and
        # sparser later, the last one just before `now`; inserted in time order, as the
        # refresh job writes them (rows of one post are scattered over the table).
        with step(f"~{args.posts * per_post:,} post snapshots"):
            cursor.execute(
                f"""
                INSERT INTO posts_postsnapshot
                    (post_id, captured_at, views, likes, comments, shares, source)
                SELECT id, captured_at,
                       CASE WHEN photo THEN NULL ELSE (final * grown)::bigint END,
                       (final * grown / 20)::bigint, (final * grown / 400)::bigint, NULL, 'bench'
                FROM (
                    SELECT p.id, p.base_format = 'single_photo' AS photo,
                           p.post_date + (({NOW_SQL} - interval '1 minute' - p.post_date)
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
    from django.db import connection

    with connection.cursor() as cursor:
        result = {}
        for table in ("creators_account", "posts_post", "posts_postsnapshot"):
            cursor.execute(f"SELECT reltuples::bigint FROM pg_class WHERE relname = '{table}'")
            result[table] = cursor.fetchone()[0]
    return result


# --- Timing -----------------------------------------------------------------------------------


def timed(function, runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - started)
    return seconds


def main() -> None:
    args = parse_args()
    url = server_url()
    created = create_database(url, args.db)
    setup_django(with_database(url, args.db))

    from django.core.management import call_command
    from django.db import connection

    from creators.metrics import account_metrics_recompute
    from creators.models import Account

    print(f"Database {args.db} ({'created' if created else 'exists'}).")
    with step("migrate"):
        call_command("migrate", verbosity=0)
    sizes = counts()
    wanted = {"creators_account": args.accounts, "posts_post": args.posts}
    same = all(abs(sizes[t] - n) <= n * 0.02 for t, n in wanted.items())
    if args.reuse and same and sizes["posts_postsnapshot"] > 0:
        print("Reusing the data already there.")
        if args.reset_rates:
            with step("emptying the posts' engagement rates"), connection.cursor() as cursor:
                cursor.execute("UPDATE posts_post SET engagement_rate = NULL")
            with step("VACUUM ANALYZE posts"):
                vacuum("posts_post")
    else:
        started = time.monotonic()
        generate(args)
        print(f"Generated in {time.monotonic() - started:.0f} s.")
    sizes = counts()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('posts_postsnapshot'))")
        size = cursor.fetchone()[0]
    print(
        f"Data: {sizes['creators_account']:,} accounts, {sizes['posts_post']:,} posts, "
        f"{sizes['posts_postsnapshot']:,} post snapshots ({size})."
    )

    accounts = Account.objects.count()
    print(f"\nFull recompute (now = {NOW.isoformat()}), method sql:")
    first = timed(lambda: account_metrics_recompute(now=NOW), 1)[0]
    print(f"  first run (writes every post's engagement rate): {first:.2f} s")
    runs = timed(lambda: account_metrics_recompute(now=NOW), args.runs)
    median = statistics.median(runs)
    print(
        f"  next {args.runs} runs: {', '.join(f'{s:.2f}' for s in runs)} s; median {median:.2f} s"
        f" -> {accounts:,} accounts ({accounts / median:,.0f} accounts/s), "
        f"{sizes['posts_post']:,} posts ({sizes['posts_post'] / median:,.0f} posts/s)"
    )

    rng = random.Random(1)
    ids = [rng.randint(1, accounts) for _ in range(args.single_runs)]
    for method in ("sql", "orm"):
        seconds = []
        posts = []
        for pk in ids:
            posts.append(Account.objects.get(pk=pk).posts.count())
            seconds.extend(
                timed(
                    lambda pk=pk, method=method: account_metrics_recompute(
                        account_ids=[pk], now=NOW, method=method
                    ),
                    1,
                )
            )
        median = statistics.median(seconds)
        print(
            f"One account, method {method}: {len(ids)} accounts ({statistics.median(posts):.0f} posts"
            f" median, max {max(posts)}): median {median * 1000:.1f} ms, max"
            f" {max(seconds) * 1000:.1f} ms -> {1 / median:,.0f} accounts/s"
        )
    if args.drop:
        connection.close()
        drop_database(url, args.db)
        print(f"Dropped {args.db}.")


if __name__ == "__main__":
    main()
