"""The FilterSets of finance items and statements: the API and the admin both filter through
them."""

import django_filters as filters
from django import forms
from django.db.models import Q
from drf_spectacular.utils import extend_schema_field

from core.api.serializers import MONTH_SCHEMA
from core.errors import DomainError
from core.filters import CheckedFilterSet, HiddenFieldsFilterSet
from core.inputs import AsciiDecimalField
from creators.models import KpiStatus
from settings_app.access import personal_fields_hidden_from

from .choices import StatementStatus
from .models import FinanceItem, PayoutStatement
from .queries import parse_month, with_balance_owed


class MonthField(forms.CharField):
    """ "YYYY-MM" as the 1st of the month."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_month(value)
        except DomainError as error:
            raise forms.ValidationError(error.message, code="invalid") from None


@extend_schema_field(MONTH_SCHEMA)
class MonthFilter(filters.Filter):
    field_class = MonthField


class FinanceFilterSet(HiddenFieldsFilterSet, CheckedFilterSet):
    """Refuses filtering, sorting and searching by the payees' personal data for users who may
    not see it (settings_app.access), in the API and the admin alike."""

    def hidden_fields(self, user):
        return personal_fields_hidden_from(user, self._meta.model)


class IdFilter(filters.NumberFilter):
    """An id, in ASCII digits only (core.inputs)."""

    field_class = AsciiDecimalField


def _search_items(queryset, prefix: str, value: str):
    value = value.strip()
    if not value:
        return queryset
    return queryset.filter(
        Q(**{f"{prefix}code__istartswith": value}) | Q(**{f"{prefix}payee_name__icontains": value})
    )


class FinanceItemFilterSet(FinanceFilterSet):
    search = filters.CharFilter(method="filter_search", label="Search (code, payee)")
    is_active = filters.BooleanFilter()
    prorate_by_volume = filters.BooleanFilter()
    payment_method = filters.CharFilter(lookup_expr="iexact")
    ordering = filters.OrderingFilter(
        fields=("code", "payee_name", "base_monthly_pay", "last_paid_date", "created_at")
    )

    class Meta:
        model = FinanceItem
        fields = []

    def filter_search(self, queryset, name, value):
        return _search_items(queryset, "", value)


class PayoutStatementFilterSet(FinanceFilterSet):
    search = filters.CharFilter(method="filter_search", label="Search (code, payee)")
    month = MonthFilter(label="Month (YYYY-MM)")
    status = filters.MultipleChoiceFilter(choices=StatementStatus.choices)
    kpi_status = filters.MultipleChoiceFilter(choices=KpiStatus.choices)
    finance_item = IdFilter(field_name="finance_item_id", label="Finance item id")
    has_balance = filters.BooleanFilter(
        method="filter_has_balance", label="Has balance (money still owed)"
    )
    ordering = filters.OrderingFilter(
        fields=(
            "month",
            ("finance_item__code", "code"),
            "amount_due",
            ("balance_owed", "balance"),
            "paid_at",
            "status",
        )
    )

    class Meta:
        model = PayoutStatement
        fields = []

    def filter_queryset(self, queryset):
        # The balance is computed in SQL, once, for the `has_balance` filter and the ordering.
        if "balance_owed" not in queryset.query.annotations:
            queryset = with_balance_owed(queryset)
        return super().filter_queryset(queryset)

    def filter_search(self, queryset, name, value):
        return _search_items(queryset, "finance_item__", value)

    def filter_has_balance(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(balance_owed__gt=0) if value else queryset.exclude(balance_owed__gt=0)
        )
