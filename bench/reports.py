"""Report benchmark: a monthly PDF report of one client with many accounts and posts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/reports.py
    # the size of specs/analytics.md (a 200-account client, 20 000 posts):
    ... bench/reports.py --accounts 200 --posts 20000

Creates (or, with --reuse, keeps) its own database `--db` on that server, migrates it and fills
it with one client of `--accounts` accounts (Instagram, TikTok, YouTube), `--posts` posts
published over the two months before the report's month (classified, a third of them videos
with a reel style and a length), three snapshots per post (before, inside and at the end of the
month), a follower snapshot a day, and the real daily rollups of both months. Then renders the report of that month
(everything the job does but storing the file: figures, charts, top posts, per platform, the
insight card without AI) `--runs` times after one warm-up, and prints the median and the
slowest render, with the time spent before WeasyPrint (queries and HTML) apart. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import agency

MONTH = (date(2026, 3, 1), date(2026, 3, 31))
PLATFORMS = ("instagram", "tiktok", "youtube")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--posts", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", default="creatorops_reports_bench")
    parser.add_argument("--reuse", action="store_true", help="Keep the data already there.")
    parser.add_argument(
        "--client-id",
        type=int,
        help="Render this client's report on the data already in --db (e.g. bench/analytics.py's"
        " full-size agency) instead of generating one.",
    )
    parser.add_argument(
        "--month", help="With --client-id: the report's month, YYYY-MM (default: March 2026)."
    )
    parser.add_argument("--drop", action="store_true", help="Drop the database at the end.")
    return parser.parse_args()


def generate(*, accounts: int, posts: int) -> int:
    """The client, its accounts, posts, snapshots and rollups (bulk inserts); its id."""
    from analytics.services.rollups import daily_metrics_rollup
    from creators.models import Account, AccountSnapshot
    from posts.models import Post, PostSnapshot
    from settings_app.models import Category, Client

    rng = random.Random(20)
    client = Client.objects.create(name=f"Bench client {accounts}x{posts}")
    rows = Account.objects.bulk_create(
        Account(
            client=client,
            platform=PLATFORMS[n % 3],
            username=f"bench{client.pk}_{n}",
            url=f"https://www.instagram.com/bench{client.pk}_{n}/",
            followers=10_000 + n * 37,
        )
        for n in range(accounts)
    )
    categories = list(Category.objects.prefetch_related("subcategories")[:8])
    start = datetime(2026, 1, 1, tzinfo=UTC)
    new_posts = []
    for n in range(posts):
        account = rows[n % accounts]
        video = n % 3 == 0
        new_posts.append(
            Post(
                account=account,
                platform=account.platform,
                username=account.username,
                post_id=f"B{client.pk}x{n:07d}",
                url=f"https://www.instagram.com/p/B{client.pk}x{n:07d}/",
                post_date=start + timedelta(minutes=rng.randrange(0, 59 * 24 * 60)),
                caption=f"Bench post {n}",
                base_format="video" if video else "single_photo",
                content_type="video_short" if video else "photo_single",
                reel_style=("talking_head", "hybrid", "other")[n % 3] if video else None,
                duration_s=rng.randrange(5, 90) if video else None,
                category=categories[n % len(categories)] if categories else None,
                views=0,
            )
        )
    Post.objects.bulk_create(new_posts, batch_size=2_000)
    moments = (
        datetime(2026, 2, 28, 12, tzinfo=UTC),
        datetime(2026, 3, 15, 12, tzinfo=UTC),
        datetime(2026, 3, 31, 20, tzinfo=UTC),
    )
    snapshots = []
    for post in Post.objects.filter(account__client=client).only("pk").iterator():
        views = rng.randrange(100, 5_000)
        for moment in moments:
            views += rng.randrange(0, 40_000) if rng.random() < 0.05 else rng.randrange(0, 3_000)
            snapshots.append(
                PostSnapshot(post_id=post.pk, captured_at=moment, views=views, likes=views // 20)
            )
        if len(snapshots) >= 30_000:
            PostSnapshot.objects.bulk_create(snapshots, batch_size=5_000)
            snapshots = []
    PostSnapshot.objects.bulk_create(snapshots, batch_size=5_000)
    # Followers once a day (11 more each day), then the real rollups of both months, so the
    # report's figures, charts and top posts are what the nightly job would have written.
    AccountSnapshot.objects.bulk_create(
        (
            AccountSnapshot(
                account=account,
                captured_at=datetime(2026, 2, 1, 20, tzinfo=UTC) + timedelta(days=d),
                followers=account.followers + d * 11,
                following=100,
            )
            for account in rows
            for d in range(59)
        ),
        batch_size=5_000,
    )
    daily_metrics_rollup(
        start=date(2026, 2, 1),
        end=date(2026, 3, 31),
        accounts=Account.objects.filter(client=client),
    )
    return client.pk


def main() -> None:
    args = parse_args()
    url = agency.server_url()
    created = agency.create_database(url, args.db)
    os.environ["OPENAI_API_KEY"] = ""
    agency.setup_django(agency.with_database(url, args.db))

    from django.core.management import call_command

    from analytics.models import Report
    from analytics.reports.render import report_html, report_pdf
    from settings_app.models import Client

    print(f"Database {args.db} ({'created' if created else 'exists'}).")
    with agency.step("migrate"):
        call_command("migrate", verbosity=0)
    name = f"Bench client {args.accounts}x{args.posts}"
    client = Client.objects.filter(name=name).first()
    month = MONTH
    if args.client_id:
        client_id = args.client_id
        if args.month:
            first = date.fromisoformat(f"{args.month}-01")
            following = (first + timedelta(days=31)).replace(day=1)
            month = (first, following - timedelta(days=1))
        print(f"Client {client_id}'s report of {month[0]}..{month[1]} on the data there.")
    elif args.reuse and client is not None:
        print("Reusing the data already there.")
        client_id = client.pk
    else:
        Client.objects.filter(name=name).delete()
        with agency.step(f"generate {args.accounts} accounts, {args.posts:,} posts"):
            client_id = generate(accounts=args.accounts, posts=args.posts)
        agency.vacuum()

    report = Report(
        kind="monthly", scope_kind="client", scope_id=client_id, start=month[0], end=month[1]
    )
    html_seconds = agency.timed(lambda: report_html(report), args.runs, warmup=1)
    sizes = []

    def render():
        sizes.append(len(report_pdf(report)))

    started = time.perf_counter()
    seconds = agency.timed(render, args.runs, warmup=1)
    print(
        f"\nMonthly report, client {client_id}, {month[0]}..{month[1]} "
        f"({sizes[-1] / 1024:.0f} KB PDF), {args.runs} runs:\n"
        f"  queries + HTML: median {statistics.median(html_seconds):.2f} s\n"
        f"  whole render:   median {statistics.median(seconds):.2f} s, "
        f"slowest {max(seconds):.2f} s  (target: under 10 s)\n"
        f"  ({time.perf_counter() - started:.1f} s in all)"
    )
    if args.drop:
        from django.db import connections

        connections.close_all()
        agency.drop_database(url, args.db)


if __name__ == "__main__":
    main()
