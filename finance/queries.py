"""Reads of the finance app: the monthly figures of finance items (in SQL, from the metric
definitions of posts.metrics and finance.metrics), the payments board and the post
monetization breakdown."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from core import windows
from core.errors import DomainError
from creators.models import Account
from posts.metrics import views_gained_in
from posts.models import Post

from .amounts import ZERO, allocate, statement_amounts
from .choices import StatementStatus
from .metrics import counts_toward_item, finance_item_posting_volume, month_kpi_status
from .models import FinanceItem, PayoutStatement

# ASCII digits only: `\d` and int() also read other scripts' digits (fullwidth "2026-12").
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
# Years whose months (and the months around them) a date can hold: there is no year 0 and no
# month after December 9999. Wide enough for any real statement.
FIRST_YEAR, LAST_YEAR = 1900, 2999


# --- Months -----------------------------------------------------------------------------------


def parse_month(text: str) -> date:
    """ "YYYY-MM" (ASCII digits, years FIRST_YEAR to LAST_YEAR) as the 1st of that month;
    DomainError naming `month` otherwise. The one month parser of the API, the admin and the
    exports."""
    match = _MONTH.fullmatch(text or "")
    year, month = (int(match[1]), int(match[2])) if match else (0, 0)
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        accepted = f"YYYY-MM, from {FIRST_YEAR}-01 to {LAST_YEAR}-12"
        raise DomainError(
            f"Month {text!r} is not valid: use {accepted}, e.g. 2026-03.",
            fields={"month": [f"{accepted}."]},
        )
    return date(year, month, 1)


def month_of(moment: datetime) -> date:
    """The 1st of the month of `moment`, in the agency's time zone."""
    return windows.local_date(moment).replace(day=1)


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


def month_window(month: date) -> windows.Window:
    """`[1st of the month, 1st of the next month)` in the agency's time zone."""
    return windows.month_bounds(month.year, month.month)


def default_board_month(now: datetime | None = None) -> date:
    """The payments board opens on last month (the one being paid)."""
    return previous_month(month_of(now or timezone.now()))


# --- Monthly figures --------------------------------------------------------------------------


def counted_posts_of(item_id: int) -> QuerySet:
    """The posts counted toward a finance item (specs/finance.md), whenever published."""
    return Post.objects.filter(counts_toward_item(item_id))


def with_month_figures(items: QuerySet, month: date, *, now: datetime) -> QuerySet:
    """Annotate a FinanceItem queryset with `month_posting_volume`, `month_views_generated`
    and `month_kpi_status` for `month` as of `now` (a current month's window ends at `now`).

    Two correlated aggregates per item, computed by the database from the shared definitions.
    """
    window = month_window(month)
    start, end = window
    volume = Coalesce(finance_item_posting_volume(start, end, item="pk"), Value(0))
    gained = (
        Post.objects.filter(counts_toward_item(OuterRef("pk")))
        .order_by()
        .annotate(total=Func(views_gained_in(window, now=now), function="SUM"))
        .values("total")
    )
    elapsed, length = windows.elapsed_fraction(now, window)
    return items.annotate(
        month_posting_volume=volume,
        month_views_generated=Coalesce(Subquery(gained, output_field=BigIntegerField()), Value(0)),
        month_kpi_status=month_kpi_status(
            volume, F("expected_monthly_posting_volume"), elapsed_s=elapsed, length_s=length
        ),
    )


def statement_figures(item: FinanceItem, month: date) -> dict:
    """A statement's figures from an item annotated by `with_month_figures`."""
    amounts = statement_amounts(
        base_monthly_pay=item.base_monthly_pay,
        started_date=item.started_date,
        month=month,
        prorate_by_volume=item.prorate_by_volume,
        expected=item.expected_monthly_posting_volume,
        posting_volume=item.month_posting_volume,
        rate_per_1k_views=item.rate_per_1k_views,
        views_generated=item.month_views_generated,
    )
    return {
        "posting_volume": item.month_posting_volume,
        "expected_posting_volume": item.expected_monthly_posting_volume,
        "views_generated": item.month_views_generated,
        "kpi_status": item.month_kpi_status,
        "base": amounts.base,
        "variable": amounts.variable,
        "computed": amounts.computed,
        "currency": item.currency,
    }


