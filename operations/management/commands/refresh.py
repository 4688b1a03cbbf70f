"""Run a refresh pass in the foreground, with progress (what the scheduled jobs do)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.jobs import WorkReport
from operations import jobs
from operations.models import JobRun


class Command(BaseCommand):
    help = (
        "Run one pass of the refresh jobs now, in the foreground, printing a line per batch. "
        "Each pass is recorded as a JobRun, like the scheduled ones."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--due", action="store_true", help="Refresh the stats of due posts.")
        parser.add_argument(
            "--accounts", action="store_true", help="Refresh the profiles of due accounts."
        )
        parser.add_argument(
            "--detect", action="store_true", help="Look for new posts on tracked accounts."
        )

    def handle(self, *args, **options) -> None:
        selected = [
            (flag, job)
            for flag, job in (
                ("due", jobs.refresh_post_stats),
                ("accounts", jobs.refresh_account_stats),
                ("detect", jobs.detect_new_posts),
            )
            if options[flag]
        ]
        if not selected:
            raise CommandError("Say what to refresh: --due, --accounts and/or --detect.")
        for _, job in selected:
            self.stdout.write(self.style.MIGRATE_HEADING(f"{job.__name__}:"))
            totals = WorkReport(kind="")

            def progress(report: WorkReport, totals=totals) -> None:
                totals.add_counts(report)
                created = f", {report.created} new post(s)" if report.created else ""
                self.stdout.write(
                    f"  batch {totals.batches}: {report.ok} ok, {report.failed} failed{created}"
                    f" (total {totals.ok} ok, {totals.failed} failed)"
                )

            run = JobRun.objects.get(pk=job(on_batch=progress))
            if not totals.batches:
                self.stdout.write("  nothing due")
            self.stdout.write(
                f"  {run.get_status_display()}: {run.items_ok} ok, {run.items_failed} failed."
            )
