"""The API's filter backend: every list's FilterSet refuses bad values (core.filters)."""

from django_filters import rest_framework, utils

from core.filters import CheckedFilterSet


class CheckedRestFilterSet(CheckedFilterSet, rest_framework.FilterSet):
    pass


class CheckedFilterBackend(rest_framework.DjangoFilterBackend):
    """DjangoFilterBackend whose FilterSets built from a view's `filterset_fields` are checked
    like the apps' own (`?is_active=maybe` is a 400, not "no filter")."""

    filterset_base = CheckedRestFilterSet

    def get_filterset_class(self, view, queryset=None):
        # django-filter builds a new class from `filterset_fields` on every request, and the
        # per-class caches of core.filters (form class, skippable filters) would then grow by
        # one entry per request: one class per view, model and fields instead.
        fields = getattr(view, "filterset_fields", None)
        if getattr(view, "filterset_class", None) or not fields or queryset is None:
            return super().get_filterset_class(view, queryset)
        key = (type(view), queryset.model, repr(fields))
        if key not in _FIELDS_FILTERSETS:
            _FIELDS_FILTERSETS[key] = super().get_filterset_class(view, queryset)
        return _FIELDS_FILTERSETS[key]

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


# (view class, model, its filterset_fields) -> the FilterSet class built from them.
_FIELDS_FILTERSETS: dict[tuple, type] = {}
