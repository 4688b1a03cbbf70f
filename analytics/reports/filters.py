"""The reports' FilterSet, shared by the API (and usable by the admin)."""

from django_filters import rest_framework as filters

from core.filters import CheckedFilterSet

from ..choices import ReportKind, ReportStatus, ScopeKind
from ..models import Report


class ReportFilterSet(CheckedFilterSet):
    status = filters.MultipleChoiceFilter(choices=ReportStatus.choices)
    kind = filters.MultipleChoiceFilter(choices=ReportKind.choices)
    scope_kind = filters.ChoiceFilter(choices=ScopeKind.choices)
    scope_id = filters.NumberFilter()
    created_after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Report
        fields = ["status", "kind", "scope_kind", "scope_id"]
