"""core.filters.HiddenFieldsFilterSet refuses a filter or a sort on a hidden field whatever the
parameter is called, and leaves the other parameters working."""

import django_filters
import pytest

from core.filters import HiddenFieldsFilterSet
from finance.models import FinanceItem
from tests.finance.factories import FinanceItemFactory

pytestmark = pytest.mark.django_db


class ItemsFilterSet(HiddenFieldsFilterSet):
    how = django_filters.CharFilter(field_name="payment_method", lookup_expr="iexact")
    payee = django_filters.CharFilter(field_name="payee_name")
    order = django_filters.OrderingFilter(fields=(("payment_method", "how"), "code"))

    class Meta:
        model = FinanceItem
        fields = []

    def hidden_fields(self, user):
        return () if user == "sees" else ("payment_method",)


class Request:
    def __init__(self, user):
        self.user = user


def _filter(user, **data):
    return ItemsFilterSet(data=data, queryset=FinanceItem.objects.all(), request=Request(user))


def test_a_filter_on_a_hidden_field_is_refused_and_not_applied_whatever_its_name():
    FinanceItemFactory(payment_method="wise")
    FinanceItemFactory(payment_method="cash")

    hidden = _filter("nobody", how="wise")
    shown = _filter("sees", how="wise")

    assert not hidden.is_valid()
    assert hidden.errors["how"] == ["You may not filter or search by how."]
    assert hidden.qs.count() == 2
    assert shown.is_valid() and shown.qs.count() == 1
    assert hidden.refused_filters == {"how"} and shown.refused_filters == set()


def test_a_sort_on_a_hidden_field_is_refused_but_other_sorts_work():
    refused = _filter("nobody", order="-how")
    allowed = _filter("nobody", order="code", payee="x")

    assert refused.errors["order"] == ["You may not sort by how."]
    assert allowed.is_valid()
    assert _filter("sees", order="-how").is_valid()
