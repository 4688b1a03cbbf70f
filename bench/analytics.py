"""Analytics benchmark: rollup backfill and nightly pass, the analytics API and the admin
analytics page, side by side with the raw SQL that returns the same numbers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/analytics.py \
        --accounts 200 --posts 20000 --days 90

Creates (or, with --reuse, keeps) its own database `--db`, fills it with the agency of
bench/agency.py, gives one client `--client-accounts` accounts, times the backfill of
`--backfill-days` days of rollups and the nightly pass, runs the hourly best-time settle job
(as production has), then every endpoint of
/api/v1/analytics/ for that client over the last `--days` days by day, and the admin page
(median and p95 of `--runs` requests through Django's full stack, and of the raw SQL). The
full size is the scale benchmark's: see bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# This file's name is the app's: the project comes first on the path, bench/ last.
BENCH = Path(__file__).resolve().parent


def _bench_last() -> None:
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
    sys.path.insert(0, str(BENCH.parent))
    sys.path.append(str(BENCH))


_bench_last()
import agency  # noqa: E402
import scale  # noqa: E402
from scale import Read  # noqa: E402

_bench_last()  # scale puts bench/ first again


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--snapshots", type=int, default=0, help="Default: 30 per post.")
    parser.add_argument("--client-accounts", type=int, default=200)
    parser.add_argument("--days", type=int, default=90, help="The endpoints' period.")
    parser.add_argument("--backfill-days", type=int, default=365)
    parser.add_argument(
        "--backfill-accounts",
        choices=["all", "client"],
        default="all",
        help="Whose rows the backfill writes: every account's, or the client's accounts' only.",
    )
    parser.add_argument("--db", default="creatorops_analytics")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="Keep data and rollups there.")
    parser.add_argument("--drop", action="store_true", help="Drop the database at the end.")
    return parser.parse_args()


# The rollups of the client's accounts over the period: what the endpoints add up.
SCOPED = """
    FROM analytics_dailyaccountmetric d JOIN creators_account a ON a.id = d.account_id
    WHERE a.client_id = %s AND d.date BETWEEN %s AND %s
"""


def value_at(moment: str) -> str:
    """SQL: a post's views@moment (specs/metrics.md), for the post `p`."""
    latest = (
        "SELECT s.views FROM posts_postsnapshot s WHERE s.post_id = p.id"
        f" AND s.captured_at <= {moment} ORDER BY s.captured_at DESC LIMIT 1"
    )
    earliest = (
        "SELECT s.views FROM posts_postsnapshot s WHERE s.post_id = p.id"
        " ORDER BY s.captured_at LIMIT 1"
    )
    before = (
        f"SELECT 1 FROM posts_postsnapshot s WHERE s.post_id = p.id AND s.captured_at <= {moment}"
    )
    return (
        f"CASE WHEN EXISTS ({before}) THEN ({latest})"
        f" WHEN p.post_date >= {moment} THEN 0 ELSE ({earliest}) END"
    )


TOP_POSTS = f"""
    SELECT id, gained FROM (
        SELECT p.id, ({value_at("%(end)s")}) - ({value_at("%(start)s")}) AS gained
        FROM posts_post p JOIN creators_account a ON a.id = p.account_id
        WHERE a.client_id = %(client)s AND NOT p.is_trial AND (
            EXISTS (SELECT 1 FROM posts_postsnapshot s WHERE s.post_id = p.id
                    AND s.captured_at > %(start)s AND s.captured_at <= %(end)s)
            OR (p.post_date >= %(start)s AND p.post_date < %(end)s))
    ) moved WHERE gained IS NOT NULL ORDER BY gained DESC, id DESC LIMIT 10
"""


def reads(client_id: int, start, end) -> list[Read]:
    from core import windows

    query = f"client={client_id}&start_date={start}&end_date={end}&granularity=day"
    series = [client_id, start, end]
    window = {
        "client": client_id,
        "start": windows.local_midnight(start),
        "end": windows.local_midnight(end + timedelta(days=1)),
    }

    def points(key):
        return lambda response: [p[key] for p in response.json()["series"]]

    by_day = " GROUP BY d.date ORDER BY d.date"
    return [
        Read(
            "analytics overview (views by day)",
            f"/api/v1/analytics/overview/?{query}",
            f"SELECT SUM(d.views_gained) {SCOPED}{by_day}",
            series,
            goal_ms=150,
            max_ratio=None,
            ids=points("views_gained"),
        ),
        Read(
            "analytics growth (followers by day)",
            f"/api/v1/analytics/growth/?{query}",
            f"SELECT SUM(d.followers) {SCOPED}{by_day}",
            series,
            goal_ms=150,
            max_ratio=None,
            ids=points("followers"),
        ),
        Read(
            "analytics engagement (likes by day)",
            f"/api/v1/analytics/engagement/?{query}",
            f"SELECT SUM(d.likes_gained) {SCOPED}{by_day}",
            series,
            goal_ms=150,
            max_ratio=None,
            ids=points("likes_gained"),
        ),
        Read(
            "analytics content (top posts)",
            f"/api/v1/analytics/content/?{query}",
            TOP_POSTS,
            window,
            goal_ms=150,
            max_ratio=None,
            ids=lambda response: [p["id"] for p in response.json()["top"]],
        ),
        Read(
            "analytics compare (per platform)",
            f"/api/v1/analytics/compare/?{query}",
            f"SELECT SUM(d.views_gained), a.platform {SCOPED} GROUP BY a.platform"
            " ORDER BY a.platform",
            series,
            goal_ms=150,
            max_ratio=None,
            ids=lambda r: [p["totals"]["views_gained"] for p in r.json()["platforms"]],
        ),
    ]


