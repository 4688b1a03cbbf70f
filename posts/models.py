from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.inputs import InputJSONField
from core.models import TimeStampedModel
from core.sorting import nulls_low

from .choices import (
    AccountType,
    BaseFormat,
    ContentType,
    Platform,
    ProcessingStatus,
    ReelStyle,
    TrialStatus,
)


class Post(TimeStampedModel):
    """One post on a platform (the seed's "Posts collection"), keyed by its canonical URL."""

    # Identity
    url = models.URLField(max_length=500, unique=True, help_text="Canonical URL of the post.")
    platform = models.CharField(max_length=16, choices=Platform.choices)
    post_id = models.CharField(max_length=64, help_text="The platform's id (shortcode, video id).")
    # Indexed by post_account_date_idx (account, post date) and post_username_idx.
    account = models.ForeignKey(
        "creators.Account",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
        db_index=False,
    )
    username = models.CharField(max_length=100, blank=True)

    # Content
    post_date = models.DateTimeField(null=True, blank=True)
    caption = models.TextField(blank=True)
    thumbnail_url = models.URLField(max_length=2000, blank=True)
    duration_s = models.FloatField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    base_format = models.CharField(max_length=16, choices=BaseFormat.choices, null=True, blank=True)
    content_type = models.CharField(
        max_length=16, choices=ContentType.choices, null=True, blank=True
    )
    is_short = models.BooleanField(
        default=False,
        help_text="Added by a YouTube /shorts/ URL: a Short whatever its aspect ratio.",
    )

    # Current stats: always equal to the latest snapshot; NULL when the platform hides a counter.
    views = models.BigIntegerField(null=True, blank=True)
    likes = models.BigIntegerField(null=True, blank=True)
    comments = models.BigIntegerField(null=True, blank=True)
    shares = models.BigIntegerField(null=True, blank=True)
    engagement_rate = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)

    # AI classification (specs/ai.md)
    idea_concept = models.TextField(blank=True)
    category = models.ForeignKey(
        "settings_app.Category",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
    )
    subcategories = models.ManyToManyField(
        "settings_app.Subcategory", blank=True, related_name="posts"
    )
    reel_style = models.CharField(max_length=16, choices=ReelStyle.choices, null=True, blank=True)
    processing_status = models.CharField(
        max_length=16, choices=ProcessingStatus.choices, default=ProcessingStatus.PENDING
    )
    ai_attempts = models.PositiveSmallIntegerField(default=0)
    ai_error = models.TextField(blank=True)
    ai_model = models.CharField(max_length=100, blank=True)
    ai_prompt_version = models.CharField(max_length=32, blank=True)
    ai_prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    ai_completion_tokens = models.PositiveIntegerField(null=True, blank=True)
    ai_processed_at = models.DateTimeField(null=True, blank=True)
    ai_next_attempt_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Pending: not sent before then (backoff). Processing: taken back then if "
        "still processing (the worker died).",
    )

    # Stats bookkeeping
    last_updated = models.DateTimeField(
        null=True, blank=True, help_text="Last successful stats refresh."
    )
    next_refresh_at = models.DateTimeField(null=True, blank=True)
    refresh_failures = models.PositiveSmallIntegerField(
        default=0, help_text="Failed refreshes in a row (0 once a refresh succeeds)."
    )
    refresh_error = models.TextField(
        blank=True,
        help_text="Why the last refresh failed (the provider's answer); cleared on success.",
    )
    refresh_error_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last refresh failed; cleared on success."
    )
    refresh_claimed_until = models.DateTimeField(
        null=True, blank=True, help_text="A worker is refreshing this post until then."
    )
    deleted_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The platform answered that the post no longer exists: no more refreshes.",
    )
    detected_at = models.DateTimeField(
        null=True, blank=True, help_text="Found by new-post detection on its account."
    )

    # Trial reels
    is_trial = models.BooleanField(default=False)
    trial_status = models.CharField(
        max_length=16, choices=TrialStatus.choices, null=True, blank=True
    )
    trial_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # a partial index (Meta): most posts have none
    )
    trial_decided_at = models.DateTimeField(null=True, blank=True)
    trial_note = models.TextField(blank=True)

    # Business fields
    client = models.ForeignKey(
        "settings_app.Client",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
    )
    editor = models.ForeignKey(
        "settings_app.Editor",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
    )
    type = models.CharField(max_length=16, choices=AccountType.choices, null=True, blank=True)
    boards = models.ManyToManyField("settings_app.Board", blank=True, related_name="posts")
    finance_item = models.ForeignKey(
        "finance.FinanceItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
        db_index=False,  # a partial index (Meta): most posts have none
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_posts",
        db_index=False,  # a partial index (Meta): most posts have none
        # Enforced by full_clean, the admin's forms and the API's serializers alike.
        limit_choices_to={"is_staff": True, "is_active": True},
        help_text="An active staff member.",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # a partial index (Meta): posts found by detection have none
    )
    added_date = models.DateTimeField(default=timezone.now)
    extra = InputJSONField(default=dict, blank=True, help_text="Frontend-only fields.")

    class Meta:
        ordering = ["-added_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "post_id"],
                name="post_unique_platform_post_id",
                violation_error_message="This post is already tracked.",
            ),
            models.CheckConstraint(
                condition=Q(is_trial=False, trial_status__isnull=True)
                | Q(is_trial=False, trial_status=TrialStatus.APPROVED)
                # isnull=False: a NULL would make the SQL condition unknown, which CHECK accepts.
                | Q(
                    is_trial=True,
                    trial_status__isnull=False,
                    trial_status__in=[TrialStatus.PENDING, TrialStatus.REJECTED],
                ),
                name="post_trial_status_consistent",
                violation_error_message=(
                    "A trial reel is pending or rejected; an approved trial is no longer a trial."
                ),
            ),
            models.CheckConstraint(
                condition=Q(reel_style__isnull=True)
                | Q(base_format__isnull=False, base_format=BaseFormat.VIDEO),
                name="post_reel_style_only_for_videos",
                violation_error_message="Only videos have a reel style.",
            ),
        ]
        # Sorted lists (core.sorting): the default (newest added), post date, views and the
        # new-post feed each have an index on their sort key, so a page is an index range scan.
        indexes = [
            models.Index(fields=["-added_date", "-id"], name="post_added_idx"),
            models.Index(
                nulls_low("post_date", models.DateTimeField()).desc(),
                F("id").desc(),
                name="post_post_date_sort_idx",
            ),
            models.Index(
                nulls_low("views", models.BigIntegerField()).desc(),
                F("id").desc(),
                name="post_views_sort_idx",
            ),
            # Date ranges (?post_date_after=…) compare the column itself.
            models.Index(fields=["-post_date", "-id"], name="post_post_date_idx"),
            models.Index(fields=["account", "-post_date"], name="post_account_date_idx"),
            # An account's counted posts whose views are shown, from the index alone: the
            # insight card counts them per account for its medians (30 000 heap rows for a
            # 200-account client otherwise).
            models.Index(
                fields=["account", "post_date"],
                include=["id"],
                condition=Q(is_trial=False, views__isnull=False),
                name="post_counted_views_idx",
            ),
            models.Index(fields=["platform", "-added_date"], name="post_platform_added_idx"),
            # The mention job scans only the posts written since its last run.
            models.Index(fields=["updated_at"], name="post_updated_idx"),
            models.Index(
                fields=["client", "-added_date"],
                condition=Q(is_trial=True),
                name="post_trials_by_client_idx",
            ),
            models.Index(
                fields=["processing_status", "id"],
                condition=Q(processing_status__in=["pending", "processing"]),
                name="post_ai_queue_idx",
            ),
            # The refresh queue (posts.queries.posts_due_for_refresh), in the order posts are
            # claimed: never refreshed (NULL, the lowest) first.
            models.Index(
                nulls_low("next_refresh_at", models.DateTimeField()),
                F("id"),
                name="post_refresh_queue_idx",
            ),
            # Username: equality and prefix search (LIKE 'x%') from one index on PostgreSQL.
            models.Index(
                fields=["username"], opclasses=["varchar_pattern_ops"], name="post_username_idx"
            ),
            # Foreign keys most posts leave empty: only the rows that have one are indexed, so
            # writing a post without them touches no index (deleting a user or an item still
            # finds its posts).
            *(
                models.Index(
                    fields=[name],
                    condition=Q(**{f"{name}__isnull": False}),
                    name=f"post_{name}_idx",
                )
                for name in ("added_by", "assignee", "trial_decided_by", "finance_item")
            ),
            # The "refresh failing" filter: the few posts whose last refresh failed.
            models.Index(
                fields=["-id"], condition=Q(refresh_failures__gt=0), name="post_refresh_failing_idx"
            ),
            models.Index(
                nulls_low("detected_at", models.DateTimeField()).desc(),
                F("id").desc(),
                condition=Q(detected_at__isnull=False),
                name="post_detected_sort_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.url


class PostSnapshot(models.Model):
    """One stats refresh of a post; the history every metric is computed from."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="snapshots")
    captured_at = models.DateTimeField()
    views = models.BigIntegerField(null=True, blank=True)
    likes = models.BigIntegerField(null=True, blank=True)
    comments = models.BigIntegerField(null=True, blank=True)
    shares = models.BigIntegerField(null=True, blank=True)
    source = models.CharField(max_length=32, blank=True, help_text="Provider that answered.")

    class Meta:
        ordering = ["post", "captured_at"]
        get_latest_by = "captured_at"
        constraints = [
            models.UniqueConstraint(
                fields=["post", "captured_at"],
                name="postsnapshot_unique_post_captured_at",
                violation_error_message="This post already has a snapshot at this moment.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.post_id} @ {self.captured_at:%Y-%m-%d %H:%M}"
