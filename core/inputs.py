"""What people may type or send, checked once for the API and the admin alike.

- Numbers and dates are read from ASCII digits only. Python's int(), Decimal() and regular
  expressions' `\\d` also read other scripts' digits (fullwidth, Arabic-Indic...), and Django's
  and DRF's parsers disagree about them (DRF reads a date typed in fullwidth digits, Django's
  form does not).
- Text and JSON must be storable: no NUL characters or unpaired surrogates (PostgreSQL refuses
  them in text and JSON, and neither database can encode a surrogate), and no JSON nested
  deeper than Python can decode. The API's parser and the models' JSON fields (so the admin's
  forms too) use one check; the admin's text inputs already refuse NUL, and a form cannot
  carry a surrogate.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from rest_framework import serializers

ASCII_DIGITS_MESSAGE = "Use the digits 0-9 (ASCII) only."


def is_foreign_text(value) -> bool:
    """A typed value with a character outside ASCII (a number or date cannot have one)."""
    return isinstance(value, str) and not value.isascii()


def ascii_only(base: type, method: str, error: type[Exception], *, name: str = "") -> type:
    """A subclass of the field class `base` whose `method` (forms: `to_python`, serializers:
    `to_internal_value`) refuses a value with a character outside ASCII with `error`: the one
    ASCII-digits rule of the admin's fields and the API's."""

    def read(self, value):
        if is_foreign_text(value):
            raise error(ASCII_DIGITS_MESSAGE, code="invalid")
        return getattr(super(field_class, self), method)(value)

    field_class = type(name or f"Ascii{base.__name__}", (base,), {method: read})
    field_class.__module__ = __name__
    return field_class


# --- Forms (the admin) ------------------------------------------------------------------------

AsciiIntegerField = ascii_only(forms.IntegerField, "to_python", forms.ValidationError)
AsciiDecimalField = ascii_only(forms.DecimalField, "to_python", forms.ValidationError)
AsciiDateField = ascii_only(forms.DateField, "to_python", forms.ValidationError)

# For ModelAdmin.formfield_overrides, which match a model field by its class's MRO: every
# integer field; DateTimeField keeps the admin's own (split) field, listed before DateField.
ASCII_FORMFIELD_OVERRIDES = {
    models.IntegerField: {"form_class": AsciiIntegerField},
    models.DecimalField: {"form_class": AsciiDecimalField},
    models.DateField: {"form_class": AsciiDateField},
}


# --- Serializers (the API) --------------------------------------------------------------------


def _ascii_serializer(base: type) -> type:
    name = f"Ascii{base.__name__.removesuffix('Field')}SerializerField"
    return ascii_only(base, "to_internal_value", serializers.ValidationError, name=name)


AsciiIntegerSerializerField = _ascii_serializer(serializers.IntegerField)
AsciiDecimalSerializerField = _ascii_serializer(serializers.DecimalField)
AsciiDateSerializerField = _ascii_serializer(serializers.DateField)

_ASCII_SERIALIZER_FIELDS = {
    serializers.IntegerField: AsciiIntegerSerializerField,
    serializers.DecimalField: AsciiDecimalSerializerField,
    serializers.DateField: AsciiDateSerializerField,
}


def ascii_serializer_field_mapping(mapping: dict) -> dict:
    """A ModelSerializer's `serializer_field_mapping` whose number and date fields read ASCII
    digits only."""
    return {
        model_field: _ASCII_SERIALIZER_FIELDS.get(field, field)
        for model_field, field in mapping.items()
    }


# --- Storable text and JSON ------------------------------------------------------------------

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
