"""The one FilterSet for accounts: the API and the admin both filter through it."""

import django_filters as filters
from django.db.models import Q

from core.filters import BigListFilterSet, CheckedFilterSet, SortFilter, any_related
from posts.choices import AccountType, Platform, ProcessingStatus
from posts.filters import search_urls_usernames_captions
from settings_app.models import Board, Client, Editor

from .models import Account, AccountSnapshot, KpiStatus


class AccountFilterSet(BigListFilterSet):
    search = filters.CharFilter(
        method="filter_search", label="Search (URL, user id, username, name)"
    )
    platform = filters.MultipleChoiceFilter(choices=Platform.choices)
    username = filters.CharFilter(method="filter_username", label="Username")
    client = filters.ModelMultipleChoiceFilter(queryset=Client.objects.all())
    editor = filters.ModelMultipleChoiceFilter(queryset=Editor.objects.all())
    board = filters.ModelMultipleChoiceFilter(
        field_name="boards",
        queryset=Board.objects.all(),
        label="Board (belongs to)",
        method=any_related,
    )
    type = filters.MultipleChoiceFilter(choices=AccountType.choices)
    tracking_enabled = filters.BooleanFilter()
    finance_item = filters.NumberFilter(field_name="finance_item_id", label="Finance item id")
    kpi_status = filters.MultipleChoiceFilter(choices=KpiStatus.choices)
    processing_status = filters.MultipleChoiceFilter(choices=ProcessingStatus.choices)
    followers = filters.RangeFilter(label="Followers (min / max)")
    refresh_failing = filters.BooleanFilter(
        method="filter_refresh_failing",
        label="Refresh failing",
        help_text="The last profile refresh or new-post detection failed (see stats_error, "
        "detect_error); retried with backoff.",
    )
    ordering = SortFilter(
        fields=(
            "username",
            "followers",
            "avg_views",
            "total_views",
            "posts_last_7d",
            "posts_last_30d",
            "posts_last_90d",
            "views_last_7d",
            "views_last_30d",
            "views_last_90d",
            "views_last_365d",
            "last_stats_update",
            "created_at",
        )
    )

    class Meta:
        model = Account
        fields = []

    def filter_search(self, queryset, name, value):
        return search_urls_usernames_captions(
            queryset, value, caption_field="full_name", id_field="external_id"
        )

    def filter_username(self, queryset, name, value):
        return queryset.filter(username=value.strip().lstrip("@").lower())

    def filter_refresh_failing(self, queryset, name, value):
        if value is None:
            return queryset
        failing = Q(stats_failures__gt=0) | Q(detect_failures__gt=0)
        return queryset.filter(failing if value else ~failing)


class AccountSnapshotFilterSet(CheckedFilterSet):
    captured_at = filters.IsoDateTimeFromToRangeFilter(label="Captured (after / before)")

    class Meta:
        model = AccountSnapshot
        fields = []
