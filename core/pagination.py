"""Counting the rows of lists that grow to millions, for the admin's and the API's pages."""

from __future__ import annotations

import json
import time

from django.db import connections
from django.db.models import QuerySet

# Up to this many rows a list is counted exactly; beyond, the planner's estimate is taken.
EXACT_COUNT_LIMIT = 10_000


# A table's estimate, per process: (database alias, table) -> (estimate, read at).
_TABLE_ESTIMATES: dict[tuple[str, str], tuple[int, float]] = {}
# It only changes when (auto)VACUUM or ANALYZE runs: read again after this many seconds.
ESTIMATE_SECONDS = 60


def table_row_estimate(queryset: QuerySet) -> int | None:
    """The planner's row estimate of the queryset's table (PostgreSQL), or None.

    Kept ESTIMATE_SECONDS per process: an unfiltered page then runs no statement to learn it.
    A stale one is harmless: past the limit the count is an estimate anyway, below it the
    list is counted exactly (at most limit + 1 rows), whatever the table holds by then."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    key = (queryset.db, queryset.model._meta.db_table)
    kept = _TABLE_ESTIMATES.get(key)
    if kept is not None and time.monotonic() - kept[1] < ESTIMATE_SECONDS:
        return kept[0]
    estimate = _read_table_row_estimate(connection, queryset)
    if estimate is not None:
        _TABLE_ESTIMATES[key] = (estimate, time.monotonic())
    return estimate


def _read_table_row_estimate(connection, queryset: QuerySet) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(queryset.model._meta.db_table)],
        )
        row = cursor.fetchone()
    # -1 means "never analyzed": no estimate.
    return int(row[0]) if row and row[0] is not None and row[0] >= 0 else None


def query_row_estimate(queryset: QuerySet) -> int | None:
    """The planner's estimate of the rows the (filtered) queryset returns (PostgreSQL)."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    if queryset.query.is_empty():
        return 0
    rows = queryset.order_by()
    if rows.query.default_cols and rows.query.group_by is None and not rows.query.distinct:
        # The planner's row estimate depends on the joins and conditions, not on the columns
        # selected: explaining the id alone compiles and plans a fraction of the wide list.
        rows = rows.values("pk")
    plan = rows.explain(format="json")
    if not plan:
        # Django found the filter can match nothing (views ≥ 10^400 on a bigint) and ran no
        # query, so there is no plan.
        return 0
    plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def bounded_count(queryset: QuerySet, *, limit: int = EXACT_COUNT_LIMIT) -> tuple[int, bool]:
    """(count, exact): the exact count of up to `limit` rows, the planner's estimate beyond.

    Counting a million rows takes longer than showing the page. An unfiltered list of a big
    table takes the table's estimate at once; a filtered one the planner's estimate when it
    expects more than `limit` rows, else an exact count of at most `limit` + 1 rows (a bounded
    subquery). SQLite keeps no estimates: there the count is always exact.
    """
    postgresql = connections[queryset.db].vendor == "postgresql"
    query = queryset.query
    if not postgresql or query.combinator or query.is_sliced:
        return queryset.count(), True
    estimate = table_row_estimate(queryset) if not query.where else query_row_estimate(queryset)
    if estimate is not None and estimate > limit:
        return estimate, False
    # Only the primary key: the list's annotations (joins) play no part in a count.
    counted = queryset.order_by().values("pk")[: limit + 1].count()
    if counted <= limit:
        return counted, True
    return limit + 1, False
