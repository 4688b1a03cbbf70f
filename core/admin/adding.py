"""Adding through services: add pages whose form goes to a service, and bulk add by URL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IS_POPUP_VAR
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from core.admin.display import admin_change_url, external_link
from core.bulk import CREATED, EXISTS, INVALID, AddResult
from core.errors import DomainError

# --- Adding through services ------------------------------------------------------------------


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's DomainError on the form: on the fields it names, else above the form."""
    placed = False
    for field, field_errors in (error.fields or {}).items():
        if field in form.fields:
            for message in field_errors:
                form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


def url_field(label: str, *, help_text: str) -> forms.CharField:
    """The URL field of an add page (a post's, a profile's): what the service adds."""
    return forms.CharField(
        label=label,
        max_length=2048,
        widget=forms.TextInput(attrs={"size": 80, "autofocus": True}),
        help_text=help_text,
    )


class ServiceAddMixin:
    """An add page whose form is handed to a service (where the rules live) instead of being
    saved by ModelForm.save(). A DomainError from the service becomes a form error.

    Subclasses set `add_form` and `add_fieldsets` and implement `add_with_service`. On change
    pages only `editable_fields` (the business fields) can be edited; the rest is read-only.
    """

    add_form: type[forms.ModelForm]
    add_fieldsets: Sequence[tuple[str | None, dict]] = ()
    editable_fields: Sequence[str] = ()

    def add_with_service(self, request: HttpRequest, form: forms.ModelForm) -> HttpResponse:
        raise NotImplementedError

    def response_added_by_url(self, request: HttpRequest, obj: Any, *, created: bool):
        """The answer to adding `obj` by its URL: its change page with a warning when it was
        already tracked (nothing changed), else the admin's usual answer to an addition."""
        if not created:
            self.message_user(
                request,
                format_html(
                    "This {} is already tracked: {}. Nothing was changed.",
                    self.opts.verbose_name,
                    external_link(obj.url),
                ),
                messages.WARNING,
            )
            return redirect(admin_change_url(obj))
        self.log_addition(request, obj, [{"added": {}}])
        return self.response_add(request, obj)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if not self.editable_fields:
            return super().get_readonly_fields(request, obj)
        editable = set(self.editable_fields)
        return [name for name in helpers.flatten_fieldsets(self.fieldsets) if name not in editable]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
            declared = self.add_form.declared_fields
            kwargs["fields"] = [
                name
                for name in helpers.flatten_fieldsets(self.get_fieldsets(request, None))
                if name not in declared
            ]
        return super().get_form(request, obj, change=change, **kwargs)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form_class = self.get_form(request, None, change=False)
        if request.method == "POST":
            form = form_class(request.POST, request.FILES)
            if form.is_valid():
                try:
                    return self.add_with_service(request, form)
                except DomainError as exc:
                    add_domain_error(form, exc)
        else:
            form = form_class(initial=self.get_changeform_initial_data(request))
        admin_form = helpers.AdminForm(
            form,
            list(self.get_fieldsets(request, None)),
            self.get_prepopulated_fields(request, None),
            (),
            model_admin=self,
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Add {self.opts.verbose_name}",
            "subtitle": None,
            "adminform": admin_form,
            "object_id": None,
            "original": None,
            "is_popup": IS_POPUP_VAR in request.POST or IS_POPUP_VAR in request.GET,
            "to_field": None,
            "media": self.media + admin_form.media,
            "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        return self.render_change_form(request, context, add=True, form_url=form_url)


BULK_STATUS_LABELS = {CREATED: "Created", EXISTS: "Already there", INVALID: "Invalid"}


class BulkAddForm(forms.Form):
    """One URL per line; subclasses add the business fields given to every new row."""

    urls = forms.CharField(
        label="URLs",
        widget=forms.Textarea(attrs={"rows": 12, "cols": 100, "placeholder": "One URL per line"}),
        help_text="One URL per line; blank lines are skipped. Adding twice is harmless.",
    )

    def clean_urls(self) -> list[str]:
        urls = [line.strip() for line in self.cleaned_data["urls"].splitlines() if line.strip()]
        if not urls:
            raise forms.ValidationError("Paste at least one URL.")
        if len(urls) > settings.API_BULK_MAX_URLS:
            raise forms.ValidationError(
                f"At most {settings.API_BULK_MAX_URLS:,} URLs at a time ({len(urls):,} pasted)."
            )
        return urls


class BulkAddMixin:
    """A "Bulk add" page at <changelist>/bulk-add/: paste URLs, see one result per URL.

    Subclasses set `bulk_add_form` and implement `bulk_add_with_service`.
    """

    bulk_add_form: type[BulkAddForm]
    bulk_add_template = "admin/core/bulk_add.html"
    change_list_template = "admin/core/change_list.html"

    def bulk_add_with_service(self, request: HttpRequest, form: BulkAddForm) -> list[AddResult]:
        raise NotImplementedError

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_bulk_add"
        return [
            path("bulk-add/", self.admin_site.admin_view(self.bulk_add_view), name=name),
            *super().get_urls(),
        ]

    def bulk_add_url(self) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_bulk_add")

    def changelist_view(self, request, extra_context=None):
        if self.has_add_permission(request):
            extra_context = {**(extra_context or {}), "bulk_add_url": self.bulk_add_url()}
        return super().changelist_view(request, extra_context)

    def bulk_add_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        results: list[dict] = []
        if request.method == "POST":
            form = self.bulk_add_form(request.POST)
            if form.is_valid():
                try:
                    outcome = self.bulk_add_with_service(request, form)
                except DomainError as exc:
                    add_domain_error(form, exc)
                else:
                    results = self._describe_results(outcome)
                    self._report_results(request, outcome)
        else:
            form = self.bulk_add_form(initial=self.get_changeform_initial_data(request))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Bulk add {self.opts.verbose_name_plural}",
            "opts": self.opts,
            "form": form,
            "results": results,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, self.bulk_add_template, context)

    def _describe_results(self, outcome: Iterable[AddResult]) -> list[dict]:
        return [
            {
                "line": line,
                "url": result.url,
                "status": result.status,
                "label": BULK_STATUS_LABELS[result.status],
                "obj": result.obj,
                "obj_url": admin_change_url(result.obj) if result.obj is not None else "",
                "error": result.error,
            }
            for line, result in enumerate(outcome, start=1)
        ]

    def _report_results(self, request: HttpRequest, outcome: Sequence[AddResult]) -> None:
        counts = {status: 0 for status in BULK_STATUS_LABELS}
        for result in outcome:
            counts[result.status] += 1
        summary = (
            f"{counts[CREATED]:,} created, {counts[EXISTS]:,} already there, "
            f"{counts[INVALID]:,} invalid."
        )
        level = messages.WARNING if counts[INVALID] else messages.SUCCESS
        self.message_user(request, summary, level)
