from django.db import models


class Column(models.TextChoices):
    """The Kanban columns of a content task, in board order (Cancelled is hidden)."""

    BACKLOG = "backlog", "Backlog"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    NEEDS_CHANGES = "needs_changes", "Needs changes"
    APPROVED = "approved", "Approved"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"
    CANCELLED = "cancelled", "Cancelled"


BOARD_COLUMNS = tuple(c for c in Column if c != Column.CANCELLED)
# Columns whose tasks are still to be delivered (overdue counts only these).
OPEN_COLUMNS = tuple(c for c in Column if c not in (Column.PUBLISHED, Column.CANCELLED))


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class DeliverableKind(models.TextChoices):
    REEL = "reel", "Reel"
    PHOTO = "photo", "Photo"
    CAROUSEL = "carousel", "Carousel"
    SHORT = "short", "Short"
    VIDEO = "video", "Video"


class AssetKind(models.TextChoices):
    VIDEO = "video", "Video"
    IMAGE = "image", "Image"
    THUMBNAIL = "thumbnail", "Thumbnail"


class CommentVisibility(models.TextChoices):
    INTERNAL = "internal", "Internal (staff only)"
    SHARED = "shared", "Shared (creator and client)"


class MoveVia(models.TextChoices):
    """Where a move came from (the timeline shows it)."""

    ADMIN = "admin", "Admin"
    API = "api", "API"
    REVIEW_LINK = "review_link", "Client review link"
    PUBLISHER = "publisher", "Publisher"
    SYSTEM = "system", "System"


class ReviewAction(models.TextChoices):
    VIEW = "view", "Viewed"
    APPROVE = "approve", "Approved"
    REQUEST_CHANGES = "request_changes", "Asked for changes"
    REFUSED = "refused", "Refused (expired, revoked or invalid)"
