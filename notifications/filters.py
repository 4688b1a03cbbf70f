"""The FilterSet of notifications, for the API and the admin inbox."""

import django_filters as filters

from core.filters import CheckedFilterSet

from .choices import NotificationKind
from .models import Notification


class NotificationFilterSet(CheckedFilterSet):
    kind = filters.MultipleChoiceFilter(choices=NotificationKind.choices)
    unread = filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label="Unread only")

    class Meta:
        model = Notification
        fields = ["kind", "unread"]
