"""Writes of the finance app (specs/finance.md): the payments job's recompute of draft
statements, and the statement lifecycle draft → approved → paid (or void).

Rules of the lifecycle:
- `approve`: a draft becomes approved; its figures are frozen from then on.
- `adjust`: sets the statement's (signed) adjustment, with a required reason, on a draft or an
  approved statement. Adjusting an approved statement sends it back to draft: the amount that
  was approved changed, so it must be approved again. Paid and void statements cannot change.
- `mark_paid`: records a payment on an approved or a partially paid statement. The amount may
  be less than the balance, never more: the statement becomes partially paid while a balance
  remains, paid once nothing does. The finance item's `last_paid_date` and `paid_amount` follow.
- `void`: a draft or approved statement is voided; the row stays (the job never recreates or
  recomputes it). A paid or partially paid statement cannot be voided: money moved.
Each change is a StatementEvent with who and when. A broken rule raises DomainError.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from core import windows
from core.audit import audit_record, audit_values
from core.errors import DomainError, NotFoundError
from creators.models import Account

from .amounts import to_money
from .choices import EventKind, StatementStatus
from .metrics import account_figures_recompute
from .models import FinanceItem, PayoutStatement, StatementEvent
from .queries import (
    figures_for,
    month_of,
    month_window,
    previous_month,
    statement_figures,
    with_month_figures,
)

logger = logging.getLogger(__name__)

# --- The payments job -------------------------------------------------------------------------


@dataclass
class RecomputeReport:
    months: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    frozen: int = 0  # approved or paid: left as they are
    void: int = 0
    accounts: int = 0  # accounts whose monthly figures were recomputed

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def finance_statements_recompute(
    *,
    now: datetime | None = None,
    item_ids: Iterable[int] | None = None,
    with_accounts: bool = True,
) -> RecomputeReport:
    """The `process_creator_payments` job: (re)compute the draft statements of the current and
    the previous month as of `now`, for the given finance items (all when `None`).

    A statement is created for each active item that had started by the month's end; existing
    drafts are recomputed (their adjustment is kept); approved and paid statements are frozen
    and void ones are left alone. With `with_accounts`, the monthly figures and KPI status of
    the items' accounts are refreshed too (finance.metrics.account_figures_recompute).
    """
    now = now or timezone.now()
    current = month_of(now)
    report = RecomputeReport()
    ids = None if item_ids is None else sorted({int(pk) for pk in item_ids})
    for month in (previous_month(current), current):
        report.months.append(f"{month:%Y-%m}")
        _recompute_month(month, now=now, ids=ids, report=report)
    if with_accounts and ids != []:
        accounts = Account.objects.filter(finance_item__isnull=False)
        if ids is not None:
            accounts = accounts.filter(finance_item_id__in=ids)
        report.accounts = account_figures_recompute(
            account_ids=list(accounts.values_list("pk", flat=True)), now=now
        )
    logger.info("Finance statements recomputed: %s", report.as_dict())
    return report


def _recompute_month(
    month: date, *, now: datetime, ids: list[int] | None, report: RecomputeReport
) -> None:
    next_first = windows.local_date(month_window(month)[1])
    existing = dict(
        PayoutStatement.objects.filter(month=month).values_list("finance_item_id", "status")
    )
    drafts = PayoutStatement.objects.filter(month=month, status=StatementStatus.DRAFT)
    items = FinanceItem.objects.filter(
        Q(is_active=True) & (Q(started_date__isnull=True) | Q(started_date__lt=next_first))
        | Q(pk__in=drafts.values("finance_item_id"))
    )
    if ids is not None:
        items = items.filter(pk__in=ids)
    # Frozen and void statements are left as they are: their items' figures are not computed.
    settled = {pk for pk, status in existing.items() if status != StatementStatus.DRAFT}
    for pk in settled if ids is None else settled.intersection(ids):
        if existing[pk] == StatementStatus.VOID:
            report.void += 1
        else:
            report.frozen += 1
    items = items.exclude(
        pk__in=PayoutStatement.objects.filter(month=month)
        .exclude(status=StatementStatus.DRAFT)
        .values("finance_item_id")
    )
    for item in with_month_figures(items.order_by("pk"), month, now=now):
        status = existing.get(item.pk)
        figures = statement_figures(item, month)
        if status == StatementStatus.DRAFT:
            report.updated += _update_draft(item.pk, month, figures, now=now)
            continue
        try:
            with transaction.atomic():
                statement = PayoutStatement.objects.create(
                    finance_item=item,
                    month=month,
                    **figures,
                    amount_due=figures["computed"],
                    computed_at=now,
                )
                _event(statement, EventKind.CREATED, user=None, at=now, to_status="draft")
            report.created += 1
        except IntegrityError:  # created meanwhile by another run: update it if still a draft
            report.updated += _update_draft(item.pk, month, figures, now=now)


def _update_draft(item_id: int, month: date, figures: dict, *, now: datetime) -> int:
    """Write the figures on the statement only while it is a draft (one conditional UPDATE: a
    statement approved meanwhile is not touched)."""
    return PayoutStatement.objects.filter(
        finance_item_id=item_id, month=month, status=StatementStatus.DRAFT
    ).update(
        **figures,
        amount_due=F("adjustment") + figures["computed"],
        computed_at=now,
        updated_at=now,
    )


def statement_recompute(
    *, statement: PayoutStatement | int, now: datetime | None = None
) -> PayoutStatement:
    """Recompute one draft statement as of `now`, whatever its month (the job does only this
    and last month's). Its adjustment is kept; a frozen or void statement is refused."""
    now = now or timezone.now()
    pk = statement.pk if isinstance(statement, PayoutStatement) else statement
    statement = PayoutStatement.objects.select_related("finance_item").filter(pk=pk).first()
    if statement is None:
        raise NotFoundError("This statement does not exist.")
    _require(statement, (StatementStatus.DRAFT,), "recompute")
    figures = figures_for(statement.finance_item, statement.month, now=now)
    if not _update_draft(statement.finance_item_id, statement.month, figures, now=now):
        raise DomainError(f"Statement {statement} was approved meanwhile: it keeps its figures.")
    statement.refresh_from_db()
    return statement


def _item_drafts_recompute(item_id: int, *, now: datetime) -> int:
    """An item's draft statements recomputed after its terms changed (a handful of rows)."""
    drafts = PayoutStatement.objects.filter(finance_item_id=item_id, status=StatementStatus.DRAFT)
    months = list(drafts.values_list("month", flat=True))
    item = FinanceItem.objects.get(pk=item_id)
    for month in months:
        _update_draft(item_id, month, figures_for(item, month, now=now), now=now)
    return len(months)


# --- The lifecycle ----------------------------------------------------------------------------


def _event(
    statement: PayoutStatement,
    kind: str,
    *,
    user,
    at: datetime,
    from_status: str = "",
    to_status: str = "",
    **fields,
) -> StatementEvent:
    return StatementEvent.objects.create(
        statement=statement,
        kind=kind,
        actor=user if getattr(user, "pk", None) else None,
        at=at,
        from_status=from_status,
        to_status=to_status,
        amount_due=statement.amount_due,
        **fields,
    )


def _locked(statement: PayoutStatement | int) -> PayoutStatement:
    """The statement, re-read and locked for the rest of the transaction."""
    pk = statement.pk if isinstance(statement, PayoutStatement) else statement
    try:
        return PayoutStatement.objects.select_for_update().select_related("finance_item").get(pk=pk)
    except PayoutStatement.DoesNotExist:
        raise NotFoundError("This statement does not exist.") from None


def _require(statement: PayoutStatement, allowed: tuple[str, ...], action: str) -> None:
    if statement.status not in allowed:
        names = " or ".join(StatementStatus(s).label.lower() for s in allowed)
        raise DomainError(
            f"Cannot {action} statement {statement}: it is"
            f" {statement.get_status_display().lower()}. Only {names} statements can be"
            f" {_past(action)}.",
            code="invalid_status",
        )


def _past(action: str) -> str:
    return {
        "approve": "approved",
        "adjust": "adjusted",
        "pay": "paid",
        "void": "voided",
        "recompute": "recomputed",
    }[action]


# Amounts are stored with 14 digits, 2 after the point (finance.models.money_field).
LARGEST_AMOUNT = Decimal("999999999999.99")


def _money(value, name: str) -> Decimal:
    try:
        amount = to_money(value)
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError(
            f"{value!r} is not an amount.", fields={name: ["A number, e.g. 12.50."]}
        ) from None
    _require_storable(amount, name)
    return amount


def _require_storable(amount: Decimal, name: str) -> None:
    if not amount.is_finite() or abs(amount) > LARGEST_AMOUNT:
        message = f"At most {LARGEST_AMOUNT:,} either way."
        raise DomainError(f"{name}: {message}", fields={name: [message]})


@transaction.atomic
def statement_approve(*, statement: PayoutStatement, user, now: datetime | None = None):
    """Approve a draft: its figures are frozen from now on."""
    now = now or timezone.now()
    statement = _locked(statement)
    _require(statement, (StatementStatus.DRAFT,), "approve")
    statement.status = StatementStatus.APPROVED
    statement.approved_by = user if getattr(user, "pk", None) else None
    statement.approved_at = now
    statement.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    _event(
        statement, EventKind.APPROVED, user=user, at=now, from_status="draft", to_status="approved"
    )
    return statement


@transaction.atomic
def statement_adjust(
    *, statement: PayoutStatement, user, amount, reason: str, now: datetime | None = None
):
    """Set the statement's signed adjustment (it replaces the previous one) with a reason.

    On an approved statement the statement goes back to draft, to be approved again.
    """
    now = now or timezone.now()
    amount = _money(amount, "amount")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            "An adjustment needs a reason.", fields={"reason": ["This field is required."]}
        )
    statement = _locked(statement)
    _require(statement, (StatementStatus.DRAFT, StatementStatus.APPROVED), "adjust")
    previous = statement.status
    statement.adjustment = amount
    statement.adjustment_reason = reason
    statement.amount_due = statement.computed + amount
    _require_storable(statement.amount_due, "amount")  # the amount due it would make
    statement.status = StatementStatus.DRAFT
    statement.approved_by = None
    statement.approved_at = None
    statement.save(
        update_fields=[
            "adjustment",
            "adjustment_reason",
            "amount_due",
            "status",
            "approved_by",
            "approved_at",
            "updated_at",
        ]
    )
    _event(
        statement,
        EventKind.ADJUSTED,
        user=user,
        at=now,
        from_status=previous,
        to_status=statement.status,
        amount=amount,
        note=reason,
    )
    return statement


