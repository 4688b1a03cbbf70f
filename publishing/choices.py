from django.db import models


class ConnectionMethod(models.TextChoices):
    INSTAGRAM_LOGIN = "instagram_login", "Instagram Login (graph.instagram.com)"
    FACEBOOK_LOGIN = "facebook_login", "Facebook Login (graph.facebook.com + a Page)"
    TIKTOK = "tiktok", "TikTok Login Kit"
    GOOGLE = "google", "Google OAuth (YouTube)"


# The platform each login method publishes to (posts.choices.Platform values).
METHOD_PLATFORM = {
    ConnectionMethod.INSTAGRAM_LOGIN: "instagram",
    ConnectionMethod.FACEBOOK_LOGIN: "instagram",
    ConnectionMethod.TIKTOK: "tiktok",
    ConnectionMethod.GOOGLE: "youtube",
}


class ConnectionStatus(models.TextChoices):
    CONNECTED = "connected", "Connected"
    NEEDS_REAUTH = "needs_reauth", "Needs re-authorization"
    DISCONNECTED = "disconnected", "Disconnected"


class MediaKind(models.TextChoices):
    IMAGE = "image", "Image"
    VIDEO = "video", "Video"


class TargetState(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHING = "publishing", "Publishing"
    AWAITING_REMOTE = "awaiting_remote", "Awaiting the platform"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed"
    UNCONFIRMED = "unconfirmed", "Unconfirmed"
    DEFERRED = "deferred", "Deferred (quota window)"
    NEEDS_REAUTH = "needs_reauth", "Waiting for re-authorization"
    CANCELLED = "cancelled", "Cancelled"


# Not claimed yet: the post may still be edited or cancelled.
WAITING_STATES = (TargetState.SCHEDULED, TargetState.DEFERRED, TargetState.NEEDS_REAUTH)
# Claimed by the publisher and not settled.
ACTIVE_STATES = (TargetState.PUBLISHING, TargetState.AWAITING_REMOTE)
# Taken by the claim when due (a deferred target waits for its quota window the same way).
DUE_STATES = (TargetState.SCHEDULED, TargetState.DEFERRED)


class PostStatus(models.TextChoices):
    """A scheduled post's status, derived from its targets (queries.with_status)."""

    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHING = "publishing", "Publishing"
    PUBLISHED = "published", "Published"
    PARTIALLY_PUBLISHED = "partially_published", "Partially published"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class AttemptStep(models.TextChoices):
    PUBLISH = "publish", "Publish"
    RECONCILE = "reconcile", "Reconcile"
    LEASE_EXPIRED = "lease_expired", "Lease expired"
    TRACK = "track", "Track as a post"
