"""Bulk writes: the shape of "add many things by URL" answers (one result per pasted URL, in
order), and updates of many rows at once."""

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connections, models, router
from django.db.models import Case, F, Field, Model, QuerySet, Value, When

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
    `UPDATE … FROM unnest(<one array per column>)` per batch on PostgreSQL (`rows_update`).

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
    attnames = [model._meta.get_field(name).attname for name in fields]
    rows = [(obj.pk, *(getattr(obj, name) for name in attnames)) for obj in objs]
    rows_update(model, fields, rows, batch_size=batch_size)


def rows_update(
    model: type[Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    same: Mapping[str, Any] | None = None,
    keep_if_none: Collection[str] = (),
    batch_size: int = BATCH_SIZE,
) -> None:
    """Write each of `rows` (a primary key, then the values of `fields`; a foreign key's id)
    to its row of `model`, and `same` (field -> value) to every one of them alike; a None in
    one of the `keep_if_none` fields keeps that row's current value. No model instance, and
    each value alike is sent once: on PostgreSQL one `UPDATE … FROM unnest(<one array per
    field>)` per batch; elsewhere one `UPDATE … CASE WHEN` per batch, as bulk_update writes.
    """
    if not rows:
        return
    same = same or {}
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    varying = [meta.get_field(name) for name in fields]
    alike = [(meta.get_field(name), value) for name, value in same.items()]
    if connection.vendor != "postgresql":
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            changes = {field.name: value for field, value in alike}
            for i, field in enumerate(varying, 1):
                whens = [
                    When(
                        pk=row[0],
                        then=F(field.name)
                        if row[i] is None and field.name in keep_if_none
                        else Value(row[i], output_field=field),
                    )
                    for row in batch
                ]
                changes[field.name] = Case(*whens, output_field=field)
            model._default_manager.filter(pk__in=[row[0] for row in batch]).update(**changes)
        return
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    assignments = [
        f"{quote(f.column)} = COALESCE(v.{quote(f.column)}, {table}.{quote(f.column)})"
        if f.name in keep_if_none
        else f"{quote(f.column)} = v.{quote(f.column)}"
        for f in varying
    ]
    assignments += [f"{quote(f.column)} = {_cast(f, connection)}" for f, _ in alike]
    columns = [meta.pk, *varying]
    arrays = ", ".join(f"%s::{f.cast_db_type(connection)}[]" for f in columns)
    names = ", ".join(quote(f.column) for f in columns)
    sql = (
        f"UPDATE {table} SET {', '.join(assignments)} FROM unnest({arrays}) AS v ({names}) "
        f"WHERE {table}.{pk} = v.{pk}"
    )
    constants = [f.get_db_prep_save(value, connection) for f, value in alike]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            cursor.execute(sql, [*constants, *_arrays(columns, batch, connection)])


def rows_insert(
    model: type[Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    same: Mapping[str, Any] | None = None,
    ignore_conflicts: bool = False,
    batch_size: int = BATCH_SIZE,
) -> None:
    """Insert `rows` (the values of `fields`; a foreign key's id) into `model`'s table, with
    `same` (field -> value) alike in every one; with `ignore_conflicts`, a row that breaks a
    unique constraint is skipped. No model instance, no `pre_save` (give every value the row
    needs): on PostgreSQL one `INSERT … SELECT FROM unnest(<one array per field>)` per batch;
    elsewhere bulk_create.
    """
    if not rows:
        return
    same = same or {}
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        names = [meta.get_field(name).attname for name in fields]
        model._default_manager.bulk_create(
            [model(**dict(zip(names, row, strict=True)), **same) for row in rows],
            ignore_conflicts=ignore_conflicts,
            batch_size=batch_size,
        )
        return
    quote = connection.ops.quote_name
    varying = [meta.get_field(name) for name in fields]
    alike = [(meta.get_field(name), value) for name, value in same.items()]
    columns = ", ".join(quote(f.column) for f in (*varying, *(f for f, _ in alike)))
    selected = [f"v.{quote(f.column)}" for f in varying]
    selected += [_cast(f, connection) for f, _ in alike]
    arrays = ", ".join(f"%s::{f.cast_db_type(connection)}[]" for f in varying)
    names = ", ".join(quote(f.column) for f in varying)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) SELECT {', '.join(selected)} "
        f"FROM unnest({arrays}) AS v ({names})"
        + (" ON CONFLICT DO NOTHING" if ignore_conflicts else "")
    )
    constants = [f.get_db_prep_save(value, connection) for f, value in alike]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            cursor.execute(sql, [*constants, *_arrays(varying, batch, connection)])


def _cast(field: Field, connection) -> str:
    return f"%s::{field.cast_db_type(connection)}"


def _arrays(columns: Sequence[Field], rows: Sequence[Sequence[Any]], connection) -> list:
    """One list per column of the values of `rows` (column i is row[i]), prepared for the
    database."""
    return [
        _prepared(field, [row[i] for row in rows], connection) for i, field in enumerate(columns)
    ]


def _is_aware(value: Any) -> bool:
    return type(value) is datetime and value.utcoffset() is not None


# The fields whose preparation returns a value of this type unchanged (the SQL casts each
# array to the column's type). Exact classes: a subclass may prepare its values otherwise.
_UNCHANGED_BY_PREPARATION: dict[type[Field], Callable[[Any], bool]] = {
    **dict.fromkeys(
        (
            models.AutoField,
            models.BigAutoField,
            models.IntegerField,
            models.BigIntegerField,
            models.PositiveIntegerField,
        ),
        lambda value: type(value) is int,
    ),
    **dict.fromkeys((models.CharField, models.TextField), lambda value: type(value) is str),
    models.DateTimeField: _is_aware,
}


def _prepared(field: Field, values: list, connection) -> list:
    """`values` of one column of `field`, prepared for the database: as they are when each is
    what the field's preparation would return unchanged (an int for an integer, a str for a
    text, an aware datetime; None), else each through the field's preparation. One check a
    value instead of the five calls of a preparation: a batch's arrays are mostly counters."""
    target = field.target_field if field.is_relation else field
    unchanged = _UNCHANGED_BY_PREPARATION.get(type(target))
    if unchanged is not None and all(value is None or unchanged(value) for value in values):
        return values
    return [field.get_db_prep_save(value, connection) for value in values]
