"""Shared admin machinery: fast changelists on big tables, FilterSet-driven filters, service-backed
add pages, and the admin site's look (title, order of the modules)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import django_filters
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.filters import ListFilter
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.timezone import localtime
from django_filters.widgets import SuffixedMultiWidget

from core.bulk import CREATED, EXISTS, INVALID, AddResult
from core.errors import DomainError
from core.models import AuditEntry
from core.pagination import EXACT_COUNT_LIMIT, bounded_count

EMPTY = "—"

# --- Admin site -------------------------------------------------------------------------------

# The back office's modules, in the order staff use them; other apps (auth, jobs) follow.
APP_ORDER = ("posts", "creators", "finance", "operations", "settings_app")

admin.site.site_header = "CreatorOps"
admin.site.site_title = "CreatorOps admin"
admin.site.index_title = "Back office"
admin.site.empty_value_display = EMPTY

_default_get_app_list = admin.site.get_app_list


def ordered_app_list(app_list: list[dict]) -> list[dict]:
    """Sort the admin's app list by APP_ORDER, keeping the others after them by name."""
    rank = {label: position for position, label in enumerate(APP_ORDER)}
    return sorted(app_list, key=lambda app: (rank.get(app["app_label"], len(rank)), app["name"]))


def _get_app_list(request: HttpRequest, app_label: str | None = None) -> list[dict]:
    return ordered_app_list(_default_get_app_list(request, app_label))


# A small customization of the default site rather than a custom AdminSite: every app keeps
# registering with `admin.site`, and the index and the nav sidebar both read get_app_list.
admin.site.get_app_list = _get_app_list


# --- Display helpers --------------------------------------------------------------------------


def format_count(value: int | None) -> str | None:
    """`1234567` as "1,234,567"; None stays None so the admin shows "—"."""
    return None if value is None else f"{value:,}"


def format_percent(value: Decimal | float | None) -> str | None:
    return None if value is None else f"{value:,.2f}%"


def image_tag(url: str, *, alt: str = "", size: int = 48) -> str:
    """A small lazy image from a platform CDN (no referrer, so hotlinks work), or a placeholder."""
    if not url or not url.lower().startswith(("https://", "http://")):
        return format_html(
            '<span class="co-thumb co-thumb-empty" title="No image" style="display:inline-block;'
            'width:{0}px;height:{0}px;border-radius:4px;background:var(--darkened-bg,#eee)">'
            "</span>",
            size,
        )
    return format_html(
        '<img class="co-thumb" src="{}" alt="{}" width="{}" loading="lazy" '
        'referrerpolicy="no-referrer" style="max-height:{}px;object-fit:cover;border-radius:4px">',
        url,
        alt,
        size,
        size * 2,
    )


SNAPSHOTS_SHOWN = 20


def latest_snapshots_table(snapshots: QuerySet, counters: dict[str, str], all_url: str) -> str:
    """The latest snapshots of a post or an account as a small table, newest first, with a
    link to all of them: history can hold thousands of rows, an inline would load them all.

    `counters` maps each counter field to its column header.
    """
    latest = list(snapshots.order_by("-captured_at")[:SNAPSHOTS_SHOWN])
    if not latest:
        return "No snapshots yet."
    header = format_html_join("", "<th>{}</th>", ((title,) for title in counters.values()))
    rows = format_html_join(
        "",
        "<tr><td>{}</td>{}<td>{}</td></tr>",
        (
            (
                localtime(s.captured_at).strftime("%Y-%m-%d %H:%M"),
                format_html_join(
                    "",
                    "<td>{}</td>",
                    ((format_count(getattr(s, field)) or EMPTY,) for field in counters),
                ),
                s.source or EMPTY,
            )
            for s in latest
        ),
    )
    return format_html(
        '<table class="co-snapshots"><thead><tr><th>Captured</th>{}<th>Source</th></tr></thead>'
        '<tbody>{}</tbody></table><p><a href="{}">All snapshots</a></p>',
        header,
        rows,
        all_url,
    )


def count_column(field: str, description: str, *, ordering: str | None = None):
    """A ModelAdmin method showing an integer field with thousands separators ("—" if NULL)."""

    @admin.display(description=description, ordering=ordering)
    def column(self, obj):
        return format_count(getattr(obj, field))

    column.__name__ = f"{field}_display"
    return column


