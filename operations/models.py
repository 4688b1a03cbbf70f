"""What the jobs did: one JobRun per run, and the dead letters (items that keep failing)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class JobStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    PARTIAL = "partial", "Partial (some items failed)"
    FAILED = "failed", "Failed"


class FailedItemKind(models.TextChoices):
    POST_REFRESH = "post_refresh", "Post stats refresh"
    ACCOUNT_REFRESH = "account_refresh", "Account profile refresh"
    NEW_POST_DETECTION = "new_post_detection", "New-post detection"
    AI_CLASSIFICATION = "ai_classification", "AI classification"


class JobRun(models.Model):
    """One run of a scheduled job: when, how it ended, how many items went well or not."""

    job = models.CharField(max_length=64)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.RUNNING)
    items_ok = models.PositiveIntegerField(default=0)
    items_failed = models.PositiveIntegerField(default=0)
    error = models.TextField(
        blank=True,
        help_text="Why the run crashed, when it did, and a summary of its items' failures.",
    )
    platform_counts = models.JSONField(
        default=dict,
        blank=True,
        help_text='Items ok and failed per platform, e.g. {"youtube": {"ok": 40, "failed": 2}}: '
        "the refresh failure rate alert adds them up.",
    )
    heartbeat_at = models.DateTimeField(
        default=timezone.now,
        help_text="The run's last sign of life (its start, then each batch recorded). A run "
        "still running after JOB_LEASE_SECONDS of silence was abandoned: its worker died.",
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["job", "-started_at"], name="jobrun_job_started_idx"),
            models.Index(fields=["-started_at", "-id"], name="jobrun_started_idx"),
            # The sweeper's question each minute: which running runs went silent?
            models.Index(
                fields=["heartbeat_at"],
                condition=Q(status="running"),
                name="jobrun_running_heartbeat_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.job} @ {self.started_at:%Y-%m-%d %H:%M}"


class FailedItem(models.Model):
    """A dead letter: one object a job kept failing on, past the retry limit.

    One open row per kind and object; later failures update it (attempts, last error). It is
    resolved when the object succeeds again (or is settled, e.g. found deleted).
    """

    kind = models.CharField(max_length=32, choices=FailedItemKind.choices)
    object_type = models.CharField(max_length=100, help_text='Model label, e.g. "posts.Post".')
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=300, blank=True)
    object_url = models.URLField(max_length=500, blank=True)
    error = models.TextField()
    attempts = models.PositiveIntegerField(default=1)
    first_failed_at = models.DateTimeField(default=timezone.now)
    last_failed_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_failed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_type", "object_id"],
                condition=Q(resolved_at__isnull=True),
                name="faileditem_one_open_per_object",
                violation_error_message="This object already has an open failure of this kind.",
            )
        ]
        indexes = [
            models.Index(fields=["-last_failed_at", "-id"], name="faileditem_last_failed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.object_label or self.object_id}"


class Heartbeat(models.Model):
    """The worker's pulse: the `heartbeat` job (every minute) stamps its row, so the health
    endpoint knows a worker is taking scheduled tasks (works with any django-q2 broker)."""

    name = models.CharField(max_length=64, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"


class Alert(models.Model):
    """An alert sent to operators, one open row per condition (`key`): it is sent when the
    condition first appears, only seen again while it lasts, and cleared when it goes away;
    it is sent anew if it comes back."""

    key = models.CharField(max_length=200)
    message = models.TextField()
    first_sent_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-first_sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(cleared_at__isnull=True),
                name="alert_one_open_per_key",
                violation_error_message="This alert is already open.",
            )
        ]

    def __str__(self) -> str:
        return self.key
