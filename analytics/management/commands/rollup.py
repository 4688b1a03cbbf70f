"""Backfill (or recompute) the daily account rollups for a range of local days."""

from datetime import date
from time import monotonic

from django.core.management.base import BaseCommand, CommandError

from analytics.services.rollups import daily_metrics_rollup

BAR_WIDTH = 30


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"{text!r} is not a day like 2026-03-01.") from error


class Command(BaseCommand):
    help = (
        "Compute the DailyAccountMetric rows of the local days --start..--end (inclusive) from "
        "the snapshots. Idempotent: rows already there are rewritten."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--start", required=True, help="First local day, YYYY-MM-DD.")
        parser.add_argument("--end", required=True, help="Last local day, YYYY-MM-DD.")
        parser.add_argument(
            "--no-progress", action="store_true", help="Print the summary only (no bar)."
        )

    def handle(self, *args, **options) -> None:
        start, end = _day(options["start"]), _day(options["end"])
        started = monotonic()
        show = not options["no_progress"]

        def progress(done: int, total: int) -> None:
            filled = BAR_WIDTH * done // total
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            ending = "\n" if done == total else ""
            self.stdout.write(
                f"\r[{bar}] {done}/{total} {monotonic() - started:.1f}s", ending=ending
            )
            self.stdout.flush()

        try:
            report = daily_metrics_rollup(
                start=start, end=end, on_progress=progress if show else None
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Rolled up {report.days} days for {report.accounts} accounts: {report.rows} rows "
            f"in {monotonic() - started:.1f}s."
        )