def percent_column(field: str, description: str, *, ordering: str | None = None):
    @admin.display(description=description, ordering=ordering)
    def column(self, obj):
        return format_percent(getattr(obj, field))

    column.__name__ = f"{field}_display"
    return column


def external_link(url: str) -> str:
    if not url:
        return EMPTY
    return format_html('<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', url, url)


def admin_change_url(obj: Any) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


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


class FilterSetLinksFilter(FilterSetListFilter):
    """One choice (or yes/no) filter of the FilterSet as sidebar links."""

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        (layout,) = self.layouts
        self.parameter = layout.parameters[0]
        filter_ = model_admin.get_request_filterset(request).filters[layout.name]
        self.lookup_choices = filter_choices(filter_, request)

    def has_output(self) -> bool:
        return bool(self.lookup_choices)

    def choices(self, changelist):
        selected = set(self.used_parameters.get(self.parameter, []))
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

    def get_filterset(
        self, request: HttpRequest, queryset: QuerySet | None = None, data: Any = None
    ) -> django_filters.FilterSet:
        if queryset is None:
            queryset = self.model._default_manager.none()
        return self.filterset_class(data=data, queryset=queryset, request=request)

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


# --- Audit trail ------------------------------------------------------------------------------

AUDIT_ROWS_ON_PAGE = 20


def audit_changes_text(changes: dict[str, list | None]) -> str:
    """`core.audit.audit_changes_shown_to`'s changes as one line of text."""
    return "; ".join(
        f"{name}: (hidden)" if values is None else f"{name}: {values[0]!r} → {values[1]!r}"
        for name, values in changes.items()
    )


class AuditViewerMixin:
    """Remembers on the object of a change page who is looking at it: a read-only field
    (which Django calls with the object alone) shows only the values that user may see."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj._audit_viewer = request.user
        return obj


class AuditTrailAdminMixin(AuditViewerMixin):
    """`audit_trail`: a read-only field showing the object's last changes as a small table,
    without the values the viewer may not see (core.audit's rules)."""

    @admin.display(description="Changes")
    def audit_trail(self, obj) -> str:
        from core.audit import audit_changes_shown_to, audit_entries_for

        if obj is None or obj.pk is None:
            return EMPTY
        entries = list(audit_entries_for(obj)[:AUDIT_ROWS_ON_PAGE])
        if not entries:
            return "No change recorded yet."
        # No viewer known (the page was not opened through get_object): hide all hidden values.
        viewer = getattr(obj, "_audit_viewer", None)
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    f"{localtime(e.at):%Y-%m-%d %H:%M}",
                    e.actor or "—",
                    e.action,
                    audit_changes_text(audit_changes_shown_to(viewer, e)),
                )
                for e in entries
            ),
        )
        return format_html(
            "<table><thead><tr><th>When</th><th>Who</th><th>What</th><th>Changes</th></tr>"
            "</thead><tbody>{}</tbody></table>",
            rows,
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(AuditViewerMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who changed what and when; written by the services, never edited. Values the viewer may
    not see (core.audit's rules) are hidden, in the list and on the entry's page."""

    list_display = ("at", "actor", "content_type", "object_repr", "action", "changes")
    list_filter = ("action", "content_type")
    list_select_related = ("actor", "content_type")
    search_fields = ("=object_id", "^object_repr", "^actor__username")
    show_full_result_count = False
    ordering = ("-at", "-id")
    fields = (
        "at",
        "actor",
        "content_type",
        "object_id",
        "object_repr",
        "action",
        "changes_shown",
    )
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None):
        return False

    def lookup_allowed(self, lookup, value, request=None):
        # `?changes__payment_details__icontains=` would find hidden values one row at a time.
        if lookup.split("__", 1)[0] == "changes":
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_list_display(self, request):
        from core.audit import audit_changes_shown_to

        viewer = request.user

        @admin.display(description="Changes")
        def changes(entry):
            return audit_changes_text(audit_changes_shown_to(viewer, entry))

        return [
            changes if name == "changes" else name for name in super().get_list_display(request)
        ]

    @admin.display(description="Changes")
    def changes_shown(self, entry) -> str:
        from core.audit import audit_changes_shown_to

        return audit_changes_text(
            audit_changes_shown_to(getattr(entry, "_audit_viewer", None), entry)
        )
