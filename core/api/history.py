"""Snapshot histories for charts (`?granularity=day|week|month`), shared by the apps' nested
snapshot lists (a post's stats, an account's followers)."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import generics, serializers

from core.windows import GRANULARITIES, bucket_end, bucket_start

HISTORY_PARAMETERS = [
    OpenApiParameter(
        "granularity",
        str,
        enum=GRANULARITIES,
        description=(
            "One point per day, week or month (agency time zone) instead of the raw snapshots: "
            "the bucket's last snapshot, and `gained` since the previous point."
        ),
    ),
    OpenApiParameter(
        "start", OpenApiTypes.DATETIME, description="With granularity: first bucket (ISO 8601)."
    ),
    OpenApiParameter(
        "end", OpenApiTypes.DATETIME, description="With granularity: last bucket (ISO 8601)."
    ),
]


class SnapshotHistoryQuerySerializer(serializers.Serializer):
    """The query of a history: bucket size and an optional range of buckets."""

    granularity = serializers.ChoiceField(
        choices=GRANULARITIES, help_text="Bucket size, in the agency's time zone."
    )
    start = serializers.DateTimeField(
        required=False, help_text="From the bucket containing this moment (ISO 8601 date/time)."
    )
    end = serializers.DateTimeField(
        required=False, help_text="To the bucket containing this moment, included."
    )

    def validate(self, attrs: dict) -> dict:
        start, end = attrs.get("start"), attrs.get("end")
        if start and end and start > end:
            raise serializers.ValidationError({"end": ["end must not be before start."]})
        for name in ("start", "end"):
            if attrs.get(name) and not _bucket_in_range(attrs[name], attrs["granularity"]):
                message = "Out of range: the bucket and the next one must lie in years 1 to 9999."
                raise serializers.ValidationError({name: [message]})
        return attrs


def _bucket_in_range(moment: datetime, granularity: str) -> bool:
    """The bucket of `moment` and the one after it start at moments a datetime can hold (in the
    agency's zone and in UTC): the history compares with both."""
    try:
        for bound in (bucket_start(moment, granularity), bucket_end(moment, granularity)):
            bound.astimezone(UTC)
    except (ValueError, OverflowError):
        return False
    return True


class HistoryPointSerializer(serializers.Serializer):
    """What every point of a history has."""

    bucket = serializers.DateTimeField(help_text="Start of the bucket.")
    captured_at = serializers.DateTimeField(
        source="captured_last", help_text="The snapshot the point shows: the bucket's last."
    )


class SnapshotHistoryMixin:
    """`?granularity=day|week|month[&start=…&end=…]` turns a snapshot list into a chart series.

    For a NestedListViewSet: set `parent_model`, `parent_visible_to` (the access rule, a
    staticmethod `(user, queryset)` -> the rows the user may see; it makes `parent_queryset`),
    `history` (a staticmethod called with `<parent_field>=parent` and `granularity`, `start`,
    `end`, returning the points' queryset) and `history_serializer_class`. Without
    `granularity` the raw list is unchanged.
    """

    parent_model: type[Model]
    parent_visible_to: Callable[[Any, QuerySet], QuerySet]
    history: Callable[..., QuerySet]
    history_serializer_class: type[serializers.Serializer]

    @property
    def parent_queryset(self) -> QuerySet:
        request = getattr(self, "request", None)
        return self.parent_visible_to(
            getattr(request, "user", None), self.parent_model.objects.all()
        )

    def list(self, request, *args, **kwargs):
        # An empty parameter is no parameter; `start` or `end` alone is refused, not ignored.
        given = {
            name: request.query_params[name]
            for name in ("granularity", "start", "end")
            if request.query_params.get(name)
        }
        if not given:
            return super().list(request, *args, **kwargs)
        query = SnapshotHistoryQuerySerializer(data=given)
        query.is_valid(raise_exception=True)
        parent = generics.get_object_or_404(
            self.parent_queryset, pk=self.kwargs[self.parent_url_kwarg]
        )
        points = self.history(**{self.parent_field: parent}, **query.validated_data)
        page = self.paginate_queryset(points)
        return self.get_paginated_response(self.history_serializer_class(page, many=True).data)
