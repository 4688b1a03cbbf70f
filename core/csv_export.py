"""CSV exports. Every CSV file the project writes goes through `csv_response`, so no text cell
can be read as a formula by a spreadsheet ("CSV injection", OWASP)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpResponse, StreamingHttpResponse

# Rows read from the database per query while a streamed export is written.
EXPORT_BATCH_SIZE = 2000

# A spreadsheet reads a cell starting with one of these as a formula (OWASP's list).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe_cell(value: Any) -> Any:
    """A text cell starting with a formula trigger, prefixed with `'` so it stays text.

    Only text: numbers (a negative amount such as Decimal("-12.50")) are written as numbers.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return f"'{value}"
    return value


def csv_safe_rows(rows: Iterable[Iterable[Any]]) -> Iterable[list[Any]]:
    for row in rows:
        yield [csv_safe_cell(value) for value in row]


def csv_response(rows: Iterable[Iterable[Any]], *, filename: str) -> HttpResponse:
    """An attachment `filename` holding `rows` (the header first), every text cell made safe."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    csv.writer(response).writerows(csv_safe_rows(rows))
    return response


class _Echo:
    """A file-like object whose `write` hands the text back, for csv.writer in a stream."""

    def write(self, value: str) -> str:
        return value


def csv_streaming_response(
    rows: Iterable[Iterable[Any]], *, filename: str
) -> StreamingHttpResponse:
    """`csv_response` for exports of any size: each row is written as it is produced, so
    neither the rows nor the file are ever held in memory whole."""
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in csv_safe_rows(rows)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _cell(obj: Model, field) -> Any:
    if field.many_to_many:
        return "; ".join(str(related) for related in getattr(obj, field.name).all())
    if field.choices:
        return getattr(obj, f"get_{field.name}_display")()
    value = getattr(obj, field.name)
    if field.many_to_one:
        return "" if value is None else str(value)
    return "" if value is None else value


def queryset_csv_rows(
    queryset: QuerySet,
    names: Sequence[str],
    *,
    hidden: Iterable[str] = (),
    batch_size: int | None = None,
) -> Iterator[list[Any]]:
    """The header (the field names) and one row per object of `queryset`, read in batches of
    `batch_size` (related rows joined, many-to-many rows prefetched per batch). The `hidden`
    fields (personal data the user may not see) are left out."""
    hidden = set(hidden)
    fields = [queryset.model._meta.get_field(name) for name in names if name not in hidden]
    queryset = queryset.select_related(*(f.name for f in fields if f.many_to_one))
    queryset = queryset.prefetch_related(*(f.name for f in fields if f.many_to_many))
    yield [field.name for field in fields]
    for obj in queryset.iterator(chunk_size=batch_size or EXPORT_BATCH_SIZE):
        yield [_cell(obj, field) for field in fields]
