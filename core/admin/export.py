"""A changelist's CSV export: the rows the changelist shows (the same filters, search and
visibility), every export column, streamed."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone

from core.csv_export import csv_streaming_response, queryset_csv_rows


class CsvExportAdminMixin:
    """A FilterSetAdminMixin ModelAdmin with an "Export CSV" link on its changelist; the file
    holds `csv_export_fields` of the rows matching the changelist's URL."""

    csv_export_fields: Sequence[str] = ()

    def _export_url_name(self) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_export_csv"

    def get_urls(self):
        view = self.admin_site.admin_view(self.export_csv_view)
        return [path("export.csv", view, name=self._export_url_name()), *super().get_urls()]

    def export_queryset(self, request: HttpRequest):
        """The changelist's rows: visibility, the FilterSet's filters and ordering, the search."""
        queryset = self.apply_filterset(request, self.get_queryset(request))
        queryset, _ = self.get_search_results(request, queryset, request.GET.get("q", ""))
        return queryset

    def csv_hidden_fields(self, request: HttpRequest) -> Collection[str]:
        """The export columns the user may not see (personal data): left out of the file."""
        return ()

    def export_csv_view(self, request: HttpRequest) -> StreamingHttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        rows = queryset_csv_rows(
            self.export_queryset(request),
            self.csv_export_fields,
            hidden=self.csv_hidden_fields(request),
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return csv_streaming_response(rows, filename=f"{self.opts.model_name}s-{stamp}.csv")

    def changelist_view(self, request, extra_context=None):
        query = request.GET.urlencode()
        url = reverse(f"admin:{self._export_url_name()}", current_app=self.admin_site.name)
        extra_context = {
            **(extra_context or {}),
            "export_csv_url": f"{url}?{query}" if query else url,
        }
        return super().changelist_view(request, extra_context)
