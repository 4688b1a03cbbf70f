"""Analytics' own tables: daily rollups of the snapshots (`specs/analytics.md`)."""

from django.conf import settings
from django.db import models

from core.models import AIUsage

from .choices import Frequency, ReportKind, ReportStatus, ScopeKind


class DailyAccountMetric(models.Model):
    """One account's figures for one local day (agency TIME_ZONE), computed in SQL from the
    snapshots with the definitions of `specs/metrics.md`: `followers` and `following` are the
    values at the day's end; `*_gained` are what the account's posts gained during the day
    (negative corrections kept); `posts_published` counts posts dated that day. Charts and
    reports read these rows, never raw snapshots."""

    # The unique (account, date) serves the account's look-ups: no index of its own to write.
    account = models.ForeignKey(
        "creators.Account", on_delete=models.CASCADE, related_name="daily_metrics", db_index=False
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


class DailyPostMetric(models.Model):
    """What one counted post gained in one local day (agency TIME_ZONE): `X@end - X@start` of
    specs/metrics.md per counter, negative corrections kept, `NULL` where the counter is hidden.
    Only the days in which the post moved have a row, so a post's rows over a period add up to
    its `gained(X, period)`. `account` is the post's, copied for scoping by account and day.
    Top posts read these rows, never raw snapshots."""

    # Both look-ups are served by the indexes below (post, date) and (account, date).
    post = models.ForeignKey(
        "posts.Post", on_delete=models.CASCADE, related_name="daily_metrics", db_index=False
    )
    account = models.ForeignKey(
        "creators.Account",
        on_delete=models.CASCADE,
        related_name="daily_post_metrics",
        db_index=False,
    )
    date = models.DateField()
    views_gained = models.BigIntegerField(null=True, blank=True)
    likes_gained = models.BigIntegerField(null=True, blank=True)
    comments_gained = models.BigIntegerField(null=True, blank=True)
    shares_gained = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "date"], name="dailypostmetric_unique_day")
        ]
        indexes = [
            # Top posts sum a scope's rows over a period from the index alone (PostgreSQL;
            # SQLite ignores INCLUDE).
            models.Index(
                fields=["account", "date"],
                include=["post", "views_gained"],
                name="dailypostmetric_account_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.post_id} · {self.date}"


class AudienceSnapshot(models.Model):
    """A connected account's audience as its platform reported it on one local day, with the
    endpoint that answered (`source`). Its figures are `AudienceDemographic` rows; a day fetched
    again replaces them (one snapshot per account, day and source)."""

    account = models.ForeignKey(
        "creators.Account", on_delete=models.CASCADE, related_name="audience_snapshots"
    )
    date = models.DateField()
    source = models.CharField(
        max_length=40, help_text="instagram_follower_demographics, youtube_analytics…"
    )
    fetched_at = models.DateTimeField()

    class Meta:
        ordering = ["-date", "account_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "date", "source"],
                name="audiencesnapshot_unique_day_source",
                violation_error_message="This account's audience of that day is already stored.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} · {self.date} · {self.source}"


class AudienceDimension(models.TextChoices):
    AGE = "age", "Age"
    GENDER = "gender", "Gender"
    COUNTRY = "country", "Country"
    CITY = "city", "City"


class AudienceDemographic(models.Model):
    """One bucket of one dimension ("age" "25-34"): `value` in the platform's `unit` —
    followers (Instagram counts) or percent of viewers / views (YouTube)."""

    snapshot = models.ForeignKey(
        AudienceSnapshot, on_delete=models.CASCADE, related_name="demographics"
    )
    dimension = models.CharField(max_length=16, choices=AudienceDimension.choices)
    key = models.CharField(max_length=120)
    value = models.FloatField()
    unit = models.CharField(max_length=16, help_text="followers, viewer_percent or views.")

    class Meta:
        ordering = ["snapshot_id", "dimension", "-value"]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "dimension", "key"], name="audiencedemographic_unique_key"
            ),
            models.CheckConstraint(
                condition=models.Q(dimension__in=AudienceDimension.values),
                name="audiencedemographic_dimension_valid",
                violation_error_message="Unknown audience dimension.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension} {self.key}: {self.value:g} {self.unit}"


class Mention(models.Model):
    """A tracked post whose caption or hashtags name one of a client's brand terms (whole word,
    any case). One row per client, post and term; `sentiment` from the AI when configured."""

    class Sentiment(models.TextChoices):
        POSITIVE = "positive", "Positive"
        NEUTRAL = "neutral", "Neutral"
        NEGATIVE = "negative", "Negative"

    client = models.ForeignKey(
        "settings_app.Client", on_delete=models.CASCADE, related_name="mentions"
    )
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="mentions")
    term = models.CharField(max_length=200)
    matched_at = models.DateTimeField()
    sentiment = models.CharField(
        max_length=8, choices=Sentiment.choices, null=True, blank=True, default=None
    )
    sentiment_model = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["-matched_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "post", "term"],
                name="mention_unique_client_post_term",
                violation_error_message="This post's mention of that term is already recorded.",
            )
        ]
        indexes = [models.Index(fields=["client", "-matched_at"], name="mention_client_idx")]

    def __str__(self) -> str:
        return f"{self.term} in post {self.post_id}"


class AskedQuestion(AIUsage):
    """The "ask the workspace" answers of `core.AIUsage` (feature "ask"), listed in the admin
    with the question, the tool calls and their row counts."""

    class Meta:
        proxy = True
        verbose_name = "asked question"


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


class InsightExplanation(models.Model):
    """An insight card's AI outcome, stored once per scope, period and facts (the hash of the
    facts the model read, with the prompt version) so the report, the API and the analytics
    page reuse it instead of paying for it again. `explanation` empty with a `note`: the model's
    answers did not keep to the facts (a transient failure is not stored)."""

    scope_kind = models.CharField(max_length=16, choices=ScopeKind.choices)
    scope_id = models.PositiveIntegerField()
    start = models.DateField()
    end = models.DateField()
    facts_hash = models.CharField(max_length=64)
    explanation = models.TextField(blank=True)
    note = models.CharField(max_length=200, blank=True)
    model = models.CharField(max_length=100, blank=True)
    prompt_version = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope_kind", "scope_id", "start", "end", "facts_hash"],
                name="insightexplanation_one_per_facts",
                violation_error_message="This card's explanation is already stored.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope_kind}:{self.scope_id} · {self.start}–{self.end}"


class PostFirstWindow(models.Model):
    """A post's views gained in its first `window_hours` after `post_date` (best time to post),
    stored once that window closed: no snapshot can land in it any more, so the heat map reads
    it instead of probing the snapshots of every post. Valid only for the post's current
    `post_date` and the current window setting; any other is recomputed (analytics.best_time)."""

    post = models.OneToOneField(
        "posts.Post", on_delete=models.CASCADE, primary_key=True, related_name="first_window"
    )
    post_date = models.DateTimeField()
    window_hours = models.PositiveSmallIntegerField()
    tracked = models.BooleanField(help_text="Some snapshot inside the window: the post counts.")
    views = models.BigIntegerField(null=True, blank=True)
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"post {self.post_id}: {self.views} views in {self.window_hours} h"
