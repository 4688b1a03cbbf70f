"""Fill the database with a believable demo agency, or remove it (`--clear`)."""

import os

from django.core.management.base import BaseCommand, CommandError, CommandParser

from operations import demo
from posts.models import Post


class Command(BaseCommand):
    help = (
        "Create demo data (clients, editors, boards, finance items, accounts, posts, trial reels "
        "and their daily snapshots). Idempotent; everything is marked as demo. --clear removes it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--accounts", type=int, default=demo.DEFAULT_ACCOUNTS)
        parser.add_argument("--posts", type=int, default=demo.DEFAULT_POSTS)
        parser.add_argument(
            "--days", type=int, default=demo.DEFAULT_DAYS, help="Days of daily snapshots."
        )
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED)
        parser.add_argument(
            "--clear", action="store_true", help="Remove the demo data (and only it)."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=(
                "Seed only a database without posts, and only if DEMO_DATA is not 0 "
                "(what `make run` does)."
            ),
        )

    def handle(self, *args, **options) -> None:
        if options["clear"]:
            summary = demo.demo_data_clear()
            if summary.total:
                self.stdout.write(
                    self.style.SUCCESS(f"Removed demo data: {_describe(summary)}")
                    + f" ({summary.seconds:.1f} s)."
                )
            else:
                self.stdout.write("No demo data to remove.")
            return
        if options["if_empty"]:
            if os.environ.get("DEMO_DATA", "1").strip().lower() in ("0", "false", "no", "off"):
                self.stdout.write("DEMO_DATA is off: no demo data added.")
                return
            if Post.objects.exists():
                self.stdout.write("The database already has posts: no demo data added.")
                return
        try:
            summary = demo.demo_data_create(
                accounts=options["accounts"],
                posts=options["posts"],
                days=options["days"],
                seed=options["seed"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if summary.total:
            self.stdout.write(
                self.style.SUCCESS(f"Demo data created: {_describe(summary)}")
                + f" ({summary.seconds:.1f} s). Remove it with `manage.py seed_demo --clear`."
            )
        else:
            self.stdout.write("Demo data already present: nothing created.")


def _describe(summary: demo.DemoSummary) -> str:
    counts = dict(summary.counts)
    trials = [
        f"{counts.pop(f'{status} trials'):,} {status}"
        for status in ("pending", "rejected", "approved")
        if f"{status} trials" in counts
    ]
    parts = []
    for kind, number in counts.items():
        if number:
            parts.append(f"{number:,} {kind}")
            if kind == "posts" and trials:
                parts[-1] += f" (trial reels: {', '.join(trials)})"
    return ", ".join(parts)
