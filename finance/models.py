from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from core.currencies import validate_currency_code
from core.models import TimeStampedModel
from creators.models import KpiStatus

from .choices import EventKind, StatementStatus


def default_currency() -> str:
    return settings.DEFAULT_CURRENCY


class FinanceItem(TimeStampedModel):
    """One payee agreement (specs/finance.md); groups the accounts and posts it pays for."""

    code = models.CharField(max_length=32, unique=True, help_text="e.g. FIN-0042")
    payee_name = models.CharField(max_length=200)
    payment_method = models.CharField(max_length=100, blank=True)
    phone_number = models.CharField(max_length=50, blank=True)
    payment_details = models.TextField(blank=True)
    currency = models.CharField(
        max_length=3, default=default_currency, validators=[validate_currency_code]
    )
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
    # What was paid on the latest statement: as wide as the statement's own amounts.
    paid_amount = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.payee_name}"


def money_field(**kwargs) -> models.DecimalField:
    """Money: a Decimal with 2 places (rounded half-up by the services), never a float."""
    return models.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class PayoutStatement(TimeStampedModel):
    """What a finance item is owed for one month, and what was paid (specs/finance.md).

    `draft` statements are recomputed by the payments job; `approved` and `paid` ones are
    frozen; `void` keeps the row. Every change goes through finance.services and is recorded as
    a StatementEvent.
    """

    finance_item = models.ForeignKey(
        FinanceItem, on_delete=models.PROTECT, related_name="statements"
    )
    month = models.DateField(help_text="The 1st of the month.")
    currency = models.CharField(
        max_length=3, default=default_currency, validators=[validate_currency_code]
    )
    # The figures, as of `computed_at`.
    posting_volume = models.PositiveIntegerField(default=0)
    expected_posting_volume = models.PositiveIntegerField(
        null=True, blank=True, help_text="The item's target when the figures were computed."
    )
    views_generated = models.BigIntegerField(default=0)
    kpi_status = models.CharField(
        max_length=16, choices=KpiStatus.choices, default=KpiStatus.NO_TARGET
    )
    base = money_field(default=Decimal("0.00"))
    variable = money_field(default=Decimal("0.00"))
    computed = money_field(default=Decimal("0.00"))
    adjustment = money_field(default=Decimal("0.00"))
    adjustment_reason = models.TextField(blank=True)
    amount_due = money_field(default=Decimal("0.00"))
    computed_at = models.DateTimeField(null=True, blank=True)
    # The lifecycle.
    status = models.CharField(
        max_length=16, choices=StatementStatus.choices, default=StatementStatus.DRAFT
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_amount = money_field(default=Decimal("0.00"))
    payment_method = models.CharField(max_length=100, blank=True)
    payment_reference = models.CharField(max_length=200, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-month", "finance_item__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["finance_item", "month"],
                name="statement_unique_item_month",
                violation_error_message="This finance item already has a statement for the month.",
            ),
        ]
        indexes = [models.Index(fields=["month", "status"], name="statement_month_status_idx")]

    def __str__(self) -> str:
        return f"{self.finance_item.code} · {self.month:%Y-%m}"

    @property
    def balance(self) -> Decimal:
        """What remains to pay: the amount due less what was paid (0 for a void statement)."""
        if self.status == StatementStatus.VOID:
            return Decimal("0.00")
        return self.amount_due - self.paid_amount

    @property
    def is_frozen(self) -> bool:
        return self.status != StatementStatus.DRAFT


class StatementEvent(models.Model):
    """One change of a statement: a status change, an adjustment or a payment, by whom, when."""

    statement = models.ForeignKey(PayoutStatement, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=16, choices=StatementStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=StatementStatus.choices, blank=True)
    amount = money_field(null=True, blank=True, help_text="The adjustment or the payment.")
    amount_due = money_field(null=True, blank=True, help_text="The amount due after the change.")
    payment_method = models.CharField(max_length=100, blank=True)
    payment_reference = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["statement", "at"], name="statement_event_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"
