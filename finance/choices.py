from django.db import models


class StatementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    PARTIALLY_PAID = "partially_paid", "Partially paid"
    PAID = "paid", "Paid"
    VOID = "void", "Void"


class EventKind(models.TextChoices):
    CREATED = "created", "Created"
    APPROVED = "approved", "Approved"
    ADJUSTED = "adjusted", "Adjusted"
    REOPENED = "reopened", "Back to draft"
    PAID = "paid", "Payment"
    VOIDED = "voided", "Voided"
