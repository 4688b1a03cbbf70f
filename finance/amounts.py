"""The money of specs/finance.md: pure Decimal arithmetic, rounded half-up, never a float.

The figures it starts from (posting volume, views generated, KPI status) are computed in the
database by finance.queries; this module only turns them into amounts.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def to_money(value) -> Decimal:
    """A user's amount (str, int or Decimal; never a float) as a 2-place Decimal, half-up."""
    if isinstance(value, float):
        raise TypeError("Money is never a float: pass a Decimal or a string.")
    return round_half_up(Decimal(value))


def active_fraction(started: date | None, month: date) -> Decimal:
    """The part of `month` the agreement was active: 1, or when `started` falls inside the
    month, (days from `started` to the month's end, both included) / days in the month; 0 when
    it starts after the month."""
    days = calendar.monthrange(month.year, month.month)[1]
    last = month.replace(day=days)
    if started is None or started <= month:
        return Decimal(1)
    if started > last:
        return Decimal(0)
    return Decimal((last - started).days + 1) / Decimal(days)


@dataclass(frozen=True)
class Amounts:
    base: Decimal  # rounded half-up to 2 places, for storage
    variable: Decimal  # idem
    computed: Decimal  # round_half_up(unrounded base + unrounded variable, 2)


def statement_amounts(
    *,
    base_monthly_pay: Decimal,
    started_date: date | None,
    month: date,
    prorate_by_volume: bool,
    expected: int | None,
    posting_volume: int,
    rate_per_1k_views: Decimal | None,
    views_generated: int,
) -> Amounts:
    """Steps 1-4 of "Amount due for month M" (the adjustment is the statement's own)."""
    base = Decimal(base_monthly_pay) * active_fraction(started_date, month)
    if prorate_by_volume and expected:
        base *= min(Decimal(1), Decimal(posting_volume) / Decimal(expected))
    variable = Decimal(0)
    if rate_per_1k_views:
        variable = Decimal(rate_per_1k_views) * Decimal(max(views_generated, 0)) / Decimal(1000)
    return Amounts(
        base=round_half_up(base),
        variable=round_half_up(variable),
        computed=round_half_up(base + variable),
    )


def allocate(total: Decimal, weights: Sequence[int]) -> list[Decimal]:
    """Split `total` (2 places) in proportion to integer `weights` (of any sign, non-zero sum),
    in whole cents that add up to `total` exactly (largest remainder)."""
    weight_sum = sum(weights)
    if not weights or weight_sum == 0:
        raise ValueError("Cannot split over weights that sum to 0.")
    exact = [Decimal(total) * Decimal(w) / Decimal(weight_sum) for w in weights]
    floors = [value.quantize(CENT, rounding=ROUND_FLOOR) for value in exact]
    left = int((Decimal(total) - sum(floors, ZERO)) / CENT)
    by_remainder = sorted(range(len(exact)), key=lambda i: (floors[i] - exact[i], i))
    for index in by_remainder[:left]:
        floors[index] += CENT
    return floors