@transaction.atomic
def statement_mark_paid(
    *,
    statement: PayoutStatement,
    user,
    amount=None,
    method: str = "",
    reference: str = "",
    now: datetime | None = None,
):
    """Record a payment of `amount` (default: the whole balance) on an approved or partially
    paid statement. Partial payments are allowed (the statement stays partially paid until
    its balance is 0); paying more than the balance is not."""
    now = now or timezone.now()
    statement = _locked(statement)
    if statement.status == StatementStatus.PAID and statement.balance <= 0:
        raise DomainError(f"Statement {statement} is already paid in full.", code="invalid_status")
    _require(statement, (StatementStatus.APPROVED, StatementStatus.PARTIALLY_PAID), "pay")
    balance = statement.balance
    amount = balance if amount in (None, "") else _money(amount, "amount")
    if amount <= 0 and balance > 0:
        raise DomainError("A payment must be more than 0.", fields={"amount": ["More than 0."]})
    if amount > balance:
        raise DomainError(
            f"The payment ({amount}) is more than the balance ({balance}).",
            fields={"amount": [f"At most {balance}."]},
        )
    method = (method or "").strip() or statement.finance_item.payment_method
    previous = statement.status
    statement.paid_amount += amount
    statement.status = (
        StatementStatus.PAID if statement.balance <= 0 else StatementStatus.PARTIALLY_PAID
    )
    statement.paid_at = now
    statement.paid_by = user if getattr(user, "pk", None) else None
    statement.payment_method = method
    statement.payment_reference = (reference or "").strip()
    statement.save(
        update_fields=[
            "status",
            "paid_amount",
            "paid_at",
            "paid_by",
            "payment_method",
            "payment_reference",
            "updated_at",
        ]
    )
    _event(
        statement,
        EventKind.PAID,
        user=user,
        at=now,
        from_status=previous,
        to_status=statement.status,
        amount=amount,
        payment_method=method,
        payment_reference=statement.payment_reference,
    )
    _item_paid_follow(statement.finance_item_id)
    return statement


