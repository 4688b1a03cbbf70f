"""Retention benchmark: rows and disk of the snapshot tables before and after `thin_snapshots`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/retention.py

Creates (or, with --reuse, keeps) its own database `--db` on that server, fills it with the
agency of bench/agency.py (posts published over `--days`, their snapshots dense after
publication) plus `--account-refreshes` profile snapshots a day per account, then thins both
snapshot tables as the daily job does (SNAPSHOT_FULL_DAYS) and prints rows and
`pg_total_relation_size` before and after, the duration, the longest batch (one short
transaction each) and whether the account figures are the same before and after. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import agency

TABLES = ("posts_postsnapshot", "creators_accountsnapshot")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--snapshots", type=int, default=1_000_000, help="Post snapshots.")
    parser.add_argument("--days", type=int, default=365, help="Posts published over this.")
    parser.add_argument("--account-refreshes", type=int, default=4, help="Profile snapshots a day.")
    parser.add_argument("--full-days", type=int, default=90, help="SNAPSHOT_FULL_DAYS.")
    parser.add_argument("--batch-ids", type=int, default=20_000, help="Ids per DELETE.")
    parser.add_argument("--db", default="creatorops_retention", help="Database to create and fill.")
    parser.add_argument("--reuse", action="store_true", help="Keep the data already there.")
    parser.add_argument("--drop", action="store_true", help="Drop the database at the end.")
    return parser.parse_args()


def add_profile_refreshes(per_day: int, days: int, now: datetime) -> None:
    """`per_day` profile snapshots a day per account over `days` (refreshes every few hours)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO creators_accountsnapshot
                   (account_id, captured_at, followers, following, media_count, source)
               SELECT a.id, %s::timestamptz - d * interval '1 day'
                          - (r * 24 / %s) * interval '1 hour' - interval '7 minutes',
                      greatest(100, a.followers - d * mod(a.id, 50) - r), 100, 200, 'bench'
               FROM creators_account a, generate_series(0, %s) d, generate_series(0, %s) r
               ON CONFLICT DO NOTHING""",
            [now, per_day, days - 1, per_day - 1],
        )


def table_figures() -> dict[str, tuple[int, int]]:
    """Per snapshot table: exact rows and pg_total_relation_size (bytes)."""
    from django.db import connection

    result = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT count(*), pg_total_relation_size('{table}') FROM {table}")
            result[table] = cursor.fetchone()
    return result


def account_figures(now: datetime) -> list[dict]:
    from creators.metrics import FIGURES
    from creators.models import Account
    from finance.metrics import account_figures_recompute

    account_figures_recompute(now=now)
    return list(Account.objects.order_by("pk").values("pk", *FIGURES))


def thin(now: datetime, batch_ids: int) -> dict:
    """Both tables thinned as the job does; duration, deleted rows, batches, longest batch."""
    from creators.services.retention import account_snapshots_thin
    from posts.services.retention import post_snapshots_thin

    longest, last = 0.0, time.perf_counter()

    def on_batch(report) -> None:
        nonlocal longest, last
        moment = time.perf_counter()
        longest, last = max(longest, moment - last), moment

    started = time.perf_counter()
    posts = post_snapshots_thin(now=now, batch_ids=batch_ids, on_batch=on_batch)
    last = time.perf_counter()
    accounts = account_snapshots_thin(now=now, batch_ids=batch_ids, on_batch=on_batch)
    return {
        "seconds": time.perf_counter() - started,
        "deleted": {TABLES[0]: posts.ok, TABLES[1]: accounts.ok},
        "batches": posts.batches + accounts.batches,
        "longest_batch_s": longest,
    }


def vacuum_full(table: str) -> None:
    from django.db import connection

    connection.ensure_connection()
    old = connection.connection.autocommit
    connection.connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM FULL ANALYZE {table}")
    finally:
        connection.connection.autocommit = old


def print_sizes(title: str, figures: dict[str, tuple[int, int]]) -> None:
    print(title)
    for table, (rows, size) in figures.items():
        print(f"  {table:<26} {rows:>12,} rows {size / 2**20:>10.1f} MB")


def main() -> None:
    args = parse_args()
    url = agency.server_url()
    created = agency.create_database(url, args.db)
    agency.setup_django(agency.with_database(url, args.db))

    from django.conf import settings
    from django.core.management import call_command

    settings.SNAPSHOT_FULL_DAYS = args.full_days
    print(f"Database {args.db} ({'created' if created else 'exists'}).")
    with agency.step("migrate"):
        call_command("migrate", verbosity=0)
    # A local midnight (TIME_ZONE): the account figures compared are at day resolution.
    now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if not (args.reuse and agency.same_sizes(accounts=args.accounts, posts=args.posts)):
        agency.DAYS_OF_POSTS = args.days
        agency.generate(
            now=now,
            accounts=args.accounts,
            posts=args.posts,
            snapshots=args.snapshots,
            account_snapshots=args.days // 6,
        )
        with agency.step(f"{args.account_refreshes} profile snapshots a day per account"):
            add_profile_refreshes(args.account_refreshes, args.days, now)
        agency.vacuum()
    before = table_figures()
    print_sizes("Before:", before)
    with agency.step("account figures before"):
        figures_before = account_figures(now)

    result = thin(now, args.batch_ids)
    print(
        f"Thinned in {result['seconds']:.1f} s ({result['batches']} batches of {args.batch_ids:,}"
        f" ids, the longest {result['longest_batch_s'] * 1000:.0f} ms): deleted "
        + ", ".join(f"{t} {n:,}" for t, n in result["deleted"].items())
    )
    with agency.step("VACUUM (space reusable, files keep their size)"):
        for table in TABLES:
            agency.vacuum(table)
    print_sizes("After (VACUUM):", table_figures())
    with agency.step("VACUUM FULL (files rewritten; an exclusive lock, for this measure only)"):
        for table in TABLES:
            vacuum_full(table)
    after = table_figures()
    print_sizes("After (VACUUM FULL):", after)
    for table in TABLES:
        rows = after[table][0] / max(before[table][0], 1)
        size = after[table][1] / max(before[table][1], 1)
        print(f"  {table}: {rows:.0%} of the rows, {size:.0%} of the disk")

    again = thin(now, args.batch_ids)
    print(
        f"Second run (incremental: nothing new is old): {again['seconds'] * 1000:.1f} ms,"
        f" {again['batches']} batches, deleted {sum(again['deleted'].values())}."
    )
    with agency.step("account figures after"):
        figures_after = account_figures(now)
    tomorrow = thin(now + timedelta(days=1), args.batch_ids)
    print(
        f"Next day's run (one more day turned old): {tomorrow['seconds']:.2f} s,"
        f" {tomorrow['batches']} batches, deleted {sum(tomorrow['deleted'].values()):,}."
    )
    same = figures_after == figures_before
    print(f"Account figures at day resolution unchanged: {same}.")
    for old, new in zip(figures_before, figures_after, strict=True):
        if old != new:
            print(
                f"  account {old['pk']}:", {k: (v, new[k]) for k, v in old.items() if new[k] != v}
            )
    if args.drop:
        from django.db import connection

        connection.close()
        agency.drop_database(url, args.db)
        print(f"Dropped {args.db}.")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
