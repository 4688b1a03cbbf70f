"""Reads of notifications: a person's inbox, its unread count, who holds a permission."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

from .models import Notification


def notifications_of(user) -> QuerySet:
    """A person's notifications, newest first (nobody else's, whatever their role)."""
    if not (user and user.is_authenticated):
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def notifications_unread_count(user) -> int:
    return notifications_of(user).filter(read_at__isnull=True).count()


def users_with_perm(perm: str) -> QuerySet:
    """The active users holding `perm` ("app_label.codename") through a group, directly, or
    as superusers: whom to tell about something only that permission lets them act on."""
    app_label, codename = perm.split(".", 1)
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions__in=permission)
            | Q(groups__permissions__in=permission)
        )
        .distinct()
    )
