from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from core.inputs import InputJSONField
from core.models import TimeStampedModel
from core.sorting import nulls_low
from posts.choices import AccountType, Platform, ProcessingStatus


class KpiStatus(models.TextChoices):
    NO_TARGET = "no_target", "No target"
    ON_TRACK = "on_track", "On track"
    BEHIND = "behind", "Behind"
    MET = "met", "Met"
    MISSED = "missed", "Missed"


class Creator(TimeStampedModel):
    """A person who owns several tracked accounts (specs/workflow.md "People")."""

    display_name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="creator",
        help_text="The creator's own login (the Creator role), if any.",
    )
    notes = models.TextField(blank=True)
    tags = InputJSONField(default=list, blank=True, help_text="A list of short labels.")
    timezone = models.CharField(
        max_length=64, default="UTC", help_text="IANA name, e.g. Europe/Berlin."
    )
    finance_item = models.ForeignKey(
        "finance.FinanceItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="creators",
    )

    class Meta:
        ordering = ["display_name", "id"]
        indexes = [models.Index(fields=["display_name", "id"], name="creator_name_idx")]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        errors = {}
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            errors["timezone"] = f"“{self.timezone}” is not a time zone name (e.g. Europe/Berlin)."
        if not isinstance(self.tags, list) or not all(isinstance(t, str) for t in self.tags):
            errors["tags"] = "Tags are a list of texts."
        if errors:
            raise ValidationError(errors)


