"""Changelists on big tables, filtered through the model's FilterSet (the API's): sidebar filters,
URL parameters and search box, with estimated counts on millions of rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import django_filters
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.filters import ListFilter
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django_filters.widgets import SuffixedMultiWidget

from core.admin.display import EMPTY
from core.pagination import EXACT_COUNT_LIMIT, bounded_count

# --- Big tables -------------------------------------------------------------------------------


class EstimatedCountPaginator(Paginator):
    """Counting a million rows on every page is slow on PostgreSQL: the count is exact up to
    `estimate_threshold` rows and the planner's estimate beyond (core.pagination)."""

    estimate_threshold = EXACT_COUNT_LIMIT

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return super().count
        return bounded_count(self.object_list, limit=self.estimate_threshold)[0]


class BigTableAdminMixin:
    """Changelist settings for tables that grow to millions of rows."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    empty_value_display = EMPTY
    # Related objects fetched per page, not per row (many-to-many columns).
    list_prefetch_related: Sequence[Any] = ()

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return FilterSetChangeList


class ReadOnlyAdminMixin:
    """History written by jobs (snapshots): staff look, they do not add or edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- FilterSet-driven filters -----------------------------------------------------------------

LINKS, INPUTS, HIDDEN = "links", "inputs", "hidden"
_DATE_RANGE_FILTERS = (
    django_filters.DateFromToRangeFilter,
    django_filters.DateTimeFromToRangeFilter,
    django_filters.IsoDateTimeFromToRangeFilter,
)


@dataclass(frozen=True)
class FilterLayout:
    """How one FilterSet filter shows in the sidebar and which query parameters it reads."""

    name: str
    label: str
    kind: str
    parameters: tuple[str, ...]
    suffixes: tuple[str, ...]
    input_type: str = "text"


def filterset_layout(
    filterset: django_filters.FilterSet, *, search_param: str
) -> list[FilterLayout]:
    """Sidebar layout of a FilterSet: choice and yes/no filters become links, the others inputs;
    the search (the admin's search box) and ordering are accepted but not shown."""
    layout = []
    for name, filter_ in filterset.filters.items():
        widget = filter_.field.widget
        if isinstance(widget, SuffixedMultiWidget):
            suffixes = tuple(widget.suffixes)
            parameters = tuple(widget.suffixed(name, suffix) for suffix in suffixes)
        else:
            suffixes, parameters = ("",), (name,)
        if name == search_param or isinstance(filter_, django_filters.OrderingFilter):
            kind = HIDDEN
        elif isinstance(
            filter_,
            django_filters.BooleanFilter
            | django_filters.ChoiceFilter
            | django_filters.MultipleChoiceFilter,
        ):
            kind = LINKS
        else:
            kind = INPUTS
        if isinstance(filter_, _DATE_RANGE_FILTERS):
            input_type = "date"
        elif isinstance(filter_, django_filters.NumberFilter | django_filters.RangeFilter):
            input_type = "number"
        else:
            input_type = "text"
        layout.append(
            FilterLayout(
                name=name,
                # An explicit label, else the filter's (URL) name rather than its model field's.
                label=str(getattr(filter_, "_label", None) or capfirst(name.replace("_", " "))),
                kind=kind,
                parameters=parameters,
                suffixes=suffixes,
                input_type=input_type,
            )
        )
    return layout


def filter_choices(filter_: django_filters.Filter, request: HttpRequest) -> list[tuple[str, str]]:
    """The values a links filter offers: yes/no, the choices, or the rows of its queryset."""
    if isinstance(filter_, django_filters.BooleanFilter):
        return [("true", "Yes"), ("false", "No")]
    if isinstance(
        filter_, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter
    ):
        return [(str(obj.pk), str(obj)) for obj in filter_.get_queryset(request)]
    return [(str(value), str(label)) for value, label in filter_.field.choices if value != ""]


class FilterSetListFilter(ListFilter):
    """Declares (and takes out of the admin's own lookups) the query parameters of some
    FilterSet filters. It filters nothing itself: FilterSetChangeList applies the whole FilterSet
    once, exactly as the API does."""

    layouts: tuple[FilterLayout, ...] = ()

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.model_admin = model_admin
        for layout in self.layouts:
            for parameter in layout.parameters:
                if parameter in params:
                    self.used_parameters[parameter] = params.pop(parameter)

    def expected_parameters(self) -> list[str]:
        return [parameter for layout in self.layouts for parameter in layout.parameters]

    def queryset(self, request, queryset):
        return None

    def has_output(self) -> bool:
        return False

    def choices(self, changelist):
        return []


