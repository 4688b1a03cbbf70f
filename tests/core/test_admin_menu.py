"""The admin's menu (config.admin_menu): every role sees the workspace pages it may open, and
nothing on its admin index or in its nav sidebar answers 403."""

import pytest
from django.contrib import admin
from django.urls import resolve, reverse

from config.admin_menu import MENU
from config.admin_site import CreatorOpsAdminSite
from core.admin_site import MenuAdminSite
from tests.settings_app.factories import UserFactory

pytestmark = pytest.mark.django_db

ALL_PAGES = {
    ("posts", "Trial reels board"),
    ("posts", "Boards"),
    ("finance", "Payments board"),
    ("operations", "Operations dashboard"),
    ("analytics", "Generate a report"),
}
# The workspace pages each role finds in its menu (settings_app.roles).
PAGES_SEEN = {
    "Owner": ALL_PAGES,
    "Manager": ALL_PAGES,
    # Finance and Analysts read reports; they do not generate them.
    "Finance": ALL_PAGES - {("analytics", "Generate a report")},
    "Analyst": ALL_PAGES - {("analytics", "Generate a report")},
    # Scoped to their own posts: no boards' totals, no money, no operations; reports on the
    # creators they work with.
    "Editor": {("posts", "Trial reels board"), ("analytics", "Generate a report")},
}


def _links(app_list: list[dict]) -> set[str]:
    urls = set()
    for app in app_list:
        urls.add(app["app_url"])
        for model in app["models"]:
            urls.update(url for url in (model.get("admin_url"), model.get("add_url")) if url)
    return urls


@pytest.mark.parametrize("role", sorted(PAGES_SEEN))
def test_every_role_opens_every_page_of_its_index_and_sidebar(client, role):
    client.force_login(UserFactory(username=role.lower(), roles=[role]))

    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    entries = {
        (app["app_label"], model["name"])
        for app in index.context["app_list"]
        for model in app["models"]
    }
    assert entries & ALL_PAGES == PAGES_SEEN[role]
    links = _links(index.context["app_list"])
    # The nav sidebar of a page (not the index, which has none) lists the same apps.
    first = sorted(links)[0]
    sidebar = client.get(first).context["available_apps"]
    links |= _links(sidebar)

    refused = {url: client.get(url).status_code for url in sorted(links)}
    assert {url: code for url, code in refused.items() if code == 403} == {}
    assert set(refused.values()) <= {200}


def test_each_menu_entry_needs_the_permissions_its_page_checks():
    for entry in MENU:
        view = resolve(reverse(f"admin:{entry.url_name}")).func
        assert view.page_class.permissions == entry.permissions, entry.url_name


def test_admin_site_is_the_creatorops_site_with_its_own_app_list():
    assert isinstance(admin.site, CreatorOpsAdminSite)
    # Nothing patches the site: get_app_list is the class's own method.
    assert admin.site.get_app_list.__func__ is MenuAdminSite.get_app_list
