"""Serializer pieces every app's API shares: choice labels, strict input, adding by URL."""

import copy
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers
from rest_framework.relations import ManyRelatedField, PKOnlyObject
from rest_framework.settings import api_settings

from core.bulk import CREATED, EXISTS, INVALID, AddResult
from core.prefetch import related_values

# Browsable-API form submissions carry this alongside the data.
_IGNORED_INPUT_KEYS = frozenset({"csrfmiddlewaretoken"})


# Serializer class -> its fields as built (never bound: instances bind copies).
_FIELDS_BUILT: dict[type, dict[str, serializers.Field]] = {}


def _field_copy(field: serializers.Field) -> serializers.Field:
    """An unbound copy of a built field, sharing nothing an instance changes (binding sets
    the copy's own name, parent and source; validators and messages are copied lists)."""
    if isinstance(field, serializers.BaseSerializer):  # nested: copied the way DRF does
        return copy.deepcopy(field)
    clone = copy.copy(field)
    for name in ("_validators", "error_messages"):
        value = clone.__dict__.get(name)
        if value is not None:
            setattr(clone, name, copy.copy(value))
    if isinstance(field, ManyRelatedField):
        # The child was bound to its ManyRelatedField when built (name and source "").
        clone.child_relation = _field_copy(field.child_relation)
        clone.child_relation.parent = clone
    return clone


class ChoiceDisplayMixin:
    """Every model choice field comes as its value plus `<field>_display`, its label.

    Machines keep the stable value (`"platform": "instagram"`), people read the label
    (`"platform_display": "Instagram"`): one scheme for every enumeration of the API.
    """

    def get_fields(self):
        # A ModelSerializer builds its fields from the model on every instance (most of a
        # request's fixed cost); they depend on the class alone, so each class builds them once
        # and every instance gets its own copies (context-dependent trimming comes after).
        template = _FIELDS_BUILT.get(type(self))
        if template is None:
            template = _FIELDS_BUILT.setdefault(type(self), self._fields_with_labels())
        return {name: _field_copy(field) for name, field in template.items()}

    def _fields_with_labels(self) -> dict:
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
                labels = dict(model._meta.get_field(source).flatchoices)
                shown[f"{name}_display"] = ChoiceLabelField(
                    labels, source=source, read_only=True, allow_null=field.allow_null
                )
        return shown


class ChoiceLabelField(serializers.CharField):
    """The label of a choice value, as `get_<field>_display()` gives it, by a dict lookup: a
    bound method as a field's source costs an `inspect.signature()` per row in DRF."""

    def __init__(self, labels: dict, **kwargs):
        self.labels = {key: str(label) for key, label in labels.items()}
        super().__init__(**kwargs)

    def to_representation(self, value):
        return self.labels.get(value, value)


class RelatedValueField(serializers.CharField):
    """A value of a related row (`account.username`), read-only. A list's query annotates it
    under the field's name (one column instead of a join of every related column); an object
    loaded without the annotation reads it through the relation."""

    def __init__(self, path: str, **kwargs):
        self.path = path.split(".")
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def get_attribute(self, instance):
        if self.field_name in instance.__dict__:
            return instance.__dict__[self.field_name]
        for name in self.path:
            instance = getattr(instance, name)
            if instance is None:
                return None
        return instance


class StrictInputMixin:
    """Input naming a read-only or unknown field is an error, not silently ignored.

    Otherwise a client "changing" a post's URL or a misspelt field would get a 200
    and believe the change was made.
    """

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            # A JSON body (a dict, not a form's QueryDict) carries types: they must be the
            # documented ones, so `"is_active": "no"` is refused instead of read as a guess.
            typed = type(data) is dict
            errors = {}
            for name, value in data.items():
                if name in _IGNORED_INPUT_KEYS:
                    continue
                field = self.fields.get(name)
                if field is None:
                    errors[name] = ["Unknown field."]
                elif field.read_only:
                    errors[name] = ["This field is read-only."]
                elif typed and (expected := _json_type_mismatch(field, value)):
                    errors[name] = [f"Expected {expected}."]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


# The JSON type each kind of field documents (most specific first); others are not checked.
_JSON_TYPES = [
    (serializers.BooleanField, (bool,), "true or false"),
    (serializers.IntegerField, (int,), "an integer"),
    (serializers.PrimaryKeyRelatedField, (int,), "an id (an integer)"),
    (serializers.ManyRelatedField, (list,), "a list"),
    (serializers.ListField, (list,), "a list"),
    (serializers.DecimalField, (str, int, float), "a number"),
    (serializers.CharField, (str,), "a string"),
    (serializers.DateTimeField, (str,), "an ISO 8601 date and time (a string)"),
    (serializers.DateField, (str,), "an ISO 8601 date (a string)"),
]