def figures_for(item: FinanceItem, month: date, *, now: datetime | None = None) -> dict:
    """One item's figures for `month` as of `now`, without writing anything."""
    annotated = with_month_figures(
        FinanceItem.objects.filter(pk=item.pk), month, now=now or timezone.now()
    ).get()
    return statement_figures(annotated, month)


# --- Payments board ---------------------------------------------------------------------------


def accounts_count() -> Subquery:
    """For a queryset naming a finance item in `finance_item_id`: its accounts."""
    accounts = (
        Account.objects.filter(finance_item_id=OuterRef("finance_item_id"))
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return Subquery(accounts, output_field=BigIntegerField())


def board_statements(month: date, *, statuses=None) -> QuerySet:
    """The payments board: one statement per finance item for `month`, with its payee and its
    accounts count."""
    queryset = (
        PayoutStatement.objects.filter(month=month)
        .select_related("finance_item", "approved_by", "paid_by")
        .annotate(accounts_count=accounts_count())
        .order_by("finance_item__code")
    )
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    return queryset


def statement_balance() -> Case:
    """What remains to pay on a statement, in SQL (`PayoutStatement.balance`): the amount due
    less what was paid, 0 for a void statement."""
    return Case(
        When(status=StatementStatus.VOID, then=Value(ZERO)),
        default=F("amount_due") - F("paid_amount"),
        output_field=PayoutStatement._meta.get_field("amount_due"),
    )


def with_balance_owed(statements: QuerySet) -> QuerySet:
    return statements.annotate(balance_owed=statement_balance())


def board_totals(statements: QuerySet) -> dict:
    totals = statements.exclude(status=StatementStatus.VOID).aggregate(
        amount_due=Sum("amount_due"), paid_amount=Sum("paid_amount"), count=Count("pk")
    )
    totals["amount_due"] = totals["amount_due"] or ZERO
    totals["paid_amount"] = totals["paid_amount"] or ZERO
    totals["balance"] = totals["amount_due"] - totals["paid_amount"]
    return totals


def finance_items_table() -> QuerySet:
    """The finance table: each item with its creator count and its latest statement's
    figures (the current month's draft once the payments job has run)."""
    latest = (
        PayoutStatement.objects.filter(finance_item_id=OuterRef("pk"))
        .exclude(status=StatementStatus.VOID)
        .order_by("-month")
    )
    creators = (
        Account.objects.filter(finance_item_id=OuterRef("pk"))
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return FinanceItem.objects.annotate(
        creator_count=Coalesce(Subquery(creators, output_field=BigIntegerField()), Value(0)),
        latest_month=Subquery(latest.values("month")[:1]),
        latest_posting_volume=Subquery(latest.values("posting_volume")[:1]),
        latest_views_generated=Subquery(latest.values("views_generated")[:1]),
        latest_amount_due=Subquery(latest.values("amount_due")[:1]),
    )


# --- Post monetization breakdown --------------------------------------------------------------


@dataclass(frozen=True)
class BreakdownRow:
    post: Post
    in_month: bool  # published in the month: counts in the posting volume
    gained: int
    share_of_views: Decimal | None  # a fraction of views_generated (None when it is <= 0)
    variable_share: Decimal

    @property
    def share_percent(self) -> Decimal | None:
        if self.share_of_views is None:
            return None
        return (self.share_of_views * 100).quantize(Decimal("0.01"))


# The figures a draft's breakdown compares with the statement's to say it is out of date.
STALE_FIGURES = ("posting_volume", "views_generated", "base", "variable", "computed")


@dataclass(frozen=True)
class Breakdown:
    item: FinanceItem
    month: date
    as_of: datetime
    statement: PayoutStatement | None
    rows: list[BreakdownRow]
    posting_volume: int
    views_generated: int
    variable: Decimal
    # A draft's figures as of `as_of` (None for a frozen statement, which keeps its own).
    live: dict | None = None

    @property
    def adds_up(self) -> bool:
        """The rows give the statement's figures (always for a draft, whose rows are computed
        as of now; for a frozen statement unless posts were reassigned or snapshots backfilled
        after it was computed)."""
        if self.statement is None or self.live is not None:
            return True
        return (
            self.posting_volume == self.statement.posting_volume
            and self.views_generated == self.statement.views_generated
            and self.variable == self.statement.variable
        )

    @property
    def stale(self) -> bool:
        """A draft whose inputs (posts, snapshots, the item's terms) changed since it was
        computed: its figures are not the ones shown; a recompute brings them up to date."""
        if self.statement is None or self.live is None:
            return False
        return any(getattr(self.statement, name) != self.live[name] for name in STALE_FIGURES)

    @property
    def live_amount_due(self) -> Decimal | None:
        """A draft's amount due as of `as_of`, with its adjustment."""
        if self.statement is None or self.live is None:
            return None
        return self.live["computed"] + self.statement.adjustment


def statement_breakdown(
    item: FinanceItem, month: date, *, now: datetime | None = None
) -> Breakdown:
    """Each post counted toward `item` that was published in `month` or gained views in it:
    its `gained(views, month)`, its share of the month's views and of the variable pay.

    A frozen statement (approved, paid, void) is shown as of its `computed_at` with its own
    variable; a draft, or a month without statement, as of `now` (a draft's `stale` says when
    its stored figures differ). The variable is split in whole cents that add up to it exactly.
    """
    statement = PayoutStatement.objects.filter(finance_item=item, month=month).first()
    frozen = statement is not None and statement.is_frozen
    as_of = (statement.computed_at if frozen else None) or (now or timezone.now())
    window = month_window(month)
    start, end = window
    posts = list(
        counted_posts_of(item.pk)
        .annotate(gained=Coalesce(views_gained_in(window, now=as_of), Value(0)))
        .filter(
            ~Q(gained=0) | Q(post_date__gte=start, post_date__lt=end),
        )
        .select_related("account")
        .order_by("-gained", "-post_date", "pk")
    )
    views_generated = sum(post.gained for post in posts)
    posting_volume = sum(1 for post in posts if _in_window(post.post_date, window))
    live = None if frozen else figures_for(item, month, now=as_of)
    variable = statement.variable if frozen else live["variable"]
    if views_generated > 0 and variable:
        shares = allocate(variable, [post.gained for post in posts])
    else:
        shares = [ZERO] * len(posts)
    rows = [
        BreakdownRow(
            post=post,
            in_month=_in_window(post.post_date, window),
            gained=post.gained,
            share_of_views=(
                Decimal(post.gained) / Decimal(views_generated) if views_generated > 0 else None
            ),
            variable_share=share,
        )
        for post, share in zip(posts, shares, strict=True)
    ]
    return Breakdown(
        item=item,
        month=month,
        as_of=as_of,
        statement=statement,
        rows=rows,
        posting_volume=posting_volume,
        views_generated=views_generated,
        variable=variable,
        live=live if statement is not None else None,
    )


def _in_window(moment: datetime | None, window: windows.Window) -> bool:
    return moment is not None and window[0] <= moment < window[1]


# --- CSV export -------------------------------------------------------------------------------

# A statement's figures, in the order the API and the export show them.
STATEMENT_FIGURES = (
    "posting_volume",
    "expected_posting_volume",
    "views_generated",
    "kpi_status",
    "base",
    "variable",
    "computed",
    "adjustment",
    "adjustment_reason",
    "amount_due",
    "paid_amount",
    "balance",
)

CSV_HEADER = (
    "month",
    "finance_item",
    "payee",
    "accounts",
    "currency",
    *STATEMENT_FIGURES,
    "status",
    "paid_at",
    "payment_method",
    "payment_reference",
)


def statement_csv_rows(statements: QuerySet, *, hidden: Collection[str] = ()):
    """The export: a header, then one row per statement (money as plain 2-place decimals).
    The `hidden` columns (the statement fields a user may not see: how it was paid, see
    settings_app.access) are left out."""
    keep = [index for index, name in enumerate(CSV_HEADER) if name not in hidden]
    yield tuple(CSV_HEADER[index] for index in keep)
    for s in statements.annotate(accounts_count=accounts_count()).select_related("finance_item"):
        row = (
            f"{s.month:%Y-%m}",
            s.finance_item.code,
            s.finance_item.payee_name,
            s.accounts_count or 0,
            s.currency,
            s.posting_volume,
            "" if s.expected_posting_volume is None else s.expected_posting_volume,
            s.views_generated,
            s.kpi_status,
            s.base,
            s.variable,
            s.computed,
            s.adjustment,
            s.adjustment_reason,
            s.amount_due,
            s.paid_amount,
            s.balance,
            s.status,
            timezone.localtime(s.paid_at).isoformat() if s.paid_at else "",
            s.payment_method,
            s.payment_reference,
        )
        yield tuple(row[index] for index in keep)
