"""Install the jobs' schedules (operations.jobs.SCHEDULES); safe to run any number of times."""

from django.core.management.base import BaseCommand

from operations.schedules import OURS, SCHEDULES
from operations.services import schedules_sync


class Command(BaseCommand):
    help = (
        "Create or update one django-q2 schedule per job declared in operations.jobs, and "
        "remove our schedules that are no longer declared. Idempotent."
    )

    def handle(self, *args, **options) -> None:
        counts = schedules_sync(declared=SCHEDULES, ours_prefix=OURS)
        self.stdout.write(
            f"Schedules: {len(SCHEDULES)} declared, {counts['created']} created, "
            f"{counts['updated']} updated, {counts['removed']} removed."
        )
