"""Benchmark of the account metrics recompute at scale (PostgreSQL only; not part of the tests).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/metrics.py --accounts 10000 --posts 1000000 --snapshots 30000000

Creates (or reuses, see --reuse) its own database `--db` on that server, migrates it, fills it
with the agency of bench/agency.py (in SQL), then times:
- the full recompute (every account; the first run also writes every post's engagement rate),
- the recompute of one account (several accounts, one after the other),
and prints rows, median seconds and rows per second. See bench/README.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from agency import (  # the agency generator, shared with bench/scale.py
    counts,
    create_database,
    drop_database,
    generate,
    same_sizes,
    server_url,
    setup_django,
    step,
    timed,
    vacuum,
    with_database,
)

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


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


# --- Timing -----------------------------------------------------------------------------------


def main() -> None:
    args = parse_args()
    url = server_url()
    created = create_database(url, args.db)
    setup_django(with_database(url, args.db))

    from django.core.management import call_command
    from django.db import connection

    from creators.models import Account
    from finance.metrics import account_figures_recompute as account_metrics_recompute

    print(f"Database {args.db} ({'created' if created else 'exists'}).")
    with step("migrate"):
        call_command("migrate", verbosity=0)
    if args.reuse and same_sizes(accounts=args.accounts, posts=args.posts):
        print("Reusing the data already there.")
        if args.reset_rates:
            with step("emptying the posts' engagement rates"), connection.cursor() as cursor:
                cursor.execute("UPDATE posts_post SET engagement_rate = NULL")
            with step("VACUUM ANALYZE posts"):
                vacuum("posts_post")
    else:
        started = time.monotonic()
        generate(
            now=NOW,
            accounts=args.accounts,
            posts=args.posts,
            snapshots=args.snapshots,
            account_snapshots=args.account_snapshots,
        )
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
