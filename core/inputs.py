"""Numbers and dates typed by people are read from ASCII digits only.

Python's int(), Decimal() and regular expressions' `\\d` also read other scripts' digits
(fullwidth, Arabic-Indic...), and Django's and DRF's parsers disagree about them (DRF reads a
date typed in fullwidth digits, Django's form does not): one rule, ASCII only, in the API and
the admin alike.
"""

from __future__ import annotations

from django import forms
from django.db import models
from rest_framework import serializers

ASCII_DIGITS_MESSAGE = "Use the digits 0-9 (ASCII) only."


def is_foreign_text(value) -> bool:
    """A typed value with a character outside ASCII (a number or date cannot have one)."""
    return isinstance(value, str) and not value.isascii()


# --- Forms (the admin) ------------------------------------------------------------------------


class AsciiFormFieldMixin:
    def to_python(self, value):
        if is_foreign_text(value):
            raise forms.ValidationError(ASCII_DIGITS_MESSAGE, code="invalid")
        return super().to_python(value)


class AsciiIntegerField(AsciiFormFieldMixin, forms.IntegerField):
    pass


class AsciiDecimalField(AsciiFormFieldMixin, forms.DecimalField):
    pass


class AsciiDateField(AsciiFormFieldMixin, forms.DateField):
    pass


# For ModelAdmin.formfield_overrides, which match a model field by its class's MRO: every
# integer field; DateTimeField keeps the admin's own (split) field, listed before DateField.
ASCII_FORMFIELD_OVERRIDES = {
    models.IntegerField: {"form_class": AsciiIntegerField},
    models.DecimalField: {"form_class": AsciiDecimalField},
    models.DateField: {"form_class": AsciiDateField},
}


# --- Serializers (the API) --------------------------------------------------------------------


class AsciiSerializerFieldMixin:
    def to_internal_value(self, data):
        if is_foreign_text(data):
            raise serializers.ValidationError(ASCII_DIGITS_MESSAGE, code="invalid")
        return super().to_internal_value(data)


class AsciiIntegerSerializerField(AsciiSerializerFieldMixin, serializers.IntegerField):
    pass


class AsciiDecimalSerializerField(AsciiSerializerFieldMixin, serializers.DecimalField):
    pass


class AsciiDateSerializerField(AsciiSerializerFieldMixin, serializers.DateField):
    pass


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
