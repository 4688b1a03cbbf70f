import hashlib
import hmac
import logging
import secrets
import time
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.errors import DomainError

from .models import ApiKey

logger = logging.getLogger(__name__)

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
    """The active key matching `raw_key`, with its user, or None. Records when it was last used.

    The key, its user and the user's permissions come from the shared cache (`api_key_cached`)
    for up to API_KEY_CACHE_SECONDS, so a request makes one cache read instead of three
    queries; a change to any key, user or role makes every cached key stale at once. With
    API_KEY_PROCESS_SECONDS, a process keeps its own copy that long and reads no cache (a
    change made on another process then applies there within those seconds).
    """
    parts = raw_key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != "co":
        return None
    key = api_key_cached(parts[1])
    if key is None or not hmac.compare_digest(key.hashed_key, _hash_key(raw_key.strip())):
        return None
    now = timezone.now()
    if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now):
        return None
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        with transaction.atomic():
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
        if key._cache_generation is not None:
            _api_key_cache_store(key, generation=key._cache_generation)
    return key


# The cached keys: "apikey:<prefix>" holds the key's and its user's columns (not the password
# hash) and the user's permissions, tagged with the generation current when they were read from
# the database; "apikey:generation" is a random token replaced by every change that may alter a
# key's answer (see api_key_cache_invalidate). An entry of another generation is ignored: one
# read (get_many) checks both, on the database cache as on Redis, so a revocation or a role
# change applies to the next request on every process and machine.
_GENERATION = "apikey:generation"
_USER_FIELDS_SKIPPED = ("password",)


# This process's own copies (API_KEY_PROCESS_SECONDS; none by default): prefix -> (entry, when
# it was read from the shared cache or the database). Every change made in this process drops
# them all at once; a change made by another process or machine reaches this one when its copy
# is API_KEY_PROCESS_SECONDS old, as the setting documents. Worth one cache read per request.
_PROCESS_ENTRIES: dict[str, tuple[dict, float]] = {}
# Counts this process's changes (_forget_process_copies).
_process_epoch = 0


def _entry_key(prefix: str) -> str:
    return f"apikey:{prefix}"


def _api_key_generation() -> str:
    cache.add(_GENERATION, uuid.uuid4().hex, timeout=None)
    return cache.get(_GENERATION)


def api_key_cached(prefix: str) -> ApiKey | None:
    """The key of `prefix` with its user (whose permissions are loaded), from the cache when
    its entry is of the current generation, else from the database (and then cached). With the
    cache server down the database answers alone: an outage of Redis never locks keys out."""
    kept = _PROCESS_ENTRIES.get(prefix)
    if kept is not None and time.monotonic() - kept[1] < settings.API_KEY_PROCESS_SECONDS:
        key = _api_key_from_entry(kept[0])
        key._cache_generation = kept[0]["generation"]
        # A new last use written into the copy keeps its age (_keep_in_process).
        key._process_read = (_process_epoch, kept[1])
        return key
    # Taken before the shared cache or the database is read: a copy read before a change this
    # process makes meanwhile is not kept (as the generation does for the shared cache), and a
    # copy's age counts from before the read.
    process_read = (_process_epoch, time.monotonic())
    try:
        found = cache.get_many([_entry_key(prefix), _GENERATION])
        generation = found.get(_GENERATION)
        entry = found.get(_entry_key(prefix))
        if generation is not None and entry is not None and entry["generation"] == generation:
            _keep_in_process(prefix, entry, process_read)
            key = _api_key_from_entry(entry)
            key._cache_generation = generation
            key._process_read = process_read
            return key
        # The generation is read before the database: a change committed after this read
        # replaces it, so what we store below is never taken for current.
        generation = generation or _api_key_generation()
    except Exception:  # the cache backend's own connection errors
        logger.warning("The cache is unreachable: API keys are read from the database.")
        generation = None
    key = ApiKey.objects.select_related("user").filter(prefix=prefix).first()
    if key is None:
        return None
    if key.user.is_active and not key.user.is_superuser:  # a superuser's answer needs none
        key.user._perm_cache = key.user.get_all_permissions()
    key._cache_generation = generation
    key._process_read = process_read
    if generation is not None:
        _api_key_cache_store(key, generation=generation)
    return key


def _api_key_cache_store(key: ApiKey, *, generation: str) -> None:
    user = key.user
    entry = {
        "generation": generation,
        "key": {f.attname: getattr(key, f.attname) for f in ApiKey._meta.concrete_fields},
        "user": {
            f.attname: getattr(user, f.attname)
            for f in type(user)._meta.concrete_fields
            if f.attname not in _USER_FIELDS_SKIPPED
        },
        "perms": getattr(user, "_perm_cache", None),
    }
    cache.set(_entry_key(key.prefix), entry, timeout=settings.API_KEY_CACHE_SECONDS)
    _keep_in_process(key.prefix, entry, getattr(key, "_process_read", None))


def _keep_in_process(prefix: str, entry: dict, process_read: tuple[int, float] | None) -> None:
    """Keep `entry` as read at `process_read` (this process's epoch, monotonic time): never
    one read before a change made since in this process, and no copy lives longer than
    API_KEY_PROCESS_SECONDS after the shared read or the database read it came from."""
    if settings.API_KEY_PROCESS_SECONDS <= 0 or process_read is None:
        return
    epoch, read_at = process_read
    if epoch == _process_epoch:
        _PROCESS_ENTRIES[prefix] = (entry, read_at)


def _api_key_from_entry(entry: dict) -> ApiKey:
    user_model = get_user_model()
    db = ApiKey.objects.db
    user = user_model.from_db(db, list(entry["user"]), list(entry["user"].values()))
    if entry["perms"] is not None:
        user._perm_cache = set(entry["perms"])
    key = ApiKey.from_db(db, list(entry["key"]), list(entry["key"].values()))
    key.user = user
    return key


def api_key_cache_invalidate() -> None:
    """Make every cached key stale: now (this transaction's later reads) and again after the
    commit (a request that read the database before the commit may have cached the old rows
    under the generation it saw)."""
    _forget_process_copies()
    cache.set(_GENERATION, uuid.uuid4().hex, timeout=None)
    transaction.on_commit(_api_key_cache_invalidate_after_commit)


def _api_key_cache_invalidate_after_commit() -> None:
    _forget_process_copies()
    cache.set(_GENERATION, uuid.uuid4().hex, timeout=None)


def _forget_process_copies() -> None:
    global _process_epoch
    _process_epoch += 1
    _PROCESS_ENTRIES.clear()
