from django.db import models


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    CAMPAIGN = "campaign", "Campaign"
    CUSTOM = "custom", "Custom"


class ReportStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    GENERATING = "generating", "Generating"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class ScopeKind(models.TextChoices):
    CLIENT = "client", "Client"
    CREATOR = "creator", "Creator"
    CAMPAIGN = "campaign", "Campaign"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
