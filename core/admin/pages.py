"""Custom admin pages (boards, dashboards): one shape for all of them.

A page is a class naming its route, URL name, title, template and the permissions it needs;
`get_context` reads, `post` acts (and redirects). The owning ModelAdmin lists its pages in
`pages` and `AdminPagesMixin.get_urls` registers them under its URLs, wrapped by the site's
`admin_view` (signed-in staff only). The page checks the permissions that the site's menu
(core.admin_site.MenuEntry) declares for it, so a menu entry never leads to a 403.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse


def posted_ids(values: Iterable[str]) -> list[int]:
    """The ids of a page's checkboxes or buttons (`request.POST.getlist("ids")`); anything that
    is not an id is left out."""
    return [int(value) for value in values if str(value).isascii() and str(value).isdigit()]


class AdminPage:
    """One custom admin page, created per request by its view.

    Subclasses set `route` (under the owning ModelAdmin's URLs), `url_name`, `title`,
    `template` and `permissions` (every one needed to open the page), implement
    `get_context`, and `post` if the page has buttons."""

    route: str
    url_name: str
    title: str = ""
    template: str
    permissions: tuple[str, ...] = ()

    def __init__(self, model_admin: admin.ModelAdmin, request: HttpRequest) -> None:
        self.model_admin = model_admin
        self.admin_site = model_admin.admin_site
        self.request = request

    @classmethod
    def as_view(cls, model_admin: admin.ModelAdmin):
        def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            return cls(model_admin, request).dispatch(**kwargs)

        view.page_class = cls  # read by the tests that match menu and page permissions
        return view

    @classmethod
    def url_pattern(cls, model_admin: admin.ModelAdmin):
        view = model_admin.admin_site.admin_view(cls.as_view(model_admin))
        return path(cls.route, view, name=cls.url_name)

    def url(self, *args: Any) -> str:
        return reverse(f"admin:{self.url_name}", args=args, current_app=self.admin_site.name)

    def has_permission(self) -> bool:
        return self.request.user.has_perms(self.permissions)

    def dispatch(self, **kwargs: Any) -> HttpResponse:
        if not self.has_permission():
            raise PermissionDenied
        if self.request.method == "POST":
            return self.post(**kwargs)
        return self.get(**kwargs)

    def get(self, **kwargs: Any) -> HttpResponse:
        return self.render(self.get_context(**kwargs))

    def get_context(self, **kwargs: Any) -> dict:
        return {}

    def post(self, **kwargs: Any) -> HttpResponse:
        raise PermissionDenied

    def render(self, context: dict) -> HttpResponse:
        context = {
            **self.admin_site.each_context(self.request),
            "title": self.title,  # a page may name itself in its context (the month shown)
            "opts": self.model_admin.opts,
            **context,
        }
        return TemplateResponse(self.request, self.template, context)


class AdminPagesMixin:
    """A ModelAdmin that registers its custom `pages` under its URLs."""

    pages: Sequence[type[AdminPage]] = ()

    def get_urls(self):
        return [*(page.url_pattern(self) for page in self.pages), *super().get_urls()]
