"""The one FilterSet for posts: the API and the admin both filter through it."""

import django_filters as filters
from django.contrib.auth import get_user_model
from django.db.models import Q

from core.filters import (
    BigListFilterSet,
    CheckedFilterSet,
    NameOrIdFilter,
    SortFilter,
    any_related,
    has_bound,
)
from platforms.urls import UnsupportedURL, parse_url
from settings_app.models import Board, Category, Client, Editor, Subcategory

from .choices import BaseFormat, ContentType, Platform, ProcessingStatus, ReelStyle, TrialStatus
from .models import Post, PostSnapshot


def search_urls_usernames_captions(
    queryset, value: str, *, caption_field: str | None, id_field: str | None = None
):
    """A pasted URL finds its post or account; other text matches a username prefix, a caption
    or, exactly, the platform's id (`id_field`: a post id, an account's user id)."""
    value = value.strip()
    if not value:
        return queryset
    try:
        parsed = parse_url(value)
    except UnsupportedURL:
        parsed = None
    if parsed is not None and not parsed.needs_redirect:
        if parsed.post_id and queryset.model is Post:
            return queryset.filter(platform=parsed.platform, post_id=parsed.post_id)
        if parsed.username:
            # A profile URL finds its author; on accounts, so does a post URL naming its author.
            return queryset.filter(platform=parsed.platform, username=parsed.username)
        return queryset.none()  # a post URL without its author names no account
    condition = Q(username__startswith=value.lstrip("@").lower())
    if id_field:
        # Every platform named: the (platform, id) unique index serves the exact match.
        condition |= Q(platform__in=Platform.values, **{id_field: value})
    if caption_field:
        condition |= Q(**{f"{caption_field}__icontains": value})
    return queryset.filter(condition)


class PostFilterSet(BigListFilterSet):
    search = filters.CharFilter(
        method="filter_search", label="Search (URL, post id, username, caption)"
    )
    is_trial = filters.BooleanFilter()
    trial_status = filters.MultipleChoiceFilter(choices=TrialStatus.choices)
    platform = filters.MultipleChoiceFilter(choices=Platform.choices)
    account = filters.NumberFilter(field_name="account_id", label="Account id")
    username = filters.CharFilter(method="filter_username", label="Username")
    client = filters.ModelMultipleChoiceFilter(queryset=Client.objects.all())
    editor = filters.ModelMultipleChoiceFilter(queryset=Editor.objects.all())
    assignee = filters.ModelMultipleChoiceFilter(
        queryset=get_user_model().objects.filter(is_staff=True)
    )
    board = filters.ModelMultipleChoiceFilter(
        field_name="boards",
        queryset=Board.objects.all(),
        label="Board (belongs to)",
        method=any_related,
    )
    finance_item = filters.NumberFilter(field_name="finance_item_id", label="Finance item id")
    # By id or by name: ?category=Fitness&subcategory=Home%20workouts
    category = NameOrIdFilter(queryset=Category.objects.all())
    subcategory = NameOrIdFilter(
        field_name="subcategories",
        queryset=Subcategory.objects.select_related("category"),
        method=any_related,
    )
    reel_style = filters.MultipleChoiceFilter(choices=ReelStyle.choices)
    processing_status = filters.MultipleChoiceFilter(choices=ProcessingStatus.choices)
    base_format = filters.MultipleChoiceFilter(choices=BaseFormat.choices)
    content_type = filters.MultipleChoiceFilter(choices=ContentType.choices)
    post_date = filters.IsoDateTimeFromToRangeFilter(
        label="Posted (after / before)",
        help_text="Without `ordering`, a period lists the newest posted first.",
    )
    added_date = filters.IsoDateTimeFromToRangeFilter(label="Added (after / before)")
    views = filters.RangeFilter(label="Views (min / max)")
    likes = filters.RangeFilter(label="Likes (min / max)")
    engagement_rate = filters.RangeFilter(label="Engagement rate % (min / max)")
    # The new-post feed: ?detected=true&ordering=-detected_at
    detected = filters.BooleanFilter(
        field_name="detected_at",
        lookup_expr="isnull",
        exclude=True,
        label="Found by new-post detection",
    )
    detected_at = filters.IsoDateTimeFromToRangeFilter(label="Detected (after / before)")
    refresh_failing = filters.BooleanFilter(
        method="filter_refresh_failing",
        label="Refresh failing",
        help_text="The last stats refresh failed (see refresh_error); retried with backoff.",
    )
    ordering = SortFilter(
        fields=(
            "post_date",
            "added_date",
            "views",
            "likes",
            "comments",
            "shares",
            "engagement_rate",
            "last_updated",
            "username",
            "detected_at",
        )
    )

    class Meta:
        model = Post
        fields = []

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        period = self.form.cleaned_data.get("post_date")
        if not self.form.cleaned_data.get("ordering") and has_bound(period):
            # A period of posts reads newest posted first, and the post-date index then serves
            # both the range and the order (newest added first would walk every newer post).
            queryset = self.filters["ordering"].filter(queryset, ["-post_date"])
        return queryset

    def filter_search(self, queryset, name, value):
        return search_urls_usernames_captions(
            queryset, value, caption_field="caption", id_field="post_id"
        )

    def filter_username(self, queryset, name, value):
        return queryset.filter(username=value.strip().lstrip("@").lower())

    def filter_refresh_failing(self, queryset, name, value):
        if value is None:
            return queryset
        failing = Q(refresh_failures__gt=0)
        return queryset.filter(failing if value else ~failing)


class PostSnapshotFilterSet(CheckedFilterSet):
    captured_at = filters.IsoDateTimeFromToRangeFilter(label="Captured (after / before)")

    class Meta:
        model = PostSnapshot
        fields = []
