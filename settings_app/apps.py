from django.apps import AppConfig, apps
from django.contrib.auth.apps import AuthConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs) -> None:
    # Once per migrate, after the last app's permissions exist: new models' permissions go to
    # the Owner (and to any role that names the whole app).
    if sender is not list(apps.get_app_configs())[-1]:
        return
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from .roles import roles_sync

    roles_sync(Group=Group, Permission=Permission, ContentType=ContentType)


class SettingsAppConfig(AppConfig):
    default = True
    name = "settings_app"
    verbose_name = "Settings"

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, dispatch_uid="settings_app.sync_roles")
        from . import signals

        signals.connect()


class UsersAndRolesConfig(AuthConfig):
    """django.contrib.auth, shown in the admin as "Users & Roles" (roles are groups)."""

    verbose_name = "Users & Roles"
