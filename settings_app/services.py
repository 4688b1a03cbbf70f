import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError

from .models import ApiKey

API_KEY_SCOPES = ("read", "write")
# Writing last_used_at on every request would turn each read into a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash_key(raw_key: str) -> str:
    # Keys are 256-bit random secrets, so a fast hash is safe (no dictionary to attack).
    return hashlib.sha256(raw_key.encode()).hexdigest()


def api_key_create(
    *, user, name: str, scopes: list[str] | None = None, expires_at: datetime | None = None
) -> tuple[ApiKey, str]:
    """Create a key and return it with its raw value, which is never stored nor shown again."""
    scopes = list(scopes or [])
    unknown = sorted(set(scopes) - set(API_KEY_SCOPES))
    if unknown:
        raise DomainError(f"Unknown scope(s): {', '.join(unknown)}. Use 'read' or 'write'.")
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError(
            "The expiry date must be in the future.", fields={"expires_at": ["In the past."]}
        )
    if not user.is_active:
        raise DomainError("API keys can only be created for active users.")
    prefix = secrets.token_hex(4)
    raw_key = f"co_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        name=name.strip() or "API key", user=user, prefix=prefix, hashed_key=_hash_key(raw_key)
    )
    key.scopes = scopes
    key.expires_at = expires_at
    key.full_clean()
    key.save()
    return key, raw_key


def api_key_revoke(*, key: ApiKey) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def api_key_authenticate(raw_key: str) -> ApiKey | None:
    """The active key matching `raw_key`, or None. Records when it was last used."""
    parts = raw_key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != "co":
        return None
    key = ApiKey.objects.select_related("user").filter(prefix=parts[1]).first()
    if key is None or not hmac.compare_digest(key.hashed_key, _hash_key(raw_key.strip())):
        return None
    now = timezone.now()
    if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now):
        return None
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        with transaction.atomic():
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