# Beyond this many values a filter is a searchable select (core/select_filter.js), not links.
MOST_LINKS = 12


class FilterSetLinksFilter(FilterSetListFilter):
    """One choice (or yes/no) filter of the FilterSet as sidebar links; a long one (a hundred
    subcategories, clients, editors) as a select with a box that narrows it as one types."""

    select_template = "admin/core/filterset_select_filter.html"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        (layout,) = self.layouts
        self.parameter = layout.parameters[0]
        filter_ = model_admin.get_request_filterset(request).filters[layout.name]
        self.lookup_choices = filter_choices(filter_, request)
        if len(self.lookup_choices) > MOST_LINKS:
            self.template = self.select_template

    def has_output(self) -> bool:
        return bool(self.lookup_choices)

    def choices(self, changelist):
        selected = set(self.used_parameters.get(self.parameter, []))
        if self.template == self.select_template:
            yield self._select(changelist, selected)
            return
        yield {
            "selected": not selected,
            "query_string": changelist.get_query_string({self.parameter: None}),
            "display": "All",
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": value in selected,
                "query_string": changelist.get_query_string({self.parameter: [value]}),
                "display": label,
            }

    def _select(self, changelist, selected: set[str]) -> dict:
        return {
            "parameter": self.parameter,
            "options": [(value, label, value in selected) for value, label in self.lookup_choices],
            "count": len(self.lookup_choices),
            "selected": bool(selected),
            "hidden": [
                (key, value)
                for key, values in changelist.filter_params.items()
                if key != self.parameter
                for value in values
            ],
            "clear_url": changelist.get_query_string({self.parameter: None}),
        }


class FilterSetInputsFilter(FilterSetListFilter):
    """The FilterSet's free-value filters (ranges, dates, ids, username) as one small form."""

    title = "more filters"
    template = "admin/core/filterset_inputs_filter.html"

    def has_output(self) -> bool:
        return bool(self.layouts)

    def choices(self, changelist):
        own = set(self.expected_parameters())
        rows = []
        for layout in self.layouts:
            inputs = []
            for parameter, suffix in zip(layout.parameters, layout.suffixes, strict=True):
                value = (self.used_parameters.get(parameter) or [""])[-1]
                input_type = layout.input_type
                if input_type == "date" and len(value) > len("2026-01-01"):
                    input_type = "text"  # a date and time from an API-style URL: keep it as is
                inputs.append(
                    {
                        "name": parameter,
                        "value": value,
                        "placeholder": suffix or layout.label.split(" (")[0].lower(),
                        "aria_label": f"{layout.label.split(' (')[0]} {suffix}".strip(),
                        "type": input_type,
                    }
                )
            rows.append({"label": layout.label, "inputs": inputs})
        hidden = [
            (key, value)
            for key, values in changelist.filter_params.items()
            if key not in own
            for value in values
        ]
        yield {
            "rows": rows,
            "hidden": hidden,
            "clear_url": changelist.get_query_string(dict.fromkeys(own)),
            "active": any(any(v) for v in self.used_parameters.values()),
        }


class FilterSetHiddenFilter(FilterSetListFilter):
    """Search and ordering: accepted in the URL (as in the API), not drawn in the sidebar."""

    title = "hidden"


class FilterSetChangeList(ChangeList):
    """A changelist that filters through the model's FilterSet and prefetches per page."""

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        apply_filterset = getattr(self.model_admin, "apply_filterset", None)
        if apply_filterset is not None:
            queryset = apply_filterset(request, queryset)
        prefetch = getattr(self.model_admin, "list_prefetch_related", ())
        if prefetch:
            queryset = queryset.prefetch_related(*prefetch)
        return queryset


