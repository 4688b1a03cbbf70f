"""The FilterSets of publishing: the API and the admin both filter through them."""

import django_filters as filters

from core.filters import CheckedFilterSet

from .choices import ConnectionStatus, MediaKind, PostStatus
from .models import MediaAsset, PublishTarget, ScheduledPost, SocialConnection


class ScheduledPostFilterSet(CheckedFilterSet):
    """`?status=&start=&end=&account=`; the queryset carries the derived `status`
    (queries.with_status)."""

    status = filters.MultipleChoiceFilter(choices=PostStatus.choices, method="filter_status")
    start = filters.IsoDateTimeFilter(
        field_name="scheduled_at", lookup_expr="gte", label="Due at or after"
    )
    end = filters.IsoDateTimeFilter(field_name="scheduled_at", lookup_expr="lt", label="Due before")
    account = filters.NumberFilter(method="filter_account", label="Account id (a destination)")

    class Meta:
        model = ScheduledPost
        fields = ["status", "start", "end", "account"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(status__in=value) if value else queryset

    def filter_account(self, queryset, name, value):
        # A subquery, not a join: the post stays one row and its status counts every target.
        posts = PublishTarget.objects.filter(connection__account_id=value).values("post_id")
        return queryset.filter(pk__in=posts)


class SocialConnectionFilterSet(CheckedFilterSet):
    status = filters.MultipleChoiceFilter(choices=ConnectionStatus.choices)
    account = filters.NumberFilter(field_name="account_id", label="Account id")

    class Meta:
        model = SocialConnection
        fields = ["platform", "status", "account"]


class MediaAssetFilterSet(CheckedFilterSet):
    kind = filters.ChoiceFilter(choices=MediaKind.choices)

    class Meta:
        model = MediaAsset
        fields = ["kind"]
