"""`Idempotency-Key` on creates: a client that sends the same key and body again (a timeout, a
retry) gets the first answer back, status and body, instead of a second object. The same key
with another body is refused (409). Keys are per user and endpoint, kept IDEMPOTENCY_TTL."""

import hashlib
import json
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from core.errors import ConflictError, DomainError
from core.models import IdempotencyRecord

IDEMPOTENCY_TTL = timedelta(hours=24)
HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string (a UUID) of at most 255 characters. Sent again with the same body "
        "within 24 h, the first answer is returned and nothing new is created; with another "
        "body, the request is refused (409)."
    ),
)


class IdempotencyKeyReused(ConflictError):
    code = "idempotency_key_reused"


def _request_hash(data) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def idempotency_records_purge(*, now=None) -> int:
    """Delete the records older than the TTL. Returns how many."""
    cutoff = (now or timezone.now()) - IDEMPOTENCY_TTL
    return IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()[0]


class IdempotentCreateMixin:
    """For a viewset's `create`: `return self.idempotent(request, self._create)` honours the
    Idempotency-Key header. The first successful answer is stored in the same transaction as
    the object it created, so two requests racing with one key create one object (the second
    gets a 409 and may retry to read the answer)."""

    def idempotent(self, request, create):
        key = request.headers.get(HEADER)
        if key is None:
            return create(request)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            raise DomainError(
                f"The {HEADER} header must be 1 to {MAX_KEY_LENGTH} characters.",
                fields={HEADER: ["Invalid key."]},
            )
        scope = f"{request.method} {request.path}"[:200]
        digest = _request_hash(request.data)
        with transaction.atomic():
            IdempotencyRecord.objects.filter(
                user=request.user,
                scope=scope,
                key=key,
                created_at__lt=timezone.now() - IDEMPOTENCY_TTL,
            ).delete()
            first = IdempotencyRecord.objects.filter(
                user=request.user, scope=scope, key=key
            ).first()
            if first is not None:
                if first.request_hash != digest:
                    raise IdempotencyKeyReused(
                        f"This {HEADER} was already used with another request body: send a "
                        "new key for a new request.",
                    )
                return Response(first.response_body, status=first.status_code)
            response = create(request)
            if 200 <= response.status_code < 300:
                IdempotencyRecord.objects.create(
                    user=request.user,
                    scope=scope,
                    key=key,
                    request_hash=digest,
                    status_code=response.status_code,
                    response_body=json.loads(json.dumps(response.data, default=str)),
                )
            return response
