"""What users may send that no database stores: NUL characters and unpaired surrogates (PostgreSQL
refuses them in text and JSON, and neither SQLite nor PostgreSQL can encode a surrogate), and JSON
nested deeper than Python can decode. One check for the API's parser and the models' JSON fields
(so the admin's forms too); the admin's text inputs already refuse NUL, and a form cannot carry
a surrogate."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

MAX_JSON_DEPTH = 32
UNSTORABLE_TEXT = (
    "Text must not contain NUL characters (\\u0000) or unpaired surrogates (\\ud800 to \\udfff)."
)
TOO_DEEP = f"JSON must not be nested more than {MAX_JSON_DEPTH} levels deep."

_UNSTORABLE_CHARACTER = re.compile("[\x00\ud800-\udfff]")


def json_problem(value, *, depth: int = 1) -> str | None:
    """Why decoded JSON `value` (at nesting level `depth`) cannot be stored, or None.

    Iterative, so that a deep value cannot exhaust the stack here either."""
    pending = [(value, depth)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, str):
            if _UNSTORABLE_CHARACTER.search(item):
                return UNSTORABLE_TEXT
        elif isinstance(item, dict | list):
            if level > MAX_JSON_DEPTH:
                return TOO_DEEP
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending.extend((child, level + 1) for child in children)
    return None


def validate_storable_json(value) -> None:
    problem = json_problem(value)
    if problem:
        raise ValidationError(problem, code="unstorable")


class InputJSONFormField(forms.JSONField):
    """The admin's JSON input: JSON nested too deep for Python's decoder is a form error."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except RecursionError:
            raise ValidationError(TOO_DEEP, code="invalid") from None

    def bound_data(self, data, initial):
        # Refused input is shown again as typed: decoded, a surrogate could not be written
        # into the page.
        try:
            value = super().bound_data(data, initial)
        except RecursionError:
            return forms.fields.InvalidJSONInput(data)
        if not isinstance(value, forms.fields.InvalidJSONInput) and json_problem(value):
            return forms.fields.InvalidJSONInput(data)
        return value


class InputJSONField(models.JSONField):
    """A JSON field that users fill (API, admin): what no database stores is a validation
    error on the field, the same on SQLite and PostgreSQL."""

    default_validators = [validate_storable_json]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": InputJSONFormField, **kwargs})
