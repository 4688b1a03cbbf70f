"""A changelist's columns: a few by default so the table fits a 1440 px screen, the others on
demand. The choice travels in the URL (`?cols=views,likes`, `?cols=all`, `?cols=default`) and
is kept in the user's session for the next visit."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.admin.filters import ListFilter
from django.contrib.admin.utils import label_for_field
from django.http import HttpRequest

COLUMNS_PARAM = "cols"
ALL, DEFAULT = "all", "default"


def _session_key(model_admin) -> str:
    return f"admin_columns:{model_admin.opts.label_lower}"


def chosen_columns(request: HttpRequest, model_admin, every: Sequence[str]) -> list[str]:
    """The columns to show, in their declared order: the URL's choice (then remembered), else
    the remembered one, else the admin's `default_list_display`."""
    session = getattr(request, "session", None)
    key = _session_key(model_admin)
    asked = [
        name
        for value in request.GET.getlist(COLUMNS_PARAM)
        for name in value.split(",")
        if name.strip()
    ]
    names: list[str] | None = None
    if asked == [DEFAULT]:
        if session is not None:
            session.pop(key, None)
    elif asked == [ALL]:
        names = list(every)
    elif asked:
        names = [name for name in asked if name in every]
    elif session is not None:
        names = session.get(key)
    if asked and names and session is not None:
        session[key] = names
    shown = set(names or model_admin.default_list_display)
    return [name for name in every if name in shown]


class ColumnsFilter(ListFilter):
    """The sidebar's "Columns" box: a checkbox per column. It takes `cols` out of the admin's
    lookups and filters nothing."""

    title = "columns"
    template = "admin/core/columns_filter.html"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        params.pop(COLUMNS_PARAM, None)
        every = model_admin.every_list_display(request)
        shown = set(chosen_columns(request, model_admin, every))
        self.columns = [
            (name, label_for_field(name, model, model_admin), name in shown) for name in every
        ]

    def has_output(self) -> bool:
        return True

    def expected_parameters(self) -> list[str]:
        return [COLUMNS_PARAM]

    def queryset(self, request, queryset):
        return None

    def choices(self, changelist):
        yield {
            "columns": [
                {"name": name, "label": label, "shown": shown}
                for name, label, shown in self.columns
            ],
            "hidden": [
                (key, value)
                for key, values in changelist.filter_params.items()
                if key != COLUMNS_PARAM
                for value in values
            ],
            "default_url": changelist.get_query_string({COLUMNS_PARAM: DEFAULT}),
            "all_url": changelist.get_query_string({COLUMNS_PARAM: ALL}),
        }


class ColumnChoiceAdminMixin:
    """A ModelAdmin whose `list_display` is every column one may show and
    `default_list_display` the few shown until the user chooses others."""

    default_list_display: Sequence[str] = ()

    def every_list_display(self, request: HttpRequest) -> list[str]:
        return list(super().get_list_display(request))

    def get_list_display(self, request: HttpRequest):
        every = self.every_list_display(request)
        if not self.default_list_display:
            return every
        return chosen_columns(request, self, every)

    def get_list_filter(self, request: HttpRequest) -> list:
        return [ColumnsFilter, *super().get_list_filter(request)]

    def get_list_display_links(self, request: HttpRequest, list_display):
        # The link columns may be hidden: then the first shown column opens the row.
        links = super().get_list_display_links(request, list_display)
        if links is None:
            return None
        shown = [name for name in links if name in list_display]
        if shown:
            return shown
        return [name for name in list_display if name != "action_checkbox"][:1]