def _json_type_mismatch(field, value) -> str:
    """What `field` expects when the JSON `value` has another type; "" when it fits."""
    if value is None:
        return ""  # the field's own allow_null rule answers
    for field_class, types, expected in _JSON_TYPES:
        if isinstance(field, field_class):
            fits = isinstance(value, types) and not _is_bool_for_int(value, types)
            return "" if fits else expected
    return ""


def _is_bool_for_int(value, types) -> bool:
    # JSON true is not the integer 1.
    return isinstance(value, bool) and bool not in types


# A month as the API writes and reads it: "2026-12", 1900-01 to 2999-12 (finance.queries).
MONTH_SCHEMA = {
    "type": "string",
    "pattern": "^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])$",
    "example": "2026-12",
}


@extend_schema_field(MONTH_SCHEMA)
class MonthField(serializers.DateField):
    """A month, stored as its 1st day, shown as "YYYY-MM"."""

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", **kwargs)


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
    id = serializers.IntegerField(
        allow_null=True,
        help_text="The added or existing object; null for an invalid URL, and for an existing "
        "object your role does not show you (tracked by someone else).",
    )
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


# --- Fast lists -------------------------------------------------------------------------------


def _standard_writer(field):
    """DRF's own way for one field (Serializer.to_representation), for anything unusual."""

    def write(obj):
        attribute = field.get_attribute(obj)
        check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        return None if check is None else field.to_representation(attribute)

    return write


def _many_writer(field, relation: str, fallback):
    child = field.child_relation
    if isinstance(child, serializers.SlugRelatedField):
        wanted = child.slug_field
    elif isinstance(child, serializers.PrimaryKeyRelatedField) and child.pk_field is None:
        wanted = "id"
    else:
        return fallback

    def write(obj):
        prefetched = related_values(obj, relation)
        if prefetched is None or wanted not in prefetched[0]:
            return fallback(obj)
        position = prefetched[0].index(wanted)
        return [row[position] for row in prefetched[1]]

    return write


class _Never:
    """No value has this type: a field whose every value goes through its writer."""


def _value_writer(field, attname: str, fallback, *, mapping: bool = False):
    plain = _Never  # the type of the values written as they are
    if isinstance(field, ChoiceLabelField):
        labels = field.labels

        def convert(value):
            return labels.get(value, value)
    elif isinstance(field, serializers.ChoiceField | serializers.CharField):

        def convert(value):
            return value if type(value) is str else field.to_representation(value)

        plain = str
    elif isinstance(field, serializers.IntegerField):

        def convert(value):
            return value if type(value) is int else field.to_representation(value)

        plain = int
    elif (
        isinstance(field, serializers.DateTimeField)
        and getattr(field, "format", api_settings.DATETIME_FORMAT).lower() == ISO_8601
    ):
        # DRF's enforce_timezone and ISO 8601 for an aware value (every value with USE_TZ).
        zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()

        def convert(value):
            if zone is None or value.tzinfo is None:
                return field.to_representation(value)
            text = value.astimezone(zone).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
    elif type(field).to_representation is serializers.BooleanField.to_representation:
        convert, plain = field.to_representation, bool
    else:
        convert = field.to_representation

    def write(obj):
        try:
            value = (obj if mapping else obj.__dict__)[attname]
        except KeyError:  # deferred or not annotated: the usual way
            return fallback(obj)
        return None if value is None else convert(value)

    # A value of this type is written as it is (FastListSerializer reads it inline).
    write.plain = (attname, plain)
    return write


def _mapping_writer(field):
    """A field of a plain serializer whose rows are dicts (a values() query's rows)."""
    fallback = _standard_writer(field)
    if len(field.source_attrs) != 1 or isinstance(field, serializers.BaseSerializer):
        return fallback
    return _value_writer(field, field.source_attrs[0], fallback, mapping=True)


def _writer(field, model):
    fallback = _standard_writer(field)
    if isinstance(field, RelatedValueField) or len(field.source_attrs) != 1:
        return fallback
    name = field.source_attrs[0]
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        # An annotation of the list's query (read like a column when present), or a method.
        if callable(getattr(model, name, None)):
            return fallback
        return _value_writer(field, name, fallback)
    if isinstance(field, serializers.ManyRelatedField) and model_field.many_to_many:
        return _many_writer(field, name, fallback)
    if isinstance(field, serializers.PrimaryKeyRelatedField) and model_field.many_to_one:
        if field.pk_field is not None:
            return fallback
        attname = model_field.attname

        def write(obj):
            return obj.__dict__[attname] if attname in obj.__dict__ else fallback(obj)

        write.plain = (attname, int)  # an integer key is written as it is, like any other
        return write
    if model_field.is_relation or not model_field.concrete:
        return fallback
    return _value_writer(field, model_field.attname, fallback)


