"""The API's filter backend: every list's FilterSet refuses bad values (core.filters)."""

from django_filters import rest_framework

from core.filters import CheckedFilterSet


class CheckedRestFilterSet(CheckedFilterSet, rest_framework.FilterSet):
    pass


class CheckedFilterBackend(rest_framework.DjangoFilterBackend):
    """DjangoFilterBackend whose FilterSets built from a view's `filterset_fields` are checked
    like the apps' own (`?is_active=maybe` is a 400, not "no filter")."""

    filterset_base = CheckedRestFilterSet
