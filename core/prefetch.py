"""Many-to-many values of a page of rows: in the page's own statement (PostgreSQL), or in one
small query per relation."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.postgres.aggregates import JSONBAgg
from django.db import connections
from django.db.models import F, Func, JSONField, Model, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL

# Where prefetch_related_values keeps them on each instance: {relation: [row tuple, ...]}.
RELATED_VALUES = "_related_values"


def prefetch_related_values(instances: Sequence[Model], relation: str, *fields: str) -> None:
    """Read `fields` of the rows each instance's many-to-many `relation` points to, in the
    related model's default order, in one query for all instances; they are kept on each
    instance as tuples (`related_values(obj, relation)`).

    For lists that show a few columns of the related rows (ids, names): `prefetch_related()`
    builds a model and a queryset per row, which costs more than the rest of the page.
    """
    if not instances:
        return
    field = type(instances[0])._meta.get_field(relation)
    source = field.m2m_field_name()  # the through table's FK to the instances' model
    target = field.m2m_reverse_field_name()  # … and to the related model
    rows = (
        field.remote_field.through._default_manager.filter(
            **{f"{source}__in": [obj.pk for obj in instances]}
        )
        .order_by(*_ordering(field, target))
        .values_list(f"{source}_id", *(f"{target}__{f}" for f in fields))
    )
    values: dict = {obj.pk: [] for obj in instances}
    for source_pk, *row in rows:
        values[source_pk].append(tuple(row))
    for obj in instances:
        obj.__dict__.setdefault(RELATED_VALUES, {})[relation] = (fields, values[obj.pk])


def _ordering(field, target: str) -> list:
    """The related model's default order (then its primary key), seen from the through table."""
    ordering = [
        f"-{target}__{o[1:]}" if o.startswith("-") else f"{target}__{o}"
        for o in field.related_model._meta.ordering
    ]
    return [*ordering, f"{target}__pk"]


def _annotation(relation: str) -> str:
    return f"_related_values_{relation}"


def with_related_values(queryset: QuerySet, relations: dict[str, tuple[str, ...]]) -> QuerySet:
    """The queryset reading each many-to-many `relation`'s `fields` in its own statement, as
    one JSON array of rows per row (PostgreSQL; in the related model's default order, as
    prefetch_related_values reads them): a list page then needs no statement per relation.
    `related_values_from_page(instances, relations)` moves them where `related_values` finds
    them. For fields whose JSON value is their Python value (ids, text). Elsewhere (SQLite:
    no ordered aggregate before 3.44), or on a DISTINCT queryset (which would build the
    arrays of every matching row), the queryset unchanged."""
    if (
        not relations
        or connections[queryset.db].vendor != "postgresql"
        or queryset.query.distinct
        or queryset.query.combinator
    ):
        return queryset
    arrays = {
        _annotation(relation): _related_rows(queryset.model, queryset.db, relation, fields)
        for relation, fields in relations.items()
    }
    return queryset.annotate(**arrays)


# (model, database, relation, fields) -> the subquery's SQL, compiled once: building and
# resolving it per request cost more Python than the statement it saves. It names the outer
# row as the model's table (`"posts_post"."id"`), the alias of a list's own table.
_RELATED_ROWS: dict[tuple, RawSQL] = {}


def _related_rows(model: type[Model], db: str, relation: str, fields: tuple[str, ...]) -> RawSQL:
    key = (model, db, relation, fields)
    compiled = _RELATED_ROWS.get(key)
    if compiled is None:
        field = model._meta.get_field(relation)
        source = field.m2m_field_name()
        target = field.m2m_reverse_field_name()
        row = Func(*(F(f"{target}__{name}") for name in fields), function="json_build_array")
        ordering = [
            F(name[1:]).desc() if name.startswith("-") else F(name).asc()
            for name in _ordering(field, target)
        ]
        rows = (
            field.remote_field.through._default_manager.filter(**{source: OuterRef("pk")})
            .order_by()
            .values(source)
            .annotate(rows=JSONBAgg(row, order_by=ordering))
            .values("rows")
        )
        query = model._default_manager.using(db).annotate(rows=Subquery(rows)).query
        sql, params = query.get_compiler(db).compile(query.annotations["rows"])
        compiled = _RELATED_ROWS.setdefault(key, RawSQL(sql, params, output_field=JSONField()))
    return compiled


def related_values_from_page(
    instances: Sequence[Model], relations: dict[str, tuple[str, ...]]
) -> bool:
    """Keep the values `with_related_values` read for each instance (as
    prefetch_related_values does); False when the instances were read without them."""
    if not instances or _annotation(next(iter(relations), "")) not in instances[0].__dict__:
        return False
    for obj in instances:
        kept = obj.__dict__.setdefault(RELATED_VALUES, {})
        for relation, fields in relations.items():
            rows = obj.__dict__.pop(_annotation(relation)) or []  # NULL: no related row
            kept[relation] = (fields, [tuple(row) for row in rows])
    return True


def related_values(obj: Model, relation: str) -> tuple[tuple[str, ...], list[tuple]] | None:
    """(fields, rows) prefetched for `relation` of `obj`, or None."""
    return obj.__dict__.get(RELATED_VALUES, {}).get(relation)