class FastListSerializer(serializers.ListSerializer):
    """A list written with the child's fields but not DRF's per-field machinery: each field is
    compiled once per class (`_writers`) into a function reading the model instance's column
    value, or the row's key for a plain Serializer without a model (its rows are dicts). DRF
    resolves the source and checks for callables on every field of every row, which is most
    of a page's time. The output is the same as the child's, field for field (tests/core check it);
    many-to-many fields are read from `core.prefetch.prefetch_related_values` when the page
    was given them. Use as the child's `Meta.list_serializer_class`."""

    def to_representation(self, data):
        rows = data.all() if isinstance(data, models.manager.BaseManager) else data
        values, plan = self._writers()
        # A plain value (a str of a text field, an int of an integer field, None) is read
        # inline: no call per field and row; any other goes through its writer.
        return [
            {
                name: value
                if (value := row.get(key, _NO_KEY)) is None or type(value) is kind
                else write(obj)
                for name, key, kind, write in plan
            }
            for obj in rows
            for row in (values(obj),)
        ]

    def _writers(self) -> tuple:
        child = type(self.child)
        if not _fields_depend_on_class_alone(child):
            return _compile_writers(self.child)
        # A datetime's text depends on the time zone in force, read when compiling.
        key = (child, timezone.get_current_timezone() if settings.USE_TZ else None)
        writers = _WRITERS.get(key)
        if writers is None:
            template = child()  # no context, no instance: the fields as the class builds them
            if not all(_context_free(field) for field in template._readable_fields):
                return _compile_writers(self.child)
            writers = _WRITERS.setdefault(key, _compile_writers(template))
        return writers


def _compile_writers(serializer) -> tuple:
    """(how to read a row's values, [(name, key, plain type, writer), …]) of a list."""
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    fields = serializer._readable_fields
    if model is None:  # a plain serializer: rows are mappings
        values, writers = _itself, [(f.field_name, _mapping_writer(f)) for f in fields]
    else:
        values, writers = _instance_dict, [(f.field_name, _writer(f, model)) for f in fields]
    plan = [(name, *getattr(write, "plain", (_NO_KEY, _Never)), write) for name, write in writers]
    return values, plan


def _itself(row):
    return row


def _instance_dict(obj):
    return obj.__dict__


_NO_KEY = object()  # no row has this key

# (child serializer class, time zone) -> its compiled writers, shared by every request: built
# from an instance without context, so only for classes whose fields cannot depend on one.
_WRITERS: dict[tuple, tuple] = {}

# Fields whose output is the value alone (no request, no context, no serializer instance).
_CONTEXT_FREE_FIELDS = (
    serializers.CharField,  # also ChoiceLabelField, RelatedValueField, URL/Email/Slug…
    serializers.ChoiceField,
    serializers.IntegerField,
    serializers.FloatField,
    serializers.DecimalField,
    serializers.BooleanField,
    serializers.DateTimeField,
    serializers.DateField,
    serializers.TimeField,
    serializers.DurationField,
    serializers.UUIDField,
    serializers.JSONField,
    serializers.ReadOnlyField,
    serializers.PrimaryKeyRelatedField,
    serializers.SlugRelatedField,
    serializers.ManyRelatedField,
)


def _context_free(field: serializers.Field) -> bool:
    if isinstance(field, serializers.ManyRelatedField):
        return _context_free(field.child_relation)
    kind = type(field)
    drf_own = kind.__module__.startswith("rest_framework.")
    return issubclass(kind, _CONTEXT_FREE_FIELDS) and (drf_own or kind in _OUR_CONTEXT_FREE)


def _fields_depend_on_class_alone(serializer_class: type) -> bool:
    """The class builds the same fields for every instance: no get_fields(), __init__ or field
    selection of its own that could trim them by request, role or instance."""
    return (
        serializer_class.__init__ is serializers.BaseSerializer.__init__
        and serializer_class.get_fields
        in (
            ChoiceDisplayMixin.get_fields,
            serializers.ModelSerializer.get_fields,
            serializers.Serializer.get_fields,
        )
        and serializer_class._readable_fields is serializers.Serializer._readable_fields
    )


_OUR_CONTEXT_FREE = (ChoiceLabelField, RelatedValueField, JSONObjectField)