class FilterSetAdminMixin(BigTableAdminMixin):
    """A ModelAdmin whose sidebar filters, URL parameters and search box are its FilterSet's.

    `/admin/posts/post/?is_trial=true&platform=tiktok&views_min=1000` filters exactly like
    `/api/v1/posts/?is_trial=true&platform=tiktok&views_min=1000`.
    """

    filterset_class: type[django_filters.FilterSet]
    filterset_search_param = "search"
    search_help_text = "Paste a URL, or type the start of a username."

    @property
    def media(self):
        # The long filters' search boxes (no inline script: the CSP forbids them).
        return super().media + forms.Media(
            js=["core/select_filter.js"], css={"all": ["core/changelist.css"]}
        )

    def get_filterset(
        self, request: HttpRequest, queryset: QuerySet | None = None, data: Any = None
    ) -> django_filters.FilterSet:
        if queryset is None:
            queryset = self.model._default_manager.none()
        filterset = self.filterset_class(data=data, queryset=queryset, request=request)
        # A bound FilterSet only filters here (the sidebar is drawn from an unbound one): its
        # form needs only the filters the URL names (core.filters.CheckedFilterSet.form).
        filterset.only_named_filters = data is not None
        return filterset

    def get_request_filterset(self, request: HttpRequest) -> django_filters.FilterSet:
        """An unbound FilterSet for drawing the sidebar, built once per request."""
        cache = request.__dict__.setdefault("_admin_filtersets", {})
        if id(self) not in cache:
            cache[id(self)] = self.get_filterset(request)
        return cache[id(self)]

    @cached_property
    def filterset_layouts(self) -> list[FilterLayout]:
        return filterset_layout(
            self.filterset_class(queryset=self.model._default_manager.none()),
            search_param=self.filterset_search_param,
        )

    @cached_property
    def filterset_parameters(self) -> frozenset[str]:
        return frozenset(p for layout in self.filterset_layouts for p in layout.parameters)

    def _filterset_list_filters(
        self, refused: frozenset[str] = frozenset()
    ) -> list[type[FilterSetListFilter]]:
        """The sidebar's filters; the `refused` ones (fields the user may not see) are not
        offered, only taken out of the URL so the FilterSet refuses them with a message."""
        cache = self.__dict__.setdefault("_filterset_list_filters_cache", {})
        if refused in cache:
            return cache[refused]
        generated: list[type[FilterSetListFilter]] = []
        by_kind: dict[str, list[FilterLayout]] = {LINKS: [], INPUTS: [], HIDDEN: []}
        for layout in self.filterset_layouts:
            by_kind[HIDDEN if layout.name in refused else layout.kind].append(layout)
        for layout in by_kind[LINKS]:
            title = layout.label[:1].lower() + layout.label[1:]
            generated.append(
                type(
                    f"{layout.name.title().replace('_', '')}Filter",
                    (FilterSetLinksFilter,),
                    {"title": title, "layouts": (layout,)},
                )
            )
        generated.append(
            type("ValuesFilter", (FilterSetInputsFilter,), {"layouts": tuple(by_kind[INPUTS])})
        )
        generated.append(
            type("HiddenFilter", (FilterSetHiddenFilter,), {"layouts": tuple(by_kind[HIDDEN])})
        )
        cache[refused] = generated
        return generated

    def get_list_filter(self, request: HttpRequest) -> list:
        filterset = self.get_request_filterset(request)
        refused = frozenset(getattr(filterset, "refused_filters", ()))
        return [*self._filterset_list_filters(refused), *super().get_list_filter(request)]

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        # The admin's own `?field=value` lookups: never on a field the user may not see. The
        # FilterSet's parameters are the FilterSet's to refuse (with a message).
        if request is not None and lookup not in self.filterset_parameters:
            hidden = getattr(self.get_request_filterset(request), "hidden_field_names", ())
            if lookup.split("__", 1)[0] in hidden:
                return False
        return super().lookup_allowed(lookup, value, request)

    def apply_filterset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        filterset = self.get_filterset(request, queryset, data=request.GET)
        if not filterset.is_valid():
            errors = "; ".join(
                f"{name}: {' '.join(str(e) for e in field_errors)}"
                for name, field_errors in filterset.errors.items()
            )
            messages.warning(request, f"Some filters were ignored — {errors}")
        # The FilterSet's ordering (core.filters.SortFilter, ties broken) replaces the admin's.
        return filterset.qs

    def get_search_results(self, request, queryset, search_term):
        # The search box is the FilterSet's search: a pasted URL finds its post or account.
        if not search_term.strip():
            return queryset, False
        filterset = self.get_filterset(
            request, queryset, data={self.filterset_search_param: search_term}
        )
        return filterset.qs, False

    def changelist_view(self, request, extra_context=None):
        # Empty inputs of the sidebar form would clutter the URL and count as active filters.
        if request.method == "GET":
            pairs = [(key, value) for key, values in request.GET.lists() for value in values]
            kept = [(k, v) for k, v in pairs if not (k in self.filterset_parameters and v == "")]
            if len(kept) != len(pairs):
                return HttpResponseRedirect(
                    f"{request.path}?{urlencode(kept)}" if kept else request.path
                )
        return super().changelist_view(request, extra_context)
