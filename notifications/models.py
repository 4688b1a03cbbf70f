"""In-app notifications, one row per person and event, and each person's channel preferences.

A notification is written in the transaction of the event it tells about (rolled back with it)
and delivered by e-mail and Slack afterwards by the `deliver_notifications` job, so nothing is
sent for work that did not commit, and a crash between the two only delays a message."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from core.fields import EncryptedTextField

from .choices import NotificationKind


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    text = models.CharField(max_length=500)
    url = models.CharField(max_length=500, blank=True, default="", help_text="Where to look.")
    object_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True, default="")
    # The event's identity: telling one person about one event twice is one row.
    key = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    # Delivery by e-mail / Slack, decided from the person's preferences when written.
    email_pending = models.BooleanField(default=False)
    slack_pending = models.BooleanField(default=False)
    delivery_claimed_until = models.DateTimeField(null=True, blank=True)
    delivery_attempts = models.PositiveSmallIntegerField(default=0)
    delivery_error = models.TextField(blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"],
                name="notification_once_per_event",
                violation_error_message="This person was already told about this event.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values),
                name="notification_kind_valid",
                violation_error_message="Unknown notification kind.",
            ),
        ]
        indexes = [
            # The inbox and its unread count.
            models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox_idx"),
            # What the delivery job still has to send.
            models.Index(
                fields=["delivery_claimed_until"],
                condition=Q(email_pending=True) | Q(slack_pending=True),
                name="notification_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.text


class NotificationPreference(models.Model):
    """Which events a person wants by e-mail and on Slack (in-app always). No row: the
    defaults (every event by e-mail when the person has an address, nothing on Slack)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_kinds = models.JSONField(default=list, blank=True)
    slack_kinds = models.JSONField(default=list, blank=True)
    slack_webhook_url = EncryptedTextField(blank=True, default="")
    digest_after = models.PositiveSmallIntegerField(
        default=5,
        help_text="When this many messages wait at once, they go as one digest.",
    )

    def __str__(self) -> str:
        return f"Notification preferences of {self.user}"
