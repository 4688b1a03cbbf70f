"""Due targets nobody claimed: the publisher is not running (specs/publishing.md §4).

A stopped worker publishes nothing and says nothing; this sweep makes it visible. It only
reports (a missed target is still published as soon as the publisher runs again) and changes
nothing, so running it twice is harmless.
"""

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from core.jobs import WorkReport

from ..queries import targets_missed


def targets_sweep_missed(*, now: datetime | None = None) -> WorkReport:
    """Count the targets due (or due for reconciliation) more than PUBLISH_MISSED_AFTER_MINUTES
    ago and still not claimed; each is a failed item of the report, with the reason."""
    now = now or timezone.now()
    minutes = settings.PUBLISH_MISSED_AFTER_MINUTES
    missed = targets_missed(now=now, minutes=minutes).count()
    report = WorkReport(kind="publish_missed", failed=missed)
    report.note_errors(
        f"Due more than {minutes} minutes ago and not claimed: is the publisher running?", missed
    )
    return report
