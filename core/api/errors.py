"""One error shape for the whole API: {"error": {"code", "message", "fields"}}."""

from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ConflictError, DomainError, NotFoundError, UnavailableError


def error_response(code: str, message: str, fields: dict | None = None, *, status_code: int = 400):
    return Response(
        {"error": {"code": code, "message": message, "fields": fields or {}}}, status=status_code
    )


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for key, value in detail.items():
            text = _first_message(value)
            if text:
                return text if key in ("non_field_errors", "detail") else f"{key}: {text}"
        return ""
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else ""
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, NotFoundError):
        return error_response(exc.code, exc.message, exc.fields, status_code=404)
    if isinstance(exc, ConflictError):
        return error_response(exc.code, exc.message, exc.fields, status_code=409)
    if isinstance(exc, UnavailableError):
        return error_response(exc.code, exc.message, exc.fields, status_code=503)
    if isinstance(exc, DomainError):
        return error_response(exc.code, exc.message, exc.fields)
    if isinstance(exc, DjangoValidationError):
        # Model-wide errors (constraints on several fields) are the message, not a field.
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        fields = {name: errors for name, errors in fields.items() if name != NON_FIELD_ERRORS}
        return error_response("invalid", " ".join(exc.messages), fields)
    if isinstance(exc, IntegrityError):
        # Validation ran before the write, so this is a race with another request.
        return error_response(
            "conflict",
            "Another request changed the same record at the same moment; reload and try again.",
            status_code=409,
        )
    if isinstance(exc, RequestDataTooBig):
        limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return error_response(
            "request_too_large",
            f"The request body is larger than the limit of {limit}; send less at a time.",
            status_code=413,
        )
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return error_response(
            "too_many_fields",
            f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} parameters or "
            "fields; send fewer at a time.",
        )
    if isinstance(exc, OverflowError):
        # SQLite cannot even compare an id or number past 64 bits (PostgreSQL finds nothing).
        return error_response("invalid", "A number in the request is out of range.")
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: a bug, left to Django's 500 handling and logging
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = {k: v for k, v in detail.items() if k != "non_field_errors"}
        message = _first_message(detail) or "Invalid input."
        response.data = {"error": {"code": "invalid", "message": message, "fields": fields}}
    else:
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        if not isinstance(code, str):
            code = "error"
        response.data = {"error": {"code": code, "message": str(exc.detail), "fields": {}}}
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = "Api-Key"
    return response
