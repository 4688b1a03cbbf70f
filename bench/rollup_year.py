"""The whole agency's year of rollups, timed chunk by chunk, on an existing agency database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/rollup_year.py \
        --db fullsize_ana --steps 12,1,6

`daily_metrics_rollup` over a year runs 31-day steps, and in each step one transaction per
chunk of 500 accounts. This script runs the same transactions one at a time (the same call,
for one step and one chunk), in the order of `--steps` (1 is the oldest step of the year, 12
the newest), and prints after each chunk its seconds, the account rows and the post rows it
covers; after each step its total. Stopped early, the steps done give the rate; see
bench/README.md for how the year was extrapolated from them.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import agency


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument(
        "--steps", default="", help="Comma-separated step numbers (1 = oldest); default all."
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    agency.setup_django(agency.with_database(agency.server_url(), args.db))

    from django.db import connection

    from analytics.services.rollups import (
        ACCOUNTS_PER_CHUNK,
        DAYS_PER_STEP,
        daily_metrics_rollup,
        rolled_up_accounts,
    )
    from core import windows
    from creators.models import Account

    yesterday = windows.local_date(datetime.now(UTC)) - timedelta(days=1)
    first = yesterday - timedelta(days=args.days - 1)
    steps = []
    for offset in range(0, args.days, DAYS_PER_STEP):
        start = first + timedelta(days=offset)
        steps.append((start, min(start + timedelta(days=DAYS_PER_STEP - 1), yesterday)))
    order = [int(n) for n in args.steps.split(",")] if args.steps else range(1, len(steps) + 1)
    ids = list(rolled_up_accounts().order_by("pk").values_list("pk", flat=True))
    chunks = [ids[i : i + ACCOUNTS_PER_CHUNK] for i in range(0, len(ids), ACCOUNTS_PER_CHUNK)]
    print(
        f"{len(ids):,} accounts in {len(chunks)} chunks; {len(steps)} steps from {first} to "
        f"{yesterday}; running steps {list(order)}.",
        flush=True,
    )
    for number in order:
        start, end = steps[number - 1]
        step_seconds = step_rows = step_post_rows = 0
        for index, chunk in enumerate(chunks, 1):
            started = time.monotonic()
            report = daily_metrics_rollup(
                start=start, end=end, accounts=Account.objects.filter(pk__in=chunk)
            )
            seconds = time.monotonic() - started
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM analytics_dailypostmetric"
                    " WHERE account_id = ANY(%s) AND date BETWEEN %s AND %s",
                    [chunk, start, end],
                )
                (post_rows,) = cursor.fetchone()
            step_seconds += seconds
            step_rows += report.rows
            step_post_rows += post_rows
            print(
                f"step {number:2} ({start}..{end}) chunk {index:2}/{len(chunks)}: "
                f"{seconds:6.1f} s, {report.rows:,} account rows, {post_rows:,} post rows",
                flush=True,
            )
        print(
            f"STEP {number} done: {step_seconds:.1f} s, {step_rows:,} account rows, "
            f"{step_post_rows:,} post rows",
            flush=True,
        )


if __name__ == "__main__":
    main()
