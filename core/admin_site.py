"""The admin site's machinery: the order of the modules and a menu of custom pages declared
once, each entry shown only to the users who may open it.

The site owns its `get_app_list`, which both the index and the nav sidebar read; no module
patches `admin.site`. The project's site (config.admin_site) gives the order and the menu.
This module imports nothing that registers models: the site is built while the admin
autodiscovers the apps' admin modules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse

# What the admin shows for an empty value (the site's default, and core.admin.display's).
EMPTY = "—"


@dataclass(frozen=True)
class MenuEntry:
    """A custom admin page listed under its app: `label`, at the admin URL named `url_name`,
    shown to users who hold every one of `permissions` (the permissions the page checks)."""

    app_label: str
    label: str
    url_name: str
    permissions: tuple[str, ...]

    @property
    def object_name(self) -> str:
        return self.label.title().replace(" ", "")


def ordered_app_list(app_list: list[dict], order: Sequence[str]) -> list[dict]:
    """Sort the admin's app list by `order` (app labels), keeping the others after them by
    name."""
    rank = {label: position for position, label in enumerate(order)}
    return sorted(app_list, key=lambda app: (rank.get(app["app_label"], len(rank)), app["name"]))


class MenuAdminSite(admin.AdminSite):
    """An admin site whose modules come in `app_order` and whose apps list, first, the `menu`
    entries the user may open."""

    empty_value_display = EMPTY
    app_order: Sequence[str] = ()
    menu: Sequence[MenuEntry] = ()

    def ordered_app_list(self, app_list: list[dict]) -> list[dict]:
        return ordered_app_list(app_list, self.app_order)

    def menu_entries_for(self, request: HttpRequest, app_label: str) -> list[MenuEntry]:
        return [
            entry
            for entry in self.menu
            if entry.app_label == app_label and request.user.has_perms(entry.permissions)
        ]

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict]:
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            pages = [
                {
                    "name": entry.label,
                    "object_name": entry.object_name,
                    "perms": {"view": True},
                    "admin_url": reverse(f"admin:{entry.url_name}", current_app=self.name),
                    "add_url": None,
                    "view_only": True,
                }
                for entry in self.menu_entries_for(request, app["app_label"])
            ]
            app["models"][:0] = pages
        return self.ordered_app_list(app_list)