def page_parts(user, client_id: int, start, end, runs: int) -> None:
    """The admin page's slowest parts, called in process as the page calls them: the insight
    card (AI off: the facts alone), the best-time heat map and the top posts."""
    from analytics.best_time import best_time_grid
    from analytics.insights import scope_insight_card
    from analytics.queries import Period, scope_accounts, top_posts

    period = Period(start, end)
    accounts = scope_accounts(user=user, scope="client", scope_id=client_id)
    parts = {
        "insight card": lambda: scope_insight_card(
            kind="client", scope_id=client_id, period=period, accounts=accounts, user=user
        ),
        "best-time heat map": lambda: best_time_grid(
            user, client=client_id, start_date=start, end_date=end
        ),
        "top and bottom posts": lambda: top_posts(accounts=accounts, period=period, user=user),
    }
    print(f"\nThe page's parts in process: {runs} calls each after 3 warm-ups; times in ms.")
    for name, call in parts.items():
        times = agency.timed(call, runs, warmup=3)
        print(
            f"{name:40} median {statistics.median(times) * 1000:7.1f}ms"
            f"  p95 {scale.percentile(times, 0.95) * 1000:7.1f}ms"
        )


def main() -> None:
    args = parse_args()
    url = agency.server_url()
    created = agency.create_database(url, args.db)
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    agency.setup_django(agency.with_database(url, args.db))

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client as HttpClient

    from analytics.best_time import best_time_settle
    from analytics.models import DailyAccountMetric
    from analytics.services.rollups import daily_metrics_nightly, daily_metrics_rollup
    from core import windows
    from creators.models import Account
    from settings_app.models import Client

    print(f"Database {args.db} ({'created' if created else 'exists'}).")
    with agency.step("migrate"):
        call_command("migrate", verbosity=0)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    reuse = args.reuse and agency.same_sizes(accounts=args.accounts, posts=args.posts)
    if reuse:
        print("Reusing the data already there.")
    else:
        with agency.step("generate"):
            agency.generate(
                now=now,
                accounts=args.accounts,
                posts=args.posts,
                snapshots=args.snapshots or args.posts * 30,
                account_snapshots=60,
            )
    client = Client.objects.order_by("pk").first()
    ids = list(Account.objects.order_by("pk").values_list("pk", flat=True)[: args.client_accounts])
    Account.objects.filter(pk__in=ids).update(client=client)
    Account.objects.exclude(pk__in=ids).filter(client=client).update(client=None)
    sizes = agency.counts()
    print(
        f"Data: {sizes['creators_account']:,} accounts, {sizes['posts_post']:,} posts, "
        f"{sizes['posts_postsnapshot']:,} post snapshots; client {client.pk}: {len(ids)} accounts."
    )

    yesterday = windows.local_date(now) - timedelta(days=1)
    if not (reuse and DailyAccountMetric.objects.exists()):
        first = yesterday - timedelta(days=args.backfill_days - 1)
        started = time.monotonic()
        scope = Account.objects.filter(pk__in=ids) if args.backfill_accounts == "client" else None
        report = daily_metrics_rollup(start=first, end=yesterday, accounts=scope)
        seconds = time.monotonic() - started
        print(
            f"Backfill of {args.backfill_days} days ({args.backfill_accounts} accounts): "
            f"{report.rows:,} rows in {seconds:.1f} s "
            f"({report.rows / seconds:,.0f} rows/s)."
        )
        agency.vacuum("analytics_dailyaccountmetric")
        # As autovacuum would: the card and the top posts read the rows from the index alone.
        agency.vacuum("analytics_dailypostmetric")
    started = time.monotonic()
    report = daily_metrics_nightly(now=now)
    print(
        f"Nightly pass ({report.days} days): {report.rows:,} rows in {time.monotonic() - started:.1f} s."
    )
    # As the hourly settle_best_time job has done in production: the page's heat map reads each
    # closed post's first-window views from PostFirstWindow, not from its snapshots.
    started = time.monotonic()
    report = best_time_settle(now=now)
    print(f"Best-time settle: {report.ok:,} posts in {time.monotonic() - started:.1f} s.")

    user, key = scale.setup_users()
    api, admin = HttpClient(HTTP_AUTHORIZATION=key), HttpClient()
    admin.force_login(user)
    start = yesterday - timedelta(days=args.days - 1)
    scenarios = [(api, read) for read in reads(client.pk, start, yesterday)]
    page = Read(
        "admin analytics page",
        f"/admin/analytics/dailyaccountmetric/dashboard/?client={client.pk}"
        f"&start_date={start}&end_date={yesterday}",
        f"SELECT SUM(d.views_gained) {SCOPED} GROUP BY d.date ORDER BY d.date",
        [client.pk, start, yesterday],
        goal_ms=500,
        max_ratio=None,
    )
    scenarios.append((admin, page))
    results = [(read, scale.run_read(http, read, args.runs)) for http, read in scenarios]
    print(f"\nReads: {args.runs} timed requests each after 3 warm-ups; times in ms.")
    scale.print_reads(results)
    page_parts(user, client.pk, start, yesterday, args.runs)
    connection.close()
    if args.drop:
        agency.drop_database(url, args.db)


if __name__ == "__main__":
    main()