class Account(TimeStampedModel):
    """One tracked social account (the seed's "Users collection")."""

    # Identity and profile
    url = models.URLField(max_length=500, unique=True, help_text="Canonical profile URL.")
    platform = models.CharField(max_length=16, choices=Platform.choices)
    username = models.CharField(
        max_length=100, help_text="Normalized handle (lower case), or the channel id."
    )
    external_id = models.CharField(max_length=100, blank=True)
    full_name = models.CharField(max_length=200, blank=True)
    biography = models.TextField(blank=True)
    profile_pic_url = models.URLField(max_length=2000, blank=True)
    is_verified = models.BooleanField(default=False)
    is_private = models.BooleanField(default=False)
    followers = models.BigIntegerField(null=True, blank=True)
    following = models.BigIntegerField(null=True, blank=True)
    total_media_count = models.BigIntegerField(
        null=True, blank=True, help_text="The platform's own post count, tracked or not."
    )

    # Aggregates over non-trial posts (specs/metrics.md), filled by the metrics job.
    total_views = models.BigIntegerField(null=True, blank=True)
    total_likes = models.BigIntegerField(null=True, blank=True)
    total_comments = models.BigIntegerField(null=True, blank=True)
    total_shares = models.BigIntegerField(null=True, blank=True)
    avg_views = models.BigIntegerField(null=True, blank=True)
    avg_engagement_rate = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    video_count = models.PositiveIntegerField(default=0)
    photo_count = models.PositiveIntegerField(default=0)
    carousel_count = models.PositiveIntegerField(default=0)
    posts_last_7d = models.PositiveIntegerField(default=0)
    posts_last_30d = models.PositiveIntegerField(default=0)
    posts_last_90d = models.PositiveIntegerField(default=0)
    views_last_7d = models.BigIntegerField(null=True, blank=True)
    views_last_30d = models.BigIntegerField(null=True, blank=True)
    views_last_90d = models.BigIntegerField(null=True, blank=True)
    views_last_365d = models.BigIntegerField(null=True, blank=True)
    views_last_calendar_week = models.BigIntegerField(null=True, blank=True)
    views_last_calendar_month = models.BigIntegerField(null=True, blank=True)
    views_since_1st_of_month = models.BigIntegerField(null=True, blank=True)
    followers_since_1st_of_month = models.BigIntegerField(null=True, blank=True)
    followers_since_monday = models.BigIntegerField(null=True, blank=True)
    followers_since_start_of_growth = models.BigIntegerField(null=True, blank=True)
    metrics_computed_at = models.DateTimeField(null=True, blank=True)

    # Monthly figures (specs/finance.md)
    this_month_posting_volume = models.PositiveIntegerField(default=0)
    last_month_posting_volume = models.PositiveIntegerField(default=0)
    this_month_views_generated = models.BigIntegerField(null=True, blank=True)
    last_month_views_generated = models.BigIntegerField(null=True, blank=True)
    kpi_status = models.CharField(
        max_length=16, choices=KpiStatus.choices, default=KpiStatus.NO_TARGET
    )

    # Tracking
    tracking_enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    last_tracked_at = models.DateTimeField(
        null=True, blank=True, help_text="Last time new posts were looked for."
    )
    last_stats_update = models.DateTimeField(null=True, blank=True)
    # Job bookkeeping: profile refresh and new-post detection, each with its claim and backoff.
    next_stats_at = models.DateTimeField(null=True, blank=True)
    stats_failures = models.PositiveSmallIntegerField(default=0)
    stats_error = models.TextField(
        blank=True, help_text="Why the last profile refresh failed; cleared on success."
    )
    stats_error_at = models.DateTimeField(null=True, blank=True)
    stats_claimed_until = models.DateTimeField(null=True, blank=True)
    next_detect_at = models.DateTimeField(
        null=True, blank=True, help_text="Set after a failed detection: retry not before then."
    )
    detect_failures = models.PositiveSmallIntegerField(default=0)
    detect_error = models.TextField(
        blank=True, help_text="Why the last new-post detection failed; cleared on success."
    )
    detect_error_at = models.DateTimeField(null=True, blank=True)
    detect_claimed_until = models.DateTimeField(null=True, blank=True)
    processing_status = models.CharField(
        max_length=16, choices=ProcessingStatus.choices, default=ProcessingStatus.PENDING
    )

    # Business fields
    client = models.ForeignKey(
        "settings_app.Client",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accounts",
    )
    editor = models.ForeignKey(
        "settings_app.Editor",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accounts",
    )
    type = models.CharField(max_length=16, choices=AccountType.choices, null=True, blank=True)
    boards = models.ManyToManyField("settings_app.Board", blank=True, related_name="accounts")
    finance_item = models.ForeignKey(
        "finance.FinanceItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accounts",
    )
    started_date = models.DateField(null=True, blank=True)
    creator = models.ForeignKey(
        Creator,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accounts",
        help_text="The person who owns this account.",
    )
    extra = InputJSONField(default=dict, blank=True, help_text="Frontend-only fields.")

    class Meta:
        ordering = ["username", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "username"],
                name="account_unique_platform_username",
                violation_error_message="This account is already tracked.",
            ),
        ]
        # The common sorts (core.sorting) have an index on their sort key.
        indexes = [
            models.Index(fields=["username", "id"], name="account_username_idx"),
            # The "refresh failing" filter: the few accounts whose last refresh failed.
            models.Index(
                fields=["-id"],
                condition=Q(stats_failures__gt=0) | Q(detect_failures__gt=0),
                name="account_refresh_failing_idx",
            ),
            models.Index(
                nulls_low("followers", models.BigIntegerField()).desc(),
                F("id").desc(),
                name="account_followers_sort_idx",
            ),
            models.Index(
                nulls_low("views_last_7d", models.BigIntegerField()).desc(),
                F("id").desc(),
                name="account_views_7d_sort_idx",
            ),
            models.Index(
                nulls_low("avg_views", models.BigIntegerField()).desc(),
                F("id").desc(),
                name="account_avg_views_sort_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"@{self.username} ({self.get_platform_display()})"


class AccountSnapshot(models.Model):
    """One profile refresh of an account: follower history."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="snapshots")
    captured_at = models.DateTimeField()
    followers = models.BigIntegerField(null=True, blank=True)
    following = models.BigIntegerField(null=True, blank=True)
    media_count = models.BigIntegerField(null=True, blank=True)
    source = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["account", "captured_at"]
        get_latest_by = "captured_at"
        constraints = [
            models.UniqueConstraint(
                fields=["account", "captured_at"],
                name="accountsnapshot_unique_account_captured_at",
                violation_error_message="This account already has a snapshot at this moment.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} @ {self.captured_at:%Y-%m-%d %H:%M}"
