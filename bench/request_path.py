"""The fixed cost of an API request, in Python function calls (repeatable on a noisy machine).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/request_path.py

Uses the database of bench/scale.py (`--db`, default creatorops_scale; run scale.py once with
the sizes you want, e.g. `--accounts 200 --posts 20000 --snapshots 200000`). For each path it
makes a few warm-up requests through Django's whole stack with an API key, then profiles
`--runs` requests and prints the function calls, the SQL statements and the median time per
request.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import agency

PATHS = (
    ("empty page (fixed cost)", "/api/v1/posts/?search=zzzz-no-such-user"),
    ("posts, first page", "/api/v1/posts/"),
    ("accounts, first page", "/api/v1/accounts/"),
    # Issue 20's per-platform comparison, every account, the default 30 days (use the
    # database of bench/analytics.py: its rollups are filled).
    ("analytics compare", "/api/v1/analytics/compare/"),
    # scale.py's worst ratio: the followers of the account with the most, a year by day
    # ({account} is filled in below).
    (
        "account snapshots, a year by day",
        "/api/v1/accounts/{account}/snapshots/?granularity=day&start={start}",
    ),
)
# The same empty page with the key of a staff user with the Manager role (not a superuser:
# the permissions are checked).
ROLE_PATH = ("empty page, Manager's key", "/api/v1/posts/?search=zzzz-no-such-user")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="creatorops_scale")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="also print each path's N costliest functions (cumulative time, cProfile)",
    )
    parser.add_argument("--only", default="", help="only the paths whose name contains this")
    args = parser.parse_args()
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    agency.setup_django(agency.with_database(agency.server_url(), args.db))

    import scale
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from settings_app.services import api_key_create

    _, key = scale.setup_users()
    manager, _ = get_user_model().objects.get_or_create(
        username="bench-manager", defaults={"is_staff": True}
    )
    manager.groups.add(Group.objects.get(name="Manager"))
    _, manager_key = api_key_create(user=manager, name="bench")
    clients = {name: Client(HTTP_AUTHORIZATION=key) for name, _ in PATHS} | {
        ROLE_PATH[0]: Client(HTTP_AUTHORIZATION=f"Api-Key {manager_key}")
    }
    from datetime import timedelta

    from django.utils import timezone

    from creators.models import Account

    account = Account.objects.order_by("-followers", "id").first()
    start = (timezone.now() - timedelta(days=365)).strftime("%Y-%m-%d")
    from django.db import connection

    print(f"{'request':<34}{'calls/request':>15}{'statements':>12}{'median ms':>12}")
    for name, path in (*PATHS, ROLE_PATH):
        if args.only not in name:
            continue
        api = clients[name]
        path = path.format(account=account.pk if account else 0, start=start)
        for _ in range(5):
            assert api.get(path).status_code == 200, path
        statements = []  # (CaptureQueriesContext would lose them: a request resets the log)

        def count(execute, sql, params, many, context, statements=statements):
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            api.get(path)
        times = []
        profile = cProfile.Profile()
        for _ in range(args.runs):
            started = time.perf_counter()
            profile.enable()
            api.get(path)
            profile.disable()
            times.append((time.perf_counter() - started) * 1000)
        calls = pstats.Stats(profile).total_calls / args.runs
        print(f"{name:<34}{calls:>15,.0f}{len(statements):>12}{statistics.median(times):>12.1f}")
        if args.profile:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
