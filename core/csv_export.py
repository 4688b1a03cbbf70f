"""CSV exports. Every CSV file the project writes goes through `csv_response`, so no text cell
can be read as a formula by a spreadsheet ("CSV injection", OWASP)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

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
