"""The API's filter backend: every list's FilterSet refuses bad values (core.filters)."""

from django_filters import rest_framework, utils

from core.filters import CheckedFilterSet


class CheckedRestFilterSet(CheckedFilterSet, rest_framework.FilterSet):
    pass


class CheckedFilterBackend(rest_framework.DjangoFilterBackend):
    """DjangoFilterBackend whose FilterSets built from a view's `filterset_fields` are checked
    like the apps' own (`?is_active=maybe` is a 400, not "no filter")."""

    filterset_base = CheckedRestFilterSet

    def filter_queryset(self, request, queryset, view):
        # django-filter's, but the FilterSet only filters (to_html draws another one).
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if isinstance(filterset, CheckedFilterSet):
            filterset.only_named_filters = True
        if not filterset.is_valid() and self.raise_exception:
            raise utils.translate_validation(filterset.errors)
        return filterset.qs
