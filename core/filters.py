"""Filter pieces the apps' FilterSets share."""

import django_filters
from django_filters.constants import EMPTY_VALUES

from core.sorting import sort_by


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
            ordering.append(sort_by(qs.model, name.lstrip("-"), descending=name.startswith("-")))
        pk = qs.model._meta.pk.name
        return qs.order_by(*ordering, f"-{pk}" if ordering[0].descending else pk)