def _item_paid_follow(item_id: int) -> None:
    """The item's `last_paid_date` and `paid_amount`: its latest payment's day (agency time)
    and what was paid on that statement."""
    latest = (
        PayoutStatement.objects.filter(finance_item_id=item_id, paid_at__isnull=False)
        .order_by("-paid_at", "-pk")
        .first()
    )
    FinanceItem.objects.filter(pk=item_id).update(
        last_paid_date=windows.local_date(latest.paid_at) if latest else None,
        paid_amount=latest.paid_amount if latest else None,
    )


@transaction.atomic
def statement_void(
    *, statement: PayoutStatement, user, reason: str = "", now: datetime | None = None
):
    """Void a draft or approved statement; the row stays and the job leaves it alone."""
    now = now or timezone.now()
    statement = _locked(statement)
    _require(statement, (StatementStatus.DRAFT, StatementStatus.APPROVED), "void")
    previous = statement.status
    statement.status = StatementStatus.VOID
    statement.voided_by = user if getattr(user, "pk", None) else None
    statement.voided_at = now
    statement.void_reason = (reason or "").strip()
    statement.save(update_fields=["status", "voided_by", "voided_at", "void_reason", "updated_at"])
    _event(
        statement,
        EventKind.VOIDED,
        user=user,
        at=now,
        from_status=previous,
        to_status="void",
        note=statement.void_reason,
    )
    return statement


