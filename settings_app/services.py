import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.errors import DomainError

from .models import ApiKey

API_KEY_SCOPES = ("read", "write")
# Writing last_used_at on every request would turn each read into a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# Who holds it sees, creates and revokes every user's keys (the Owner role, through its "*");
# everyone else only their own.
MANAGE_ALL_KEYS = "settings_app.manage_all_apikey"


def _hash_key(raw_key: str) -> str:
    # Keys are 256-bit random secrets, so a fast hash is safe (no dictionary to attack).
    return hashlib.sha256(raw_key.encode()).hexdigest()


def api_key_users_for(creator) -> QuerySet:
    """The users `creator` may create an API key for: themselves; with MANAGE_ALL_KEYS, also
    every active user without a right the creator lacks (a superuser only from a superuser).

    A key acts with its user's rights, so a key for a user with more rights would give the
    creator those rights.
    """
    users = get_user_model().objects.filter(is_active=True)
    if not (creator.is_active and creator.has_perm(MANAGE_ALL_KEYS)):
        return users.filter(pk=creator.pk)
    if creator.is_superuser:
        return users
    theirs = Permission.objects.filter(Q(user=creator) | Q(group__user=creator)).values("pk")
    lacking = Permission.objects.exclude(pk__in=theirs)
    return (
        users.filter(is_superuser=False)
        .exclude(user_permissions__in=lacking)
        .exclude(groups__permissions__in=lacking)
    )


def _check_may_create_key(*, created_by, user) -> None:
    if user.pk == created_by.pk:
        return
    if not created_by.has_perm(MANAGE_ALL_KEYS):
        message = "You can create API keys only for yourself; ask an Owner for another user's key."
        raise DomainError(message, code="permission_denied", fields={"user": [message]})
    # An inactive user gets no key at all: api_key_create says so.
    if user.is_active and not api_key_users_for(created_by).filter(pk=user.pk).exists():
        message = (
            f"{user} has rights you do not have, and a key acts with its user's rights: "
            "only a user with at least their rights may create a key for them."
        )
        raise DomainError(message, code="permission_denied", fields={"user": [message]})


def api_key_create(
    *,
    user,
    name: str,
    scopes: list[str] | None = None,
    expires_at: datetime | None = None,
    created_by=None,
) -> tuple[ApiKey, str]:
    """Create a key for `user` and return it with its raw value, which is never stored nor
    shown again.

    `created_by` is the signed-in user asking (admin, API): they may create keys for the users
    of `api_key_users_for(created_by)` only. None is the command line (`manage.py apikey`),
    whose operator already holds the server.
    """
    if created_by is not None:
        _check_may_create_key(created_by=created_by, user=user)
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
