"""Analytics' own tables: daily rollups of the snapshots (`specs/analytics.md`)."""

from django.db import models

from core.models import AIUsage


class DailyAccountMetric(models.Model):
    """One account's figures for one local day (agency TIME_ZONE), computed in SQL from the
    snapshots with the definitions of `specs/metrics.md`: `followers` and `following` are the
    values at the day's end; `*_gained` are what the account's posts gained during the day
    (negative corrections kept); `posts_published` counts posts dated that day. Charts and
    reports read these rows, never raw snapshots."""

    account = models.ForeignKey(
        "creators.Account", on_delete=models.CASCADE, related_name="daily_metrics"
    )
    date = models.DateField()
    followers = models.BigIntegerField(null=True, blank=True)
    following = models.BigIntegerField(null=True, blank=True)
    posts_published = models.PositiveIntegerField(default=0)
    views_gained = models.BigIntegerField(default=0)
    likes_gained = models.BigIntegerField(default=0)
    comments_gained = models.BigIntegerField(default=0)
    shares_gained = models.BigIntegerField(default=0)
    engagement_rate = models.FloatField(null=True, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "date"], name="dailyaccountmetric_unique_day"
            )
        ]
        indexes = [models.Index(fields=["date", "account"], name="dailymetric_date_account_idx")]

    def __str__(self) -> str:
        return f"{self.account_id} · {self.date}"


class AskedQuestion(AIUsage):
    """The "ask the workspace" answers of `core.AIUsage` (feature "ask"), listed in the admin
    with the question, the tool calls and their row counts."""

    class Meta:
        proxy = True
        verbose_name = "asked question"
