from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ProviderState(models.Model):
    """Rate-limit window, daily quota and pause of one stats provider, shared by all workers.

    `platforms.ratelimit` reserves calls with conditional UPDATEs on this row, so two workers
    never both take the last call of a window.
    """

    provider = models.CharField(max_length=50, unique=True)
    window_started_at = models.DateTimeField(null=True, blank=True)
    calls_in_window = models.PositiveIntegerField(default=0)
    # The quota's own calendar day (YouTube: Pacific time), not the agency's.
    quota_date = models.DateField(null=True, blank=True)
    quota_used = models.PositiveIntegerField(default=0)
    paused_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider"]

    def __str__(self) -> str:
        return self.provider


class AuditEntry(models.Model):
    """Who changed what and when: one row per change of a business object, written by the
    services that make the change (core.audit.audit_record). Statements keep their own history
    (finance.StatementEvent)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=32, default="update")
    # {"field": [before, after]}, values as JSON-friendly text/ids.
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit trail"
        indexes = [
            models.Index(fields=["content_type", "object_id", "-at"], name="audit_object_idx")
        ]

    def __str__(self) -> str:
        return f"{self.object_repr} · {self.action} · {self.at:%Y-%m-%d %H:%M}"


class RateCounter(models.Model):
    """One fixed-window counter shared by every web worker on every machine: API throttles and
    failed-login lockouts (core.counters). Each hit is one conditional UPDATE, so concurrent
    workers never let more than the limit through (a cache's get-then-set would)."""

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_ends_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class IdempotencyRecord(models.Model):
    """The first answer to a create sent with an `Idempotency-Key` header (core.api.idempotency),
    kept 24 h: the same key and body get it again instead of a second object."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=200, help_text="The endpoint: method and path.")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64, help_text="SHA-256 of the request body.")
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "scope", "key"],
                name="idempotencyrecord_unique_key",
                violation_error_message="This Idempotency-Key was already used here.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class JobProgress(models.Model):
    """Where an incremental job is in its data, shared by every worker: everything before
    `done_before` is done (the last completed pass); an unfinished pass (cut by its time
    budget) works up to `target` and goes on from the primary key `next_id`. One row per
    job and table (`name`); posts.services.retention thins only what is new since."""

    name = models.CharField(max_length=100, unique=True)
    done_before = models.DateTimeField(null=True, blank=True)
    target = models.DateTimeField(null=True, blank=True)
    next_id = models.BigIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "job progress"

    def __str__(self) -> str:
        return f"{self.name}: done before {self.done_before}"


class AIUsage(models.Model):
    """One answer of an AI assistance feature (captions, quality check, summary, brief,
    insight explanation, ask): what it cost and whether it was usable, for the per-feature,
    per-day figures in operations. Classification keeps its usage on the post itself."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    feature = models.CharField(max_length=40, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    model = models.CharField(max_length=100, blank=True)
    prompt_version = models.CharField(max_length=40, blank=True)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    calls = models.PositiveSmallIntegerField(default=0)
    ok = models.BooleanField(default=True)
    error = models.TextField(blank=True, help_text="Why the answer was not usable.")
    detail = models.JSONField(
        default=dict, blank=True, help_text="Feature-specific facts (e.g. ask's tool calls)."
    )

    class Meta:
        verbose_name = "AI usage"
        verbose_name_plural = "AI usage"
        indexes = [models.Index(fields=["feature", "at"], name="aiusage_feature_at_idx")]

    def __str__(self) -> str:
        return f"{self.feature} · {self.at:%Y-%m-%d %H:%M}"
