"""Publishing (specs/publishing.md §1 to §4): connections, media, scheduled posts, one target per
destination, and the publishing log of each target."""

import uuid
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from core.fields import EncryptedTextField
from core.inputs import InputJSONField
from core.models import TimeStampedModel
from posts.choices import Platform

from .choices import (
    METHOD_PLATFORM,
    AttemptStep,
    ConnectionMethod,
    ConnectionStatus,
    MediaKind,
    TargetState,
)


class SocialConnection(TimeStampedModel):
    """An authorization to publish to one tracked account. Tokens are encrypted at rest;
    disconnecting clears them and keeps the row (its targets and log stay)."""

    account = models.ForeignKey(
        "creators.Account", on_delete=models.PROTECT, related_name="social_connections"
    )
    platform = models.CharField(max_length=16, choices=Platform.choices)
    method = models.CharField(max_length=20, choices=ConnectionMethod.choices)
    scopes = models.JSONField(default=list, blank=True)
    access_token = EncryptedTextField(blank=True, default="")
    refresh_token = EncryptedTextField(blank=True, default="")
    token_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_expires_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=ConnectionStatus.choices, default=ConnectionStatus.CONNECTED
    )
    last_refreshed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    meta = models.JSONField(default=dict, blank=True, help_text="Platform ids, handle, page id…")

    class Meta:
        ordering = ["account_id", "method"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "method"],
                name="socialconnection_unique_account_method",
                violation_error_message="This account is already connected with this method.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ConnectionStatus.values),
                name="socialconnection_status_valid",
                violation_error_message="Unknown connection status.",
            ),
            models.CheckConstraint(
                condition=Q(method__in=ConnectionMethod.values),
                name="socialconnection_method_valid",
                violation_error_message="Unknown connection method.",
            ),
            models.CheckConstraint(
                condition=Q(
                    method__in=[ConnectionMethod.INSTAGRAM_LOGIN, ConnectionMethod.FACEBOOK_LOGIN],
                    platform=Platform.INSTAGRAM,
                )
                | Q(method=ConnectionMethod.TIKTOK, platform=Platform.TIKTOK)
                | Q(method=ConnectionMethod.GOOGLE, platform=Platform.YOUTUBE),
                name="socialconnection_method_fits_platform",
                violation_error_message=(
                    "The login method does not publish to this platform (Instagram: Instagram or "
                    "Facebook Login; TikTok: TikTok; YouTube: Google)."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} · {self.account} ({self.get_status_display()})"

    def clean(self) -> None:
        if self.method and not self.platform:
            self.platform = METHOD_PLATFORM[ConnectionMethod(self.method)]


def media_upload_to(instance: "MediaAsset", filename: str) -> str:
    # The checksum names the file: the same bytes are one asset, whatever they were called.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"publishing/{instance.checksum[:2]}/{instance.checksum}.{extension}"


class MediaAsset(models.Model):
    """One image or video of the media library, stored through Django's storage API."""

    file = models.FileField(upload_to=media_upload_to, max_length=300)
    kind = models.CharField(max_length=8, choices=MediaKind.choices)
    mime = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(help_text="Bytes.")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_s = models.FloatField(null=True, blank=True, help_text="Videos only.")
    checksum = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the bytes.")
    codec = models.CharField(max_length=32, blank=True, default="", help_text="Videos: h264…")
    frame_rate = models.FloatField(null=True, blank=True, help_text="Videos: frames a second.")
    # A small JPEG for the library: the image scaled down, or a video's poster frame.
    thumbnail = models.FileField(max_length=300, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MediaKind.values),
                name="mediaasset_kind_valid",
                violation_error_message="A media asset is an image or a video.",
            ),
            models.CheckConstraint(
                condition=Q(duration_s__isnull=True) | Q(kind=MediaKind.VIDEO),
                name="mediaasset_duration_only_for_videos",
                violation_error_message="Only videos have a duration.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.checksum[:12]}"


class MediaUpload(models.Model):
    """A presigned direct upload to S3-compatible storage (§2): the client PUTs the bytes to
    `key`, then confirms with `upload_id`; the object is then read back, probed and becomes a
    MediaAsset. An upload not confirmed by `expires_at` is removed by the cleanup job."""

    upload_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(max_length=300, unique=True, help_text="The storage name to PUT to.")
    filename = models.CharField(max_length=255, blank=True, default="")
    content_type = models.CharField(max_length=100, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    asset = models.ForeignKey(
        MediaAsset, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The cleanup: unconfirmed uploads past their expiry.
            models.Index(fields=["confirmed_at", "expires_at"], name="mediaupload_cleanup_idx")
        ]

    def __str__(self) -> str:
        return f"Upload {self.upload_id} ({self.filename or self.key})"


class ScheduledPost(TimeStampedModel):
    """What to publish and when. `scheduled_at` is UTC, computed from the local wall time in
    `timezone` (the zone the user chose), which is kept: a 09:00 Europe/Berlin post stays 09:00
    local across a DST change. Its status is derived from its targets (queries.with_status)."""

    caption = models.TextField(blank=True, default="")
    title = models.CharField(max_length=200, blank=True, default="", help_text="YouTube title.")
    hashtags = models.JSONField(default=list, blank=True)
    media = models.ManyToManyField(
        MediaAsset, through="ScheduledPostMedia", related_name="scheduled_posts", blank=True
    )
    scheduled_at = models.DateTimeField(help_text="UTC.")
    timezone = models.CharField(max_length=64, help_text="IANA name, e.g. Europe/Berlin.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    options = InputJSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-scheduled_at", "-id"]
        indexes = [models.Index(fields=["scheduled_at", "id"], name="scheduledpost_time_idx")]

    def __str__(self) -> str:
        first_line = (self.caption or self.title or "").strip().splitlines()
        return (first_line[0][:60] if first_line else "") or f"Scheduled post {self.pk}"

    def clean(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValidationError(
                {"timezone": f"“{self.timezone}” is not a time zone name (e.g. Europe/Berlin)."}
            ) from error


class ScheduledPostMedia(models.Model):
    """The media of a post, in order (a carousel's order is the platform's order)."""

    post = models.ForeignKey(ScheduledPost, on_delete=models.CASCADE, related_name="media_items")
    asset = models.ForeignKey(MediaAsset, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["post_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "position"],
                name="scheduledpostmedia_unique_position",
                violation_error_message="Two media items of a post cannot share a position.",
            ),
            models.UniqueConstraint(
                fields=["post", "asset"],
                name="scheduledpostmedia_unique_asset",
                violation_error_message="This media item is already in the post.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}: {self.asset}"


class PublishTarget(TimeStampedModel):
    """One destination of a post: its state in the publisher's state machine (§4), the remote
    handles checkpointed before each next call, and the commit marker written before the one
    irreversible call."""

    post = models.ForeignKey(ScheduledPost, on_delete=models.CASCADE, related_name="targets")
    connection = models.ForeignKey(
        SocialConnection, on_delete=models.PROTECT, related_name="targets"
    )
    options = InputJSONField(default=dict, blank=True, help_text="Privacy level, first comment…")
    state = models.CharField(
        max_length=16, choices=TargetState.choices, default=TargetState.SCHEDULED
    )
    attempt = models.PositiveIntegerField(default=0, help_text="Times the publisher claimed it.")
    retries = models.PositiveIntegerField(default=0, help_text="Retryable failures in a row.")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    remote_handle = models.JSONField(default=dict, blank=True)
    commit_started_at = models.DateTimeField(null=True, blank=True)
    error_class = models.CharField(max_length=32, blank=True, default="")
    error = models.TextField(blank=True, default="")
    # What the failed commit's error would do once reconciliation proves nothing went out.
    pending_outcome = models.CharField(max_length=16, blank=True, default="")
    platform_post_id = models.CharField(max_length=128, blank=True, default="")
    published_url = models.URLField(max_length=500, blank=True, default="")
    published_at = models.DateTimeField(null=True, blank=True)
    # The tracked post the published URL became (stats, AI and finance follow it).
    tracked_post = models.ForeignKey(
        "posts.Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["post_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "connection"],
                name="publishtarget_unique_post_connection",
                violation_error_message="This post already goes to this account.",
            ),
            models.CheckConstraint(
                condition=Q(state__in=TargetState.values),
                name="publishtarget_state_valid",
                violation_error_message="Unknown publishing state.",
            ),
            models.CheckConstraint(
                condition=~Q(state=TargetState.PUBLISHED) | Q(published_at__isnull=False),
                name="publishtarget_published_has_time",
                violation_error_message="A published target has its publication time.",
            ),
        ]
        indexes = [
            # The claim: due targets by state, oldest first (an index range).
            models.Index(fields=["state", "next_attempt_at"], name="publishtarget_claim_idx"),
            # Expired leases (a worker died).
            models.Index(fields=["state", "lease_until"], name="publishtarget_lease_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.post} → {self.connection.account} ({self.get_state_display()})"


class PublishAttempt(models.Model):
    """The publishing log of a target: every attempt and reconciliation, with the remote
    handle, the error class and the message."""

    target = models.ForeignKey(PublishTarget, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField(help_text="The target's attempt number.")
    step = models.CharField(max_length=16, choices=AttemptStep.choices)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=32, blank=True, default="")
    remote_handle = models.JSONField(default=dict, blank=True)
    error_class = models.CharField(max_length=32, blank=True, default="")
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["target_id", "-started_at", "-id"]
        indexes = [models.Index(fields=["target", "-started_at"], name="publishattempt_target_idx")]

    def __str__(self) -> str:
        return f"#{self.number} {self.get_step_display()}: {self.outcome or 'running'}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class PostingSlot(models.Model):
    """A weekly posting time of a connection ("Tuesdays 09:00 Europe/Berlin"): "add to queue"
    takes the next free one (publishing/services/queue.py). The wall time is kept in its zone,
    so a slot stays 09:00 local across a DST change."""

    connection = models.ForeignKey(
        SocialConnection, on_delete=models.CASCADE, related_name="posting_slots"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    local_time = models.TimeField(help_text="The wall time in the slot's zone.")
    timezone = models.CharField(max_length=64, help_text="IANA name, e.g. Europe/Berlin.")

    class Meta:
        ordering = ["connection_id", "weekday", "local_time"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "weekday", "local_time"],
                name="postingslot_unique_time",
                violation_error_message="This account already has a slot at this time.",
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6),
                name="postingslot_weekday_valid",
                violation_error_message="A weekday is 0 (Monday) to 6 (Sunday).",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.local_time:%H:%M} {self.timezone}"

    def clean(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValidationError(
                {"timezone": f"“{self.timezone}” is not a time zone name (e.g. Europe/Berlin)."}
            ) from error


class ImportedRow(models.Model):
    """A CSV row already imported (publishing/services/bulk.py): its key is the digest of the
    row's content, so importing the same file twice creates nothing twice."""

    key = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the row.")
    post = models.ForeignKey(ScheduledPost, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Row {self.key[:12]} → post {self.post_id}"
