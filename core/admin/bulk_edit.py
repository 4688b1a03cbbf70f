"""Bulk edit of a selection's business fields: an admin action with an intermediate form, the
change made by the app's service (one UPDATE, audited)."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpRequest
from django.template.response import TemplateResponse

from core.edits import BOARDS_ADD, BOARDS_REMOVE, BOARDS_REPLACE

BOARDS_MODES = (
    ("", "Keep their boards"),
    (BOARDS_ADD, "Add the ticked boards"),
    (BOARDS_REMOVE, "Remove the ticked boards"),
    (BOARDS_REPLACE, "Replace their boards with the ticked ones"),
)


def bulk_edit_form_class(model, names: Sequence[str]) -> type[forms.Form]:
    """A form with, per field, a "change" tick and the new value (empty clears it), and the
    boards with what to do with them."""
    base = forms.fields_for_model(
        model, fields=[*names, "boards"], widgets={"boards": forms.CheckboxSelectMultiple}
    )
    attrs: dict = {}
    for name in names:
        field = base[name]
        field.required = False
        attrs[f"change_{name}"] = forms.BooleanField(
            required=False, label=f"Change {str(field.label).lower()}"
        )
        attrs[name] = field
    base["boards"].required = False
    attrs["boards"] = base["boards"]
    attrs["boards_mode"] = forms.ChoiceField(choices=BOARDS_MODES, required=False, label="Boards")
    return type(f"{model.__name__}BulkEditForm", (forms.Form,), attrs)


class BulkEditAdminMixin:
    """Adds the "Edit business fields…" action; the admin names `bulk_edit_fields` and
    implements `bulk_edit_with_service(request, queryset, fields, boards, boards_mode)`."""

    bulk_edit_fields: Sequence[str] = ()

    def bulk_edit_with_service(self, request, queryset, fields, boards, boards_mode) -> int:
        raise NotImplementedError

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        if self.bulk_edit_fields and self.has_change_permission(request):
            action = type(self).bulk_edit_selection
            actions["bulk_edit_selection"] = (
                action,
                "bulk_edit_selection",
                action.short_description,
            )
        return actions

    @admin.action(description="Edit business fields of the selected %(verbose_name_plural)s…")
    def bulk_edit_selection(self, request: HttpRequest, queryset):
        form_class = bulk_edit_form_class(self.model, self.bulk_edit_fields)
        if "apply" in request.POST:
            form = form_class(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                fields = {n: data[n] for n in self.bulk_edit_fields if data[f"change_{n}"]}
                mode = data["boards_mode"]
                boards = list(data["boards"]) if mode else None
                if not fields and boards is None:
                    self.message_user(
                        request, "Nothing was ticked: nothing changed.", messages.WARNING
                    )
                    return None
                count = self.bulk_edit_with_service(request, queryset, fields, boards, mode)
                self.message_user(
                    request,
                    f"{count:,} {self.opts.verbose_name_plural} changed.",
                    messages.SUCCESS,
                )
                return None
        else:
            form = form_class()
        context = {
            **self.admin_site.each_context(request),
            "title": f"Edit {self.opts.verbose_name_plural}",
            "opts": self.opts,
            "form": form,
            "rows": [(form[f"change_{name}"], form[name]) for name in self.bulk_edit_fields],
            "count": queryset.count(),
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/core/bulk_edit.html", context)
