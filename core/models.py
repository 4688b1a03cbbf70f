from django.db import models


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
