from django.db import models


class NotificationKind(models.TextChoices):
    """The events people are told about (specs/workflow.md "Notifications")."""

    SUBMITTED = "submitted", "Draft submitted"
    NEEDS_CHANGES = "needs_changes", "Changes requested"
    APPROVED = "approved", "Approved"
    DUE_SOON = "due_soon", "Due in 24 h"
    OVERDUE = "overdue", "Overdue"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"
    PUBLISH_FAILED = "publish_failed", "Publishing failed"
    PUBLISH_UNCONFIRMED = "publish_unconfirmed", "Publishing unconfirmed"
    CONNECTION_NEEDS_REAUTH = "connection_needs_reauth", "Connection needs re-authorization"


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SLACK = "slack", "Slack"
