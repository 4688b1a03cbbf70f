"""Cache invalidation only (no workflow): whatever may change what an API key is allowed to do
makes the cached keys stale (settings_app.services.api_key_cache_invalidate). Saves that go
through QuerySet.update() send no signal: ApiKey's only one is last_used_at, which changes no
answer."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_save

from .models import ApiKey
from .services import api_key_cache_invalidate

_M2M_CHANGES = ("post_add", "post_remove", "post_clear")


def _changed(sender, **kwargs) -> None:
    api_key_cache_invalidate()


def _user_saved(sender, update_fields=None, **kwargs) -> None:
    # Signing in to the admin saves last_login alone: no key's answer changes.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    api_key_cache_invalidate()


def _m2m_changed(sender, action, **kwargs) -> None:
    if action in _M2M_CHANGES:
        api_key_cache_invalidate()


def connect() -> None:
    user_model = get_user_model()
    uid = "settings_app.api_key_cache"
    post_save.connect(_changed, sender=ApiKey, dispatch_uid=f"{uid}.key_saved")
    post_delete.connect(_changed, sender=ApiKey, dispatch_uid=f"{uid}.key_deleted")
    post_save.connect(_user_saved, sender=user_model, dispatch_uid=f"{uid}.user_saved")
    post_delete.connect(_changed, sender=user_model, dispatch_uid=f"{uid}.user_deleted")
    post_delete.connect(_changed, sender=Group, dispatch_uid=f"{uid}.group_deleted")
    post_delete.connect(_changed, sender=Permission, dispatch_uid=f"{uid}.permission_deleted")
    for through, name in (
        (user_model.groups.through, "user_groups"),
        (user_model.user_permissions.through, "user_permissions"),
        (Group.permissions.through, "group_permissions"),
    ):
        m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"{uid}.{name}")
