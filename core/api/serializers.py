"""Serializer pieces every app's API shares: choice labels, strict input, adding by URL."""

from collections.abc import Mapping

from django.conf import settings
from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.bulk import CREATED, EXISTS, INVALID, AddResult

# Browsable-API form submissions carry this alongside the data.
_IGNORED_INPUT_KEYS = frozenset({"csrfmiddlewaretoken"})


class ChoiceDisplayMixin:
    """Every model choice field comes as its value plus `<field>_display`, its label.

    Machines keep the stable value (`"platform": "instagram"`), people read the label
    (`"platform_display": "Instagram"`): one scheme for every enumeration of the API.
    """

    def get_fields(self):
        fields = super().get_fields()
        model = self.Meta.model
        shown = {}
        for name, field in fields.items():
            shown[name] = field
            is_choice = isinstance(field, serializers.ChoiceField) and not isinstance(
                field, serializers.MultipleChoiceField
            )
            source = field.source or name  # a field's source is only set when it is bound
            if is_choice and hasattr(model, f"get_{source}_display"):
                shown[f"{name}_display"] = serializers.CharField(
                    source=f"get_{source}_display", read_only=True, allow_null=field.allow_null
                )
        return shown


class StrictInputMixin:
    """Input naming a read-only or unknown field is an error, not silently ignored.

    Otherwise a client "changing" a post's URL or a misspelt field would get a 200
    and believe the change was made.
    """

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            errors = {}
            for name in data:
                if name in _IGNORED_INPUT_KEYS:
                    continue
                field = self.fields.get(name)
                if field is None:
                    errors[name] = ["Unknown field."]
                elif field.read_only:
                    errors[name] = ["This field is read-only."]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


@extend_schema_field(OpenApiTypes.OBJECT)
class JSONObjectField(serializers.JSONField):
    """Free-form JSON that must be an object (the frontend's `extra` fields)."""

    default_error_messages = {"not_an_object": "Expected a JSON object."}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not isinstance(value, dict):
            self.fail("not_an_object")
        return value


class CleanModelSerializer(StrictInputMixin, serializers.ModelSerializer):
    """Saves through `full_clean()`, so the model's constraints give a 400, never a 500.

    For plain reference data (clients, boards, taxonomy) whose only rules are the model's
    own fields and constraints.
    """

    def create(self, validated_data):
        many = self._pop_many_to_many(validated_data)
        instance = self.Meta.model(**validated_data)
        with transaction.atomic():
            instance.full_clean()
            instance.save()
            for name, values in many.items():
                getattr(instance, name).set(values)
        return instance

    def update(self, instance, validated_data):
        many = self._pop_many_to_many(validated_data)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        with transaction.atomic():
            instance.full_clean()
            if validated_data:
                extra = ["updated_at"] if hasattr(instance, "updated_at") else []
                instance.save(update_fields=[*validated_data, *extra])
            for name, values in many.items():
                getattr(instance, name).set(values)
        return instance

    def _pop_many_to_many(self, validated_data: dict) -> dict:
        names = {f.name for f in self.Meta.model._meta.many_to_many}
        return {name: validated_data.pop(name) for name in list(validated_data) if name in names}


class PastedURLsSerializer(serializers.Serializer):
    """The URLs of a bulk add: a JSON list (`urls`) or pasted text, one URL per line (`text`)."""

    urls = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=True),
        required=False,
        help_text="The URLs to add, in any accepted form. Use `urls` or `text`.",
    )
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Pasted text, one URL per line. Use `urls` or `text`.",
    )

    def validate(self, attrs):
        urls, text = attrs.pop("urls", None), attrs.pop("text", None)
        if urls is not None and text is not None:
            raise serializers.ValidationError("Send either `urls` or `text`, not both.")
        if urls is None and text is None:
            raise serializers.ValidationError(
                {"urls": ["Send `urls` (a list of URLs) or `text` (one URL per line)."]}
            )
        if urls is None:
            # Blank lines of pasted text are layout; a blank item of a list is a bad URL, kept
            # so that the results line up with the list sent.
            urls = [line.strip() for line in text.splitlines() if line.strip()]
        if not urls:
            raise serializers.ValidationError({"urls": ["There is no URL to add."]})
        limit = settings.API_BULK_MAX_URLS
        if len(urls) > limit:
            raise serializers.ValidationError(
                {"urls": [f"At most {limit} URLs per request ({len(urls)} sent); split the list."]}
            )
        attrs["urls"] = urls
        return super().validate(attrs)


class AddResultSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="The URL as it was sent.")
    status = serializers.ChoiceField(choices=[CREATED, EXISTS, INVALID])
    id = serializers.IntegerField(allow_null=True, help_text="The added or existing object.")
    error = serializers.CharField(allow_blank=True, help_text="Why the URL was refused.")


class BulkAddResponseSerializer(serializers.Serializer):
    results = AddResultSerializer(many=True, help_text="One result per URL, in the order sent.")
    created = serializers.IntegerField()
    exists = serializers.IntegerField()
    invalid = serializers.IntegerField()


def bulk_add_response_data(results: list[AddResult]) -> dict:
    counts = {CREATED: 0, EXISTS: 0, INVALID: 0}
    for result in results:
        counts[result.status] += 1
    return {
        "results": [
            {
                "url": result.url,
                "status": result.status,
                "id": result.obj.pk if result.obj is not None else None,
                "error": result.error,
            }
            for result in results
        ],
        **counts,
    }