# --- Finance items: the payee agreements ---------------------------------------------------------

# The terms a statement is computed from: changing one recomputes the item's drafts.
FINANCE_ITEM_TERMS = frozenset(
    {
        "currency",
        "base_monthly_pay",
        "expected_monthly_posting_volume",
        "rate_per_1k_views",
        "prorate_by_volume",
        "started_date",
    }
)

# What people edit on a finance item; last_paid_date and paid_amount follow the payments.
FINANCE_ITEM_FIELDS = (
    "code",
    "payee_name",
    "payment_method",
    "phone_number",
    "payment_details",
    "currency",
    "base_monthly_pay",
    "expected_monthly_posting_volume",
    "rate_per_1k_views",
    "prorate_by_volume",
    "started_date",
    "is_active",
    "notes",
)


def finance_item_save(
    *, item: FinanceItem, actor, fields: Iterable[str] | None = None
) -> FinanceItem:
    """Create `item`, or save the `fields` changed on it (all editable ones by default):
    validated, never writing back the payment figures, and recorded in the audit trail. When
    its terms change, its draft statements are recomputed at once."""
    fields = [name for name in (fields or FINANCE_ITEM_FIELDS) if name in FINANCE_ITEM_FIELDS]
    creating = item.pk is None
    before = {} if creating else audit_values(FinanceItem.objects.get(pk=item.pk), fields)
    item.full_clean()
    with transaction.atomic():
        if creating:
            item.save()
        elif fields:
            item.save(update_fields=[*fields, "updated_at"])
        audit_record(
            actor=actor,
            obj=item,
            before=before,
            after=audit_values(item, FINANCE_ITEM_FIELDS if creating else fields),
            action="create" if creating else "update",
        )
        if not creating and FINANCE_ITEM_TERMS.intersection(fields):
            _item_drafts_recompute(item.pk, now=timezone.now())
    return item
