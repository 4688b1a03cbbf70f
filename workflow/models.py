"""Campaigns, deliverables and the Kanban of content tasks (specs/workflow.md)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from core.inputs import InputJSONField
from core.models import TimeStampedModel
from posts.choices import Platform

from .choices import (
    AssetKind,
    CampaignStatus,
    Column,
    CommentVisibility,
    DeliverableKind,
    MoveVia,
    ReviewAction,
)

USER = settings.AUTH_USER_MODEL


class Campaign(TimeStampedModel):
    client = models.ForeignKey(
        "settings_app.Client", on_delete=models.PROTECT, related_name="campaigns"
    )
    name = models.CharField(max_length=200)
    brief = models.TextField(blank=True)
    goals = models.TextField(blank=True)
    platforms = InputJSONField(default=list, blank=True, help_text="Platform values.")
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    budget = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    status = models.CharField(
        max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    attachments = models.ManyToManyField(
        "publishing.MediaAsset", blank=True, related_name="campaigns"
    )
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__isnull=True)
                | Q(end__isnull=True)
                | Q(end__gte=models.F("start")),
                name="campaign_end_after_start",
                violation_error_message="A campaign ends on or after its start.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CampaignStatus.values),
                name="campaign_status_valid",
                violation_error_message="Unknown campaign status.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        platforms = self.platforms
        if not isinstance(platforms, list) or not set(platforms) <= set(Platform.values):
            raise ValidationError(
                {"platforms": f"Platforms are a list of: {', '.join(Platform.values)}."}
            )


class Deliverable(TimeStampedModel):
    """What a creator promised for a campaign: "3 TikTok videos", one task per unit."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deliverables")
    creator = models.ForeignKey(
        "creators.Creator", on_delete=models.PROTECT, related_name="deliverables"
    )
    platform = models.CharField(max_length=16, choices=Platform.choices)
    kind = models.CharField(max_length=16, choices=DeliverableKind.choices)
    quantity = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    due = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["campaign_id", "creator_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1),
                name="deliverable_quantity_positive",
                violation_error_message="A deliverable promises at least one unit.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.get_platform_display()} {self.get_kind_display()}"


class ContentTask(TimeStampedModel):
    """One piece of content on the Kanban. `position` orders a column (dense, from 0)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    deliverable = models.ForeignKey(
        Deliverable, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    creator = models.ForeignKey("creators.Creator", on_delete=models.PROTECT, related_name="tasks")
    assignee = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_content_tasks",
        help_text="The staff member who follows the task.",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    platform = models.CharField(max_length=16, choices=Platform.choices)
    target_accounts = models.ManyToManyField(
        "creators.Account", blank=True, related_name="content_tasks"
    )
    column = models.CharField(max_length=16, choices=Column.choices, default=Column.BACKLOG)
    position = models.IntegerField(default=0)
    due_at = models.DateTimeField(null=True, blank=True)
    scheduled_post = models.ForeignKey(
        "publishing.ScheduledPost",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="content_tasks",
    )
    published_posts = models.ManyToManyField("posts.Post", blank=True, related_name="content_tasks")
    flagged = models.BooleanField(default=False)
    flag_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The due time each reminder was sent for (a new due time reminds again).
    reminded_due_soon_for = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_overdue_for = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["column", "position", "id"]
        constraints = [
            # Moves shift positions in two steps (through negatives) so this holds at every row.
            models.UniqueConstraint(
                fields=["column", "position"],
                name="contenttask_unique_column_position",
                violation_error_message="Two tasks cannot share a place in a column.",
            ),
            models.CheckConstraint(
                condition=Q(column__in=Column.values),
                name="contenttask_column_valid",
                violation_error_message="Unknown column.",
            ),
        ]
        indexes = [
            models.Index(fields=["creator", "column"], name="contenttask_creator_idx"),
            models.Index(fields=["due_at"], name="contenttask_due_idx"),
        ]
        permissions = [
            ("submit_contenttask", "Can work on tasks (start, submit)"),
            ("review_contenttask", "Can approve tasks or ask for changes"),
            ("schedule_contenttask", "Can schedule approved tasks"),
            ("view_all_contenttask", "Can see every task (not only their own)"),
        ]

    def __str__(self) -> str:
        return self.title


class ColumnLock(models.Model):
    """One row per column, locked (in column order) by every move: two people moving cards
    at once wait for each other instead of computing the same position."""

    column = models.CharField(max_length=16, primary_key=True)

    def __str__(self) -> str:
        return self.column


class TaskMove(models.Model):
    """One move of a task between columns: the task's timeline."""

    task = models.ForeignKey(ContentTask, on_delete=models.CASCADE, related_name="moves")
    actor = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    via = models.CharField(max_length=16, choices=MoveVia.choices, default=MoveVia.ADMIN)
    from_column = models.CharField(max_length=16, choices=Column.choices, blank=True)
    to_column = models.CharField(max_length=16, choices=Column.choices)
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["task_id", "at", "id"]
        indexes = [models.Index(fields=["task", "at"], name="taskmove_task_idx")]

    def __str__(self) -> str:
        return f"{self.from_column or '—'} → {self.to_column}"


class Asset(models.Model):
    """One file of a submission; `version` is the submission round (1, 2…)."""

    task = models.ForeignKey(ContentTask, on_delete=models.CASCADE, related_name="assets")
    kind = models.CharField(max_length=16, choices=AssetKind.choices)
    media = models.ForeignKey("publishing.MediaAsset", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    submitted_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["task_id", "-version", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "version", "media"],
                name="asset_unique_task_version_media",
                violation_error_message="This file is already in this version.",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version} {self.get_kind_display()}"


class CaptionVersion(models.Model):
    task = models.ForeignKey(ContentTask, on_delete=models.CASCADE, related_name="captions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    hashtags = InputJSONField(default=list, blank=True)
    author = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ai_generated = models.BooleanField(default=False)

    class Meta:
        ordering = ["task_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "number"],
                name="captionversion_unique_number",
                violation_error_message="This caption version already exists.",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.number}"


class Comment(models.Model):
    task = models.ForeignKey(ContentTask, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_name = models.CharField(
        max_length=200, blank=True, help_text="Who wrote it when there is no user (a client)."
    )
    body = models.TextField()
    visibility = models.CharField(
        max_length=16, choices=CommentVisibility.choices, default=CommentVisibility.SHARED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["task_id", "created_at", "id"]
        indexes = [models.Index(fields=["task", "created_at"], name="comment_task_idx")]

    def __str__(self) -> str:
        return self.body[:60]


class ReviewLink(models.Model):
    """A client's way in without an account: a random token (only its hash is stored),
    scoped to one task or to a campaign's submitted tasks; expiring and revocable."""

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=12, editable=False, help_text="To recognise the link.")
    task = models.ForeignKey(
        ContentTask, on_delete=models.CASCADE, null=True, blank=True, related_name="review_links"
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="review_links"
    )
    reviewer_name = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(task__isnull=False, campaign__isnull=True)
                | Q(task__isnull=True, campaign__isnull=False),
                name="reviewlink_one_scope",
                violation_error_message="A review link is for one task or one campaign.",
            ),
        ]

    def __str__(self) -> str:
        return f"Review link {self.prefix}…"


class ReviewLinkUse(models.Model):
    """The audit of a review link: every view and decision, and every refused attempt."""

    link = models.ForeignKey(
        ReviewLink, on_delete=models.CASCADE, null=True, blank=True, related_name="uses"
    )
    task = models.ForeignKey(
        ContentTask, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=16, choices=ReviewAction.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["link", "-at"], name="reviewlinkuse_link_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} @ {self.at:%Y-%m-%d %H:%M}"


class CaptionCheck(models.Model):
    """The AI quality check of one caption version: advisory flags, each naming the brand
    guideline or platform rule it rests on. Shown on the task page; never blocks a move."""

    caption = models.ForeignKey(CaptionVersion, on_delete=models.CASCADE, related_name="checks")
    flags = models.JSONField(default=list, blank=True)
    model = models.CharField(max_length=100, blank=True)
    prompt_version = models.CharField(max_length=40, blank=True)
    checked_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["caption", "-checked_at"], name="captioncheck_caption_idx")]

    def __str__(self) -> str:
        return f"Check of {self.caption} ({len(self.flags)} flags)"
