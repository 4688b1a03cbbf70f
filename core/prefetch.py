"""Many-to-many values of a page of rows, in one small query per relation."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Model

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
    ordering = [
        f"-{target}__{o[1:]}" if o.startswith("-") else f"{target}__{o}"
        for o in field.related_model._meta.ordering
    ]
    rows = (
        field.remote_field.through._default_manager.filter(
            **{f"{source}__in": [obj.pk for obj in instances]}
        )
        .order_by(*ordering, f"{target}__pk")
        .values_list(f"{source}_id", *(f"{target}__{f}" for f in fields))
    )
    values: dict = {obj.pk: [] for obj in instances}
    for source_pk, *row in rows:
        values[source_pk].append(tuple(row))
    for obj in instances:
        obj.__dict__.setdefault(RELATED_VALUES, {})[relation] = (fields, values[obj.pk])


def related_values(obj: Model, relation: str) -> tuple[tuple[str, ...], list[tuple]] | None:
    """(fields, rows) prefetched for `relation` of `obj`, or None."""
    return obj.__dict__.get(RELATED_VALUES, {}).get(relation)
