"""Analytics' own tables: daily rollups of the snapshots (`specs/analytics.md`)."""

from django.conf import settings
from django.db import models

from .choices import Frequency, ReportKind, ReportStatus, ScopeKind


class DailyAccountMetric(models.Model):
    """One account's figures for one local day (agency TIME_ZONE), computed in SQL from the
    snapshots with the definitions of `specs/metrics.md`: `followers` and `following` are the
    values at the day's end; `*_gained` are what the account's posts gained during the day
    (negative corrections kept); `posts_published` counts posts dated that day. Charts and
    reports read these rows, never raw snapshots."""

    account = models.ForeignKey(
        "creators.Account", on_delete=models.CASCADE, related_name="daily_metrics"
    )
    date = models.DateField()
    followers = models.BigIntegerField(null=True, blank=True)
    following = models.BigIntegerField(null=True, blank=True)
    posts_published = models.PositiveIntegerField(default=0)
    views_gained = models.BigIntegerField(default=0)
    likes_gained = models.BigIntegerField(default=0)
    comments_gained = models.BigIntegerField(default=0)
    shares_gained = models.BigIntegerField(default=0)
    engagement_rate = models.FloatField(null=True, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "date"], name="dailyaccountmetric_unique_day"
            )
        ]
        indexes = [models.Index(fields=["date", "account"], name="dailymetric_date_account_idx")]

    def __str__(self) -> str:
        return f"{self.account_id} · {self.date}"


class Report(models.Model):
    """One PDF report of a scope (a client, a creator or a campaign) over the local dates
    `[start, end]` (inclusive), rendered by a job (analytics.tasks.report_render). A failed
    render is retried once (`attempts`), then the report is `failed` with its error."""

    kind = models.CharField(max_length=16, choices=ReportKind.choices)
    scope_kind = models.CharField(max_length=16, choices=ScopeKind.choices)
    scope_id = models.PositiveBigIntegerField()
    scope_name = models.CharField(max_length=200, blank=True, editable=False)
    start = models.DateField()
    end = models.DateField(help_text="The last local day of the period (inclusive).")
    status = models.CharField(
        max_length=16, choices=ReportStatus.choices, default=ReportStatus.PENDING, db_index=True
    )
    file = models.FileField(upload_to="reports/%Y/%m/", blank=True, editable=False)
    size = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    schedule = models.ForeignKey(
        "ReportSchedule",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    error = models.TextField(blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["scope_kind", "scope_id"], name="report_scope_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")),
                name="report_end_after_start",
                violation_error_message="The end date must be on or after the start date.",
            ),
            # One scheduled report per schedule and period, however often the daily job runs.
            models.UniqueConstraint(
                fields=["schedule", "start", "end"],
                condition=models.Q(schedule__isnull=False),
                name="report_one_per_schedule_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} report · {self.scope_name} · {self.start}–{self.end}"


class ReportSchedule(models.Model):
    """A client's recurring report: weekly (the last calendar week) or monthly (the last
    calendar month), created by the daily job and e-mailed to the client's report addresses."""

    client = models.ForeignKey(
        "settings_app.Client", on_delete=models.CASCADE, related_name="report_schedules"
    )
    frequency = models.CharField(max_length=16, choices=Frequency.choices)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "frequency"],
                name="reportschedule_one_per_client_frequency",
                violation_error_message="This client already has a schedule of this frequency.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.client} · {self.get_frequency_display()}"
