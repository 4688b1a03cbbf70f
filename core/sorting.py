"""Sort keys of big lists: one expression per sortable field, shared by the lists' indexes, the
FilterSets' ordering (API and admin) and keyset pages (core.api.pagination)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from django.db import models
from django.db.models import F, Value
from django.db.models.expressions import BaseExpression, OrderBy
from django.db.models.functions import Coalesce

# Below every value a nullable column may hold (gained views can be negative).
LOWEST_INTEGER = -(2**62)
LOWEST_DATETIME = datetime(1, 1, 1, tzinfo=UTC)


def _lowest(field: models.Field):
    if isinstance(field, models.DateTimeField):
        return LOWEST_DATETIME
    if isinstance(field, models.DecimalField):
        return -(Decimal(10) ** (field.max_digits - field.decimal_places))
    if isinstance(field, models.FloatField):
        return float("-inf")
    if isinstance(field, models.IntegerField):
        return LOWEST_INTEGER
    raise TypeError(f"No lowest value for {field!r}.")


def nulls_low(name: str, field: models.Field) -> Coalesce:
    """Nullable field `name` (of `field`'s type) with NULL as its lowest value."""
    return Coalesce(F(name), Value(_lowest(field)), output_field=field)


def sort_key(model: type[models.Model], name: str) -> BaseExpression:
    """What a list is sorted on for field `name`: the field, or for a nullable field the field
    with NULL as its lowest value. A descending list then ends with the rows without a value and
    an ascending one starts with them; one index serves both directions, and a keyset page
    never compares with NULL. An index on such a field must use the same expression
    (`nulls_low`)."""
    field = model._meta.get_field(name)
    return nulls_low(name, field) if field.null else F(name)


def sort_by(model: type[models.Model], name: str, *, descending: bool) -> OrderBy:
    key = sort_key(model, name)
    return key.desc() if descending else key.asc()
