"""Bulk writes: the shape of "add many things by URL" answers (one result per pasted URL, in
order), and updates of many rows at once."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import Model, QuerySet

from core.errors import ConflictError

BATCH_SIZE = 1000

CREATED = "created"
EXISTS = "exists"
INVALID = "invalid"


@dataclass
class AddResult:
    """What happened to one pasted URL: created, already there (exists), or invalid."""

    url: str
    status: str = INVALID
    obj: Any = None
    error: str = ""


def hide_rows_not_visible(results: Sequence[AddResult], visible: QuerySet) -> None:
    """Drop from the `exists` results the rows that are not in `visible` (what the caller may
    see): adding a URL that someone else's row already tracks answers `exists` and nothing
    more, not its id, nor a link, nor its data."""
    existing = [r for r in results if r.status == EXISTS and r.obj is not None]
    pks = list({result.obj.pk for result in existing})
    seen = set()
    for start in range(0, len(pks), BATCH_SIZE):
        batch = pks[start : start + BATCH_SIZE]
        seen.update(visible.filter(pk__in=batch).values_list("pk", flat=True))
    for result in existing:
        if result.obj.pk not in seen:
            result.obj = None


def already_tracked_error(model: type[Model]) -> ConflictError:
    """The answer to adding one URL whose row the caller may not see (see hide_rows_not_visible)."""
    meta = model._meta
    message = (
        f"This {meta.verbose_name} is already tracked, but it is not among the "
        f"{meta.verbose_name_plural} you can see: nothing was changed."
    )
    return ConflictError(message, code="already_tracked", fields={"url": [message]})


def bulk_update_rows(
    objs: Sequence[Model], fields: Sequence[str], *, batch_size: int = BATCH_SIZE
) -> None:
    """Write `fields` of each of `objs` (same model) to its row: `bulk_update()`, as one
    `UPDATE … FROM unnest(<one array per column>)` per batch on PostgreSQL.

    Django's bulk_update writes a `CASE WHEN id = … THEN …` per field and row: building it
    costs more than the update itself, and the database evaluates every CASE for every row.
    Arrays keep the statement the same size whatever the batch. Other databases keep
    Django's bulk_update.
    """
    if not objs:
        return
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(objs, fields, batch_size=batch_size)
        return
    meta = model._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in columns[1:])
    arrays = ", ".join(f"%s::{f.cast_db_type(connection)}[]" for f in columns)
    names = ", ".join(quote(f.column) for f in columns)
    sql = (
        f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS v ({names}) "
        f"WHERE {table}.{pk} = v.{pk}"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            batch = objs[start : start + batch_size]
            cursor.execute(
                sql,
                [
                    [f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in batch]
                    for f in columns
                ],
            )
