"""Kanban benchmark: the admin's content board with thousands of open tasks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/kanban.py

Creates (or, with --reuse, keeps) its own database `--db` on that server, migrates it and
fills it with `--tasks` open content tasks (Backlog to Scheduled) and `--published` published
ones for `--creators` creators in `--campaigns` campaigns, each task with one to three caption
versions, up to four comments (a quarter internal) and, for half of them, a submitted image.
Then renders `/admin/workflow/contenttask/board/` through Django's whole stack in-process (the
test client, signed in as a Manager) `--runs` times after 3 warm-ups, unfiltered, filtered by
one creator and by overdue, and prints the median, p95 and the query count of each. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import agency


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=5_000, help="Open tasks.")
    parser.add_argument("--published", type=int, default=2_000, help="Published tasks.")
    parser.add_argument("--creators", type=int, default=200)
    parser.add_argument("--campaigns", type=int, default=40)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--db", default="creatorops_kanban", help="Database to create and fill.")
    parser.add_argument("--reuse", action="store_true", help="Keep the data already there.")
    parser.add_argument("--drop", action="store_true", help="Drop the database at the end.")
    return parser.parse_args()


OPEN = ("backlog", "in_progress", "submitted", "needs_changes", "approved", "scheduled")
# How the open tasks spread over the columns (most waiting in Backlog and In progress).
SPREAD = (0.35, 0.25, 0.15, 0.08, 0.1, 0.07)
PLATFORMS = ("instagram", "tiktok", "youtube")


def generate(*, tasks: int, published: int, creators: int, campaigns: int, now: datetime):
    """The tasks and what their cards show, with bulk inserts (positions dense per column)."""
    from django.contrib.auth import get_user_model

    from creators.models import Creator
    from publishing.models import MediaAsset
    from settings_app.models import Client
    from workflow.models import Asset, Campaign, CaptionVersion, Comment, ContentTask

    User = get_user_model()
    staff = User.objects.bulk_create(
        [User(username=f"bench-staff-{n}", is_staff=True) for n in range(10)]
    )
    clients = Client.objects.bulk_create([Client(name=f"Bench client {n}") for n in range(10)])
    people = Creator.objects.bulk_create(
        [Creator(display_name=f"Creator {n:04}") for n in range(creators)]
    )
    plans = Campaign.objects.bulk_create(
        [
            Campaign(client=clients[n % len(clients)], name=f"Campaign {n}", status="active")
            for n in range(campaigns)
        ]
    )
    columns = []
    for column, share in zip(OPEN, SPREAD, strict=True):
        columns += [column] * round(tasks * share)
    columns = (columns + ["backlog"] * tasks)[:tasks] + ["published"] * published
    position: dict[str, int] = {}
    rows = []
    for n, column in enumerate(columns):
        place = position.get(column, 0)
        position[column] = place + 1
        rows.append(
            ContentTask(
                campaign=plans[n % len(plans)],
                creator=people[n % len(people)],
                assignee=staff[n % len(staff)],
                title=f"Task {n}: {PLATFORMS[n % 3]} {('reel', 'short', 'photo')[n % 3]}",
                platform=PLATFORMS[n % 3],
                column=column,
                position=place,
                due_at=now + timedelta(hours=(n % 240) - 60),
            )
        )
    made = ContentTask.objects.bulk_create(rows, batch_size=2000)
    captions, comments, media, assets = [], [], [], []
    for n, task in enumerate(made):
        for number in range(1, n % 3 + 2):
            captions.append(
                CaptionVersion(
                    task=task,
                    number=number,
                    text=f"Version {number} of the caption of task {n}: three habits that stick, "
                    "filmed in one take, with a hook in the first second #habits #morning",
                )
            )
        for c in range(n % 5):
            visibility = "internal" if c == 3 else "shared"
            comments.append(Comment(task=task, body=f"Comment {c}", visibility=visibility))
        if n % 2 == 0:
            media.append(
                MediaAsset(
                    file=f"publishing/bench/{n:08x}.jpg",
                    kind="image",
                    mime="image/jpeg",
                    size=100_000,
                    checksum=f"{n:064x}",
                )
            )
            assets.append((task, len(media) - 1))
    CaptionVersion.objects.bulk_create(captions, batch_size=5000)
    Comment.objects.bulk_create(comments, batch_size=5000)
    media = MediaAsset.objects.bulk_create(media, batch_size=5000)
    Asset.objects.bulk_create(
        [Asset(task=task, kind="image", media=media[i], version=1) for task, i in assets],
        batch_size=5000,
    )
    return len(made), len(captions), len(comments), len(assets)


def main() -> None:
    args = parse_args()
    url = agency.server_url()
    created = agency.create_database(url, args.db)
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    agency.setup_django(agency.with_database(url, args.db))

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from workflow.models import ContentTask

    print(f"Database {args.db} ({'created' if created else 'exists'}).")
    with agency.step("migrate"):
        call_command("migrate", verbosity=0)
    now = datetime.now(UTC)
    if args.reuse and ContentTask.objects.exists():
        print("Reusing the data already there.")
    else:
        with agency.step("generate"):
            sizes = generate(
                tasks=args.tasks,
                published=args.published,
                creators=args.creators,
                campaigns=args.campaigns,
                now=now,
            )
        print("Data: {:,} tasks, {:,} caption versions, {:,} comments, {:,} assets.".format(*sizes))
        agency.vacuum()
    open_tasks = ContentTask.objects.exclude(column__in=["published", "cancelled"]).count()
    print(f"{open_tasks:,} open tasks.\n")

    from django.contrib.auth import get_user_model

    from tests.settings_app.factories import UserFactory

    manager = get_user_model().objects.filter(username="bench-manager").first()
    if manager is None:
        manager = UserFactory(username="bench-manager", is_staff=True, roles=["Manager"])
    client = Client()
    client.force_login(manager)
    creator_id = ContentTask.objects.values_list("creator_id", flat=True).first()
    board = "/admin/workflow/contenttask/board/"
    scenarios = [
        ("Board, every task", board),
        ("Board, one creator", f"{board}?creator={creator_id}"),
        ("Board, overdue", f"{board}?overdue=true"),
    ]
    print(
        "| Scenario | median ms | p95 ms | CPU ms (Django) | queries | cards | bytes |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    for name, path in scenarios:

        def render(path=path):
            response = client.get(path)
            assert response.status_code == 200, response.status_code
            return response

        with CaptureQueriesContext(connection) as captured:
            response = render()
        queries = len(captured)  # now: the next request empties the connection's query log
        cards = response.content.count(b'class="kb-card"')
        seconds = agency.timed(render, args.runs, warmup=3)
        cpu = []  # this process's CPU time per request: less sensitive to a busy machine
        for _ in range(args.runs):
            started = time.process_time()
            render()
            cpu.append(time.process_time() - started)
        seconds.sort()
        p95 = seconds[max(0, int(len(seconds) * 0.95) - 1)]
        print(
            f"| {name} | {statistics.median(seconds) * 1000:.0f} | {p95 * 1000:.0f} | "
            f"{statistics.median(cpu) * 1000:.0f} | "
            f"{queries} | {cards} | {len(response.content):,} |"
        )
    if args.drop:
        connection.close()
        agency.drop_database(url, args.db)


if __name__ == "__main__":
    main()
