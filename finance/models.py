from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from core.models import TimeStampedModel


def default_currency() -> str:
    return settings.DEFAULT_CURRENCY


class FinanceItem(TimeStampedModel):
    """One payee agreement (specs/finance.md); groups the accounts and posts it pays for."""

    code = models.CharField(max_length=32, unique=True, help_text="e.g. FIN-0042")
    payee_name = models.CharField(max_length=200)
    payment_method = models.CharField(max_length=100, blank=True)
    phone_number = models.CharField(max_length=50, blank=True)
    payment_details = models.TextField(blank=True)
    currency = models.CharField(max_length=3, default=default_currency)
    base_monthly_pay = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0.00"), validators=[MinValueValidator(0)]
    )
    expected_monthly_posting_volume = models.PositiveIntegerField(null=True, blank=True)
    rate_per_1k_views = models.DecimalField(
        max_digits=10, decimal_places=4, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    prorate_by_volume = models.BooleanField(default=False)
    started_date = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    notes = models.TextField(blank=True)
    last_paid_date = models.DateField(null=True, blank=True, editable=False)
    paid_amount = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.payee_name}"
