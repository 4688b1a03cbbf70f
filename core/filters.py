"""Filter pieces the apps' FilterSets share."""

from collections.abc import Collection
from functools import cached_property

import django_filters
from django.db.models import F, QuerySet
from django_filters.constants import EMPTY_VALUES

from core.sorting import sort_by


class BigListFilterSet(django_filters.FilterSet):
    """A FilterSet for lists of millions of rows: no filter adds DISTINCT.

    django-filter's multiple-choice filters add it by default, and PostgreSQL then
    de-duplicates every matching (wide) row before the first page. None of our filters can
    repeat a row: foreign keys and choices cannot, many-to-many filters are semijoins
    (`any_related`)."""

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        for filter_ in filters.values():
            filter_.distinct = False
        return filters


class HiddenFieldsFilterSet(django_filters.FilterSet):
    """A FilterSet that refuses to filter, sort or search by the fields the request's user may
    not see: answering a count for `?payment_method=wise` would reveal the value one row at a
    time. Subclasses name those fields with `hidden_fields(user)`. A refused parameter is a
    validation error naming it, so it is never applied: the API answers 400, the admin shows a
    message (and does not offer the filter, see core.admin.FilterSetAdminMixin)."""

    def hidden_fields(self, user) -> Collection[str]:
        return ()

    @cached_property
    def hidden_field_names(self) -> frozenset[str]:
        return frozenset(self.hidden_fields(getattr(self.request, "user", None)))

    @cached_property
    def refused_filters(self) -> frozenset[str]:
        """The filters on a hidden field (whatever the request's data)."""
        return frozenset(
            name
            for name, filter_ in self.filters.items()
            if not isinstance(filter_, django_filters.OrderingFilter)
            and _root(filter_.field_name) in self.hidden_field_names
        )

    @property
    def errors(self):
        errors = self.form.errors
        if self.is_bound and not getattr(self, "_refusals_checked", False):
            self._refusals_checked = True
            self._refuse_hidden_parameters()
        return errors

    def is_valid(self) -> bool:
        return self.is_bound and not self.errors

    def _refuse_hidden_parameters(self) -> None:
        form = self.form
        for name in self.refused_filters:
            if _given(form[name].data):
                form.add_error(name, f"You may not filter or search by {name}.")
        for name, filter_ in self.filters.items():
            if not isinstance(filter_, django_filters.OrderingFilter):
                continue
            hidden = {
                param
                for param, field in filter_.param_map.items()
                if _root(field) in self.hidden_field_names
            }
            asked = {value.lstrip("-") for value in form[name].data or () if value}
            for param in sorted(asked & hidden):
                form.add_error(name, f"You may not sort by {param}.")


def _root(field_name: str) -> str:
    return field_name.split("__", 1)[0]


def _given(value) -> bool:
    if isinstance(value, list | tuple):
        return any(_given(v) for v in value)
    return value not in EMPTY_VALUES


class SortFilter(django_filters.OrderingFilter):
    """`?ordering=-views,post_date`, on core.sorting's sort keys (NULL sorts lowest), ties
    broken by the primary key in the first key's direction: every page is stable and every
    ordering can be keyset-paged (the models index the common ones)."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        ordering = []
        for param in value:
            name = self.get_ordering_value(param)
            field, descending = name.lstrip("-"), name.startswith("-")
            if self._bounded(field):
                # A range filter on it leaves no NULL: sort on the column, whose index serves
                # the range and the order at once.
                ordering.append(F(field).desc() if descending else F(field).asc())
            else:
                ordering.append(sort_by(qs.model, field, descending=descending))
        pk = qs.model._meta.pk.name
        return qs.order_by(*ordering, f"-{pk}" if ordering[0].descending else pk)

    def _bounded(self, field: str) -> bool:
        """The FilterSet filters `field` by a range with at least one bound."""
        parent = getattr(self, "parent", None)
        if parent is None or not hasattr(parent.form, "cleaned_data"):
            return False
        return any(
            filter_.field_name == field and has_bound(parent.form.cleaned_data.get(name))
            for name, filter_ in parent.filters.items()
        )


def has_bound(value) -> bool:
    """A range filter's cleaned value (a slice) with a start or a stop."""
    return isinstance(value, slice) and (value.start is not None or value.stop is not None)


def any_related(queryset: QuerySet, name: str, values) -> QuerySet:
    """Rows linked to any of `values` through the many-to-many field `name`: a semijoin on the
    through table (`id IN (SELECT …)`), so a row linked to two of them is listed once without
    DISTINCT, which would sort every matching row before the first page. A FilterSet
    `method` for many-to-many filters."""
    if not values:
        return queryset
    field = queryset.model._meta.get_field(name)
    through = field.remote_field.through._default_manager
    linked = through.filter(**{f"{field.m2m_reverse_field_name()}__in": values})
    return queryset.filter(pk__in=linked.values(field.m2m_field_name()))
