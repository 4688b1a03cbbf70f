"""Best time to post, brand mentions: timings on the generated agency (bench/agency.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/best_time.py --small

Creates (or, with --reuse, keeps) its own database `--db`, fills it at the given size, then
runs the settle_best_time job (each closed post's first-24-h views stored), then times through
Django's full request stack: `GET /api/v1/analytics/best-time/` for the largest
client, for one account and for all posts, and the admin heat-map page; then the mention job
(first run and a second, idempotent, run) with brand terms matching the generated captions.
Prints median and p95 per scenario.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import agency


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--snapshots", type=int, default=30_000_000)
    parser.add_argument(
        "--small", action="store_true", help="400 accounts, 40 000 posts, 400 000 snapshots."
    )
    parser.add_argument("--db", default="creatorops_besttime")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--drop", action="store_true", help="Drop the database at the end.")
    args = parser.parse_args()
    if args.small:
        args.accounts, args.posts, args.snapshots = 400, 40_000, 400_000
    return args


def report(name: str, seconds: list[float]) -> None:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(
        f"{name:<46} median {statistics.median(ordered) * 1000:8.1f} ms  p95 {p95 * 1000:8.1f} ms"
    )


def main() -> None:
    args = parse_args()
    url = agency.server_url()
    created = agency.create_database(url, args.db)
    agency.setup_django(agency.with_database(url, args.db))

    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client

    print(f"Database {args.db} ({'created' if created else 'exists'}).")
    with agency.step("migrate"):
        call_command("migrate", verbosity=0)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    if not (args.reuse and agency.same_sizes(accounts=args.accounts, posts=args.posts)):
        agency.generate(
            now=now,
            accounts=args.accounts,
            posts=args.posts,
            snapshots=args.snapshots,
            account_snapshots=30,
        )
    from analytics.mentions import mentions_find
    from analytics.models import Mention
    from creators.models import Account
    from settings_app.models import Client as AgencyClient
    from tests.settings_app.factories import UserFactory

    sizes = agency.counts()
    print(
        f"Data: {sizes['creators_account']:,} accounts, {sizes['posts_post']:,} posts, "
        f"{sizes['posts_postsnapshot']:,} post snapshots.\n"
    )
    user = UserFactory(roles=["Owner"], is_staff=True, username=f"bench-{time.time_ns()}")
    web = Client()
    web.force_login(user)
    biggest = (
        Account.objects.filter(client__isnull=False)
        .values("client_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    account = Account.objects.annotate(n=Count("posts")).order_by("-n").first()
    print(
        f"Client {biggest['client_id']} has {biggest['n']} accounts; account {account.pk} "
        f"has {account.n} posts."
    )
    scenarios = [
        (
            f"best-time API, client ({biggest['n']} accounts)",
            f"/api/v1/analytics/best-time/?client={biggest['client_id']}",
        ),
        ("best-time API, one account", f"/api/v1/analytics/best-time/?account={account.pk}"),
        ("best-time API, every post", "/api/v1/analytics/best-time/"),
        (
            "best-time admin heat map, client",
            f"/admin/analytics/mention/best-time/?client={biggest['client_id']}",
        ),
    ]
    from analytics.best_time import best_time_settle

    # The hourly settle_best_time job: every post whose first 24 h closed gets its figure.
    started = time.perf_counter()
    settled = best_time_settle()
    report(f"settle job, first run ({settled.ok:,} posts)", [time.perf_counter() - started])
    started = time.perf_counter()
    again = best_time_settle()
    report(f"settle job, second run ({again.ok} posts)", [time.perf_counter() - started])
    for name, path in scenarios:
        response = web.get(path)
        assert response.status_code == 200, (path, response.status_code)
        report(name, agency.timed(lambda p=path: web.get(p), args.runs, warmup=1))

    AgencyClient.objects.filter(pk=biggest["client_id"]).update(
        brand_terms="#ugc\nmoney tips\n@nobody_here"
    )
    Mention.objects.all().delete()
    started = time.perf_counter()
    first = mentions_find(now=now)
    report(f"mention job, first run ({first.created:,} mentions)", [time.perf_counter() - started])
    started = time.perf_counter()
    second = mentions_find(now=now)
    report(f"mention job, second run ({second.created} new)", [time.perf_counter() - started])
    if args.drop:
        from django.db import connections

        connections.close_all()
        agency.drop_database(url, args.db)


if __name__ == "__main__":
    main()
