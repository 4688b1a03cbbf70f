"""The OpenAPI schema says what the API answers: its error responses, its strict request bodies,
and values such as "" that a plain field type would not allow.

Clients generate code from it and CI fuzzes the API against it (`.ci/schemathesis`), so an
answer the schema does not describe is a bug of the schema or of the answer.
"""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from core.api.serializers import StrictInputMixin

# The one error shape (core.api.errors): `ErrorResponse` wraps `Error`, defined here only.
ERROR_COMPONENTS = {
    "Error": {
        "type": "object",
        "properties": {
            "code": {"type": "string", "description": 'A stable code, e.g. "invalid".'},
            "message": {"type": "string", "description": "What went wrong, for a person."},
            "fields": {
                "type": "object",
                "description": "Messages per input field or query parameter.",
                "additionalProperties": {},
            },
        },
        "required": ["code", "message", "fields"],
    },
    "ErrorResponse": {
        "type": "object",
        "description": "Every error of the API has this shape.",
        "properties": {"error": {"$ref": "#/components/schemas/Error"}},
        "required": ["error"],
    },
}

# Status → when the API answers it.
_EVERY_OPERATION = {
    "401": "No valid API key or session.",
    "403": "The role or the key's scopes do not allow this.",
    "429": "Too many requests: wait for `Retry-After` seconds.",
}
_WITH_INPUT = {"400": "Invalid input: `fields` names each bad field or parameter."}
_WITH_PATH_ID = {"404": "No such object, or not visible to you."}
_PAGED = {"404": "No such page."}
_WITH_FORMAT = {"404": "No such format."}
_WITH_BODY = {
    "409": "Another request changed the same record at the same moment; reload and retry.",
    "413": "The request body is larger than the server accepts.",
    "415": "The body's content type is not JSON, form or multipart data.",
}


# The answer of an operation that asks the AI model when the AI is off or failing (it never
# blocks anything else): `code` ai_not_configured / ai_unavailable / ai_invalid_answer.
AI_UNAVAILABLE = OpenApiResponse(
    description="The AI is not configured or not answering: `message` says why."
)


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the error answers of every operation, in the one
    error shape (core.api.errors)."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_COMPONENTS)
    error = {"$ref": "#/components/schemas/ErrorResponse"}
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            answers = dict(_EVERY_OPERATION)
            if operation.get("parameters") or "requestBody" in operation:
                answers.update(_WITH_INPUT)
            parameters = operation.get("parameters", [])
            if any(p["name"] == "page" for p in parameters):
                answers.update(_PAGED)
            if any(p["name"] == "format" for p in parameters):
                answers.update(_WITH_FORMAT)
            for parameter in parameters:
                # `?client=` is "no client filter", as a form sends it.
                if parameter["in"] == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
            if "{" in path:
                answers.update(_WITH_PATH_ID)
            if "requestBody" in operation:
                answers.update(_WITH_BODY)
            responses = operation.setdefault("responses", {})
            for status, description in answers.items():
                responses.setdefault(status, {"description": description})
            for status, response in responses.items():
                # An error a view documents by its description alone has the one shape too.
                if status.startswith(("4", "5")) and "content" not in response:
                    response["content"] = {"application/json": {"schema": error}}
    return result


def _allows_blank(field) -> bool:
    if getattr(field, "allow_blank", False):
        return True
    # Read-only model fields lose allow_blank in DRF; the model field still knows.
    model = getattr(getattr(getattr(field, "parent", None), "Meta", None), "model", None)
    try:
        return bool(model and model._meta.get_field(field.source).blank)
    except FieldDoesNotExist:
        return False


class CreatorOpsAutoSchema(AutoSchema):
    """Request bodies of strict serializers (StrictInputMixin) refuse unknown fields: the schema
    says so with `additionalProperties: false`. A URL field that may be "" says so too."""

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(serializer, StrictInputMixin):
            schema["additionalProperties"] = False
        # Fields some roles' answers leave out (a serializer's `answer_may_omit`) are optional.
        omitted = set(getattr(serializer, "answer_may_omit", ()))
        if direction == "response" and omitted and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in omitted]
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and isinstance(field, serializers.DecimalField):
            # An amount may be sent as a JSON number or as the string the API answers with.
            text = {k: schema.pop(k) for k in ("type", "format", "pattern") if k in schema}
            schema["oneOf"] = [{"type": "number"}, text]
        if isinstance(field, serializers.URLField) and _allows_blank(field):
            url = {key: schema.pop(key) for key in ("type", "format", "maxLength") if key in schema}
            schema.setdefault("description", 'A URL, or "" when there is none.')
            schema["oneOf"] = [url, {"type": "string", "maxLength": 0}]
        return schema
