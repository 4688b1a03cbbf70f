"""Refresh now, in the admin: a changelist action and a button on the change page, both through
the app's service (posts.services.refresh_now, creators.services.refresh_now). creators' admin
uses the same mixin."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse

from core.admin.pages import AdminPage


class RefreshNowPage(AdminPage):
    """The change page's "Refresh now" button (POST only). Subclasses set `route`
    ("<path:object_id>/refresh-now/"), `url_name` and `permissions`."""

    def get(self, **kwargs) -> HttpResponse:
        return HttpResponseNotAllowed(["POST"])

    def post(self, object_id: str) -> HttpResponse:
        model_admin, request = self.model_admin, self.request
        obj = model_admin.get_object(request, unquote(object_id))  # rows the role shows only
        if obj is None:
            raise Http404
        if not model_admin.has_change_permission(request, obj):
            raise PermissionDenied
        queued = model_admin.refresh_now_service(ids=[obj.pk], actor=request.user)
        model_admin.refresh_now_report(request, selected=1, queued=queued)
        opts = model_admin.opts
        return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", obj.pk)


class RefreshNowAdminMixin:
    """A ModelAdmin with "Refresh now": the action (for users who may change the rows) and the
    change page's button (its template posts to `refresh_now_page`)."""

    refresh_now_service: Callable[..., int]  # (ids=, actor=) -> how many were queued
    refresh_now_page: type[RefreshNowPage]
    # Why a selected row may not be queued (shown when some were not).
    refresh_now_left_out: str = ""

    # Tells the change page's button where to post, and what it does.
    refresh_now_title = "Fetch the latest numbers from the platform as soon as a worker is free"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        opts = self.opts
        url = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_refresh_now",
            args=[object_id],
            current_app=self.admin_site.name,
        )
        extra_context = {
            "refresh_now_url": url,
            "refresh_now_title": self.refresh_now_title,
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [self.refresh_now_page.url_pattern(self), *super().get_urls()]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.has_change_permission(request):
            actions["refresh_now"] = (
                RefreshNowAdminMixin.refresh_now,
                "refresh_now",
                RefreshNowAdminMixin.refresh_now.short_description,
            )
        return actions

    @admin.action(description="Refresh now")
    def refresh_now(self, request, queryset):
        selected = queryset.count()
        ids = queryset.values_list("pk", flat=True)
        queued = self.refresh_now_service(ids=ids, actor=request.user)
        self.refresh_now_report(request, selected=selected, queued=queued)

    def refresh_now_report(self, request, *, selected: int, queued: int) -> None:
        plural = self.opts.verbose_name_plural if queued != 1 else self.opts.verbose_name
        if queued:
            message = (
                f"Refresh queued for {queued:,} {plural}: the platform is asked as soon as a "
                "worker is free; reload the page in a minute to see the new numbers."
            )
        else:
            message = f"Nothing was queued. {self.refresh_now_left_out}"
        if 0 < queued < selected:
            message += f" {selected - queued:,} left out. {self.refresh_now_left_out}"
        self.message_user(request, message, messages.SUCCESS if queued else messages.WARNING)
