"""Pages of API lists: numbered pages for small lists, keyset pages for the big ones."""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from core.filters import unstorable_value_error
from core.inputs import json_problem
from core.pagination import EXACT_COUNT_LIMIT, bounded_count

# OFFSET and LIMIT are 64-bit integers in PostgreSQL and SQLite.
LARGEST_OFFSET = 2**63 - 1
INVALID_PAGE = "Invalid page."


class PageSizeFromQuery:
    """`?page_size=`: the default without it, at most `max_page_size`; anything but a whole
    number from 1 in ASCII digits is refused (400) rather than silently replaced."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request) -> int:
        value = request.query_params.get(self.page_size_query_param)
        if not value:
            return self.page_size
        size = int(value) if re.fullmatch(r"[0-9]+", value) else 0
        if size < 1:
            message = f"Enter a whole number from 1 to {self.max_page_size}."
            raise ValidationError({self.page_size_query_param: [message]})
        return min(size, self.max_page_size)


class StandardPagination(PageSizeFromQuery, PageNumberPagination):
    def get_schema_operation_parameters(self, view) -> list[dict]:
        # Both are counted from 1; anything else is a 400 (PageSizeFromQuery, DRF's paginator).
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters


AFTER, BEFORE = "after", "before"
INVALID_CURSOR = "Invalid cursor: use the next or previous link of a page."


class _CursorEncoder(json.JSONEncoder):
    # Exact values: DjangoJSONEncoder would cut a datetime to milliseconds.
    def default(self, o):
        if isinstance(o, datetime):
            return o.isoformat()
        if isinstance(o, Decimal):
            return str(o)
        return super().default(o)


def encode_cursor(values: list, direction: str = AFTER) -> str:
    """The opaque `cursor` of the page after (or before) the row whose sort keys are `values`."""
    raw = json.dumps({direction: values}, cls=_CursorEncoder, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, keys: int) -> tuple[str, list]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        ((direction, values),) = data.items()
        if direction not in (AFTER, BEFORE) or not isinstance(values, list):
            raise ValueError
        if len(values) != keys or any(v is None or isinstance(v, dict | list) for v in values):
            raise ValueError
    except (ValueError, TypeError, AttributeError, binascii.Error, UnicodeDecodeError):
        raise ValidationError({"cursor": [INVALID_CURSOR]}) from None
    return direction, values


def _cursor_values(rows: QuerySet, values: list) -> list:
    """A cursor's values as its sort keys' Python values; ValueError (or Django's
    ValidationError) for one that no database compares: a forged cursor is a 400, not a 500."""
    converted = []
    for i, value in enumerate(values):
        value = rows.query.annotations[f"_sort_{i}"].output_field.to_python(value)
        # A float key's lowest value (NULL) is -inf, which the databases compare.
        if json_problem(value) or (not isinstance(value, float) and unstorable_value_error(value)):
            raise ValueError(value)
        converted.append(value)
    return converted


def _sort_keys(queryset: QuerySet) -> list[OrderBy]:
    """The queryset's ordering as OrderBy expressions, ending with the primary key."""
    model = queryset.model
    keys = []
    for item in queryset.query.order_by or model._meta.ordering:
        if isinstance(item, str):
            name = item.lstrip("-")
            expression = F(model._meta.pk.name if name == "pk" else name)
            item = expression.desc() if item.startswith("-") else expression.asc()
        keys.append(item)
    pk = model._meta.pk.name
    if not any(isinstance(k.expression, F) and k.expression.name in (pk, "pk") for k in keys):
        keys.append(F(pk).desc() if keys and keys[0].descending else F(pk).asc())
    return keys


def _seek(keys: list[OrderBy], values: list, *, backwards: bool) -> Q:
    """Rows strictly after (before) `values` in the order of `keys`: a lexicographic
    comparison, plus a bound on the first key alone that lets an index start at the cursor."""

    def lookup(key: OrderBy, *, strict: bool) -> str:
        later = "lt" if key.descending != backwards else "gt"
        return later if strict else f"{later}e"

    condition = Q()
    for i, key in reversed(list(enumerate(keys))):
        later = Q(**{f"_sort_{i}__{lookup(key, strict=True)}": values[i]})
        condition = (
            later if i == len(keys) - 1 else later | (Q(**{f"_sort_{i}": values[i]}) & condition)
        )
    first = Q(**{f"_sort_0__{lookup(keys[0], strict=False)}": values[0]})
    return first & condition


