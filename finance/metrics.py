"""Finance's rules on posts and accounts (specs/finance.md): which posts count toward a
finance item, its posting volume, its KPI status, and the accounts' `kpi_status`.

Each rule is written once, as an ORM expression: statements, breakdowns and the accounts'
recompute all use these (the accounts' statement compiles them to SQL).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual
from django.utils import timezone

from creators.metrics import Method, Moments, account_metrics_recompute, counted_posts
from creators.models import Account, KpiStatus
from posts.models import Post

from .models import FinanceItem


def counts_toward_item(item) -> Q:
    """For a Post queryset: the posts counted toward the finance item `item` (an id or an
    outer reference): the post's own item, else its account's; never trial reels."""
    return counted_posts() & (
        Q(finance_item_id=item) | Q(finance_item__isnull=True, account__finance_item_id=item)
    )


def finance_item_posting_volume(start: datetime, end: datetime, *, item: str) -> Subquery:
    """Posts counted toward the finance item `item` (an outer reference) with `post_date` in
    `[start, end)`: the post's own item, else its account's; never trial reels."""
    counted = Post.objects.filter(
        counts_toward_item(OuterRef(item)), post_date__gte=start, post_date__lt=end
    ).order_by()
    return Subquery(
        counted.annotate(n=Func(F("pk"), function="COUNT")).values("n"),
        output_field=BigIntegerField(),
    )


def month_kpi_status(volume, expected, *, elapsed_s: int, length_s: int) -> Case:
    """A finance item's KPI status for a month, from its posting volume and target
    (expressions) and how much of the month has passed (`core.windows.elapsed_fraction`).

    `no_target` without a target (empty or 0). A month still running: `on_track` when the
    volume is at least the target times the elapsed part of the month, else `behind`. A closed
    month (`elapsed_s == length_s`): `met` when the volume reaches the target, else `missed`.
    """
    closed = elapsed_s >= length_s
    # volume >= expected * elapsed / length, in integers.
    reached = GreaterThanOrEqual(
        ExpressionWrapper(volume * Value(length_s), output_field=BigIntegerField()),
        ExpressionWrapper(expected * Value(elapsed_s), output_field=BigIntegerField()),
    )
    return Case(
        When(
            GreaterThan(Coalesce(expected, Value(0)), 0),
            then=Case(
                When(reached, then=Value(KpiStatus.MET if closed else KpiStatus.ON_TRACK)),
                default=Value(KpiStatus.MISSED if closed else KpiStatus.BEHIND),
            ),
        ),
        default=Value(KpiStatus.NO_TARGET),
    )


def account_kpi_status_recompute(
    *, account_ids: Iterable[int] | None = None, now: datetime | None = None
) -> int:
    """Write the accounts' `kpi_status` (all accounts when `None`): their finance item's
    status for the current month as of `now`, `no_target` without an item. One statement;
    each item's volume is counted once, however many accounts it pays for. Returns the
    number of accounts written."""
    moments = Moments.at(now or timezone.now())
    ids = None if account_ids is None else sorted({int(pk) for pk in account_ids})
    if ids == []:
        return 0
    volume = Coalesce(
        finance_item_posting_volume(moments.month, moments.next_month, item="pk"), Value(0)
    )
    items = FinanceItem.objects.annotate(
        status=month_kpi_status(
            volume,
            F("expected_monthly_posting_volume"),
            elapsed_s=moments.month_elapsed_s,
            length_s=moments.month_length_s,
        )
    )
    accounts = Account.objects.filter(pk__in=ids or ())
    if ids is not None:
        items = items.filter(pk__in=accounts.values("finance_item_id"))
    items_sql, items_params = items.order_by().values("pk", "status").query.sql_with_params()
    where, accounts_params = "", ()
    if ids is not None:
        accounts_sql, accounts_params = accounts.order_by().values("pk").query.sql_with_params()
        where = f"WHERE {Account._meta.db_table}.id IN ({accounts_sql})"
    table = Account._meta.db_table
    # Each item's status once: PostgreSQL would otherwise inline the CTE into the per-account
    # subquery and count an item's posts again for each of its accounts.
    materialized = "MATERIALIZED" if connection.vendor == "postgresql" else ""
    sql = f"""
    WITH item_status (id, status) AS {materialized} ({items_sql})
    UPDATE {table} SET kpi_status = COALESCE(
        (SELECT s.status FROM item_status s WHERE s.id = {table}.finance_item_id), %s
    )
    {where}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, (*items_params, str(KpiStatus.NO_TARGET), *accounts_params))
        return cursor.rowcount


def account_figures_recompute(
    *,
    account_ids: Iterable[int] | None = None,
    now: datetime | None = None,
    method: Method = "auto",
    workers: int | None = None,
) -> int:
    """Every figure of the given accounts (all when `None`) as of `now`: creators' metrics
    (`creators.metrics.account_metrics_recompute`, whose arguments these are), then finance's
    KPI status. Returns the number of accounts. The jobs, the command and the demo call this."""
    now = now or timezone.now()
    ids = None if account_ids is None else list(account_ids)
    recomputed = account_metrics_recompute(account_ids=ids, now=now, method=method, workers=workers)
    account_kpi_status_recompute(account_ids=ids, now=now)
    return recomputed