class KeysetPagination(PageSizeFromQuery, BasePagination):
    """Pages of a big list that cost the same on page 1 and page 10 000.

    `next` and `previous` are `?cursor=` links: the page after (before) a row is found by
    comparing the sort keys (keyset pagination), an index range scan however deep the page.
    `?page=N` still works (an OFFSET: fine for the first pages). `count` is exact up to
    `exact_count_limit` rows and the planner's estimate beyond, which `count_exact` tells.

    A sort key must never be NULL: nullable fields are sorted through core.filters.SortFilter
    (NULL as the lowest value), or only where a filter excludes their NULLs.
    """

    page_query_param = "page"
    cursor_query_param = "cursor"
    exact_count_limit = EXACT_COUNT_LIMIT

    def paginate_queryset(self, queryset: QuerySet, request, view=None):
        self.request = request
        size = self.get_page_size(request)
        self.keys = _sort_keys(queryset)
        sorted_rows = queryset.annotate(
            **{f"_sort_{i}": key.expression for i, key in enumerate(self.keys)}
        )
        cursor = request.query_params.get(self.cursor_query_param)
        self.page_number = None
        if cursor:
            direction, values = decode_cursor(cursor, len(self.keys))
            backwards = direction == BEFORE
            ordering = [
                (F(f"_sort_{i}").asc() if k.descending == backwards else F(f"_sort_{i}").desc())
                for i, k in enumerate(self.keys)
            ]
            try:
                values = _cursor_values(sorted_rows, values)
                after = sorted_rows.filter(_seek(self.keys, values, backwards=backwards))
            except (DjangoValidationError, ValueError, TypeError):
                raise ValidationError({"cursor": [INVALID_CURSOR]}) from None
            rows = list(after.order_by(*ordering)[: size + 1])
            more = len(rows) > size
            rows = rows[:size]
            if backwards:
                rows.reverse()
            self.has_next, self.has_previous = (True, more) if backwards else (more, True)
        else:
            self.page_number = self._page_number(request)
            start = (self.page_number - 1) * size
            if start + size + 1 > LARGEST_OFFSET:
                # Far past the last row of any list, and past what OFFSET takes.
                raise NotFound(INVALID_PAGE)
            rows = list(sorted_rows[start : start + size + 1])
            if not rows and self.page_number > 1:
                raise NotFound(INVALID_PAGE)
            self.has_next, self.has_previous = len(rows) > size, self.page_number > 1
            rows = rows[:size]
        self.rows = rows
        if self.page_number is not None and not self.has_next:
            # The last numbered page: the rows before it and on it are all there is.
            self.count, self.count_exact = (self.page_number - 1) * size + len(rows), True
        else:
            self.count, self.count_exact = bounded_count(queryset, limit=self.exact_count_limit)
        return rows

    def _page_number(self, request) -> int:
        value = request.query_params.get(self.page_query_param, "1")
        try:
            number = int(value)
        except ValueError:
            raise NotFound(INVALID_PAGE) from None
        if number < 1:
            raise NotFound(INVALID_PAGE)
        return number

    def _link(self, row, direction: str) -> str:
        values = [getattr(row, f"_sort_{i}") for i in range(len(self.keys))]
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, encode_cursor(values, direction))

    def get_next_link(self) -> str | None:
        if not (self.has_next and self.rows):
            return None
        return self._link(self.rows[-1], AFTER)

    def get_previous_link(self) -> str | None:
        if not self.has_previous:
            return None
        if self.page_number is not None:
            url = self.request.build_absolute_uri()
            if self.page_number == 2:
                return remove_query_param(url, self.page_query_param)
            return replace_query_param(url, self.page_query_param, self.page_number - 1)
        return self._link(self.rows[0], BEFORE) if self.rows else None

    def get_paginated_response(self, data) -> Response:
        return Response(
            {
                "count": self.count,
                "count_exact": self.count_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["count", "count_exact", "next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "description": "Rows in the list: exact up to 10 000, estimated beyond.",
                },
                "count_exact": {"type": "boolean", "description": "False: `count` is estimated."},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "A page's position, from a `next` or `previous` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "A page number (for the first pages; deep pages follow `next`).",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page; more than {self.max_page_size} gives {self.max_page_size}.",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]
