"""Snapshot histories for charts (`?granularity=day|week|month`), shared by the apps' nested
snapshot lists (a post's stats, an account's followers)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connections
from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, generics, serializers
from rest_framework.pagination import PageNumberPagination

from core.api.pagination import LARGEST_OFFSET
from core.api.serializers import FastListSerializer
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

    class Meta:
        # A page's points are dicts of plain values: written without DRF's per-field calls.
        list_serializer_class = FastListSerializer


class SnapshotHistoryMixin:
    """`?granularity=day|week|month[&start=…&end=…]` turns a snapshot list into a chart series.

    For a NestedListViewSet: set `parent_model`, `parent_visible_to` (the access rule, a
    staticmethod `(user, queryset)` -> the rows the user may see; it makes `parent_queryset`),
    `history` (a staticmethod called with `<parent_field>=parent` and `granularity`, `start`,
    `end`, returning the points' queryset; `parent` is the parent or a queryset of at most
    one parent, used only to filter the snapshots) and `history_serializer_class`. Without
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
        page = self._page_in_one_statement(query.validated_data)
        if page is None:
            # No row (an unknown or hidden parent, a page past the end…) or an unusual page
            # query: the parent is looked up first, then paged, with the errors in that order.
            parent = generics.get_object_or_404(
                self.parent_queryset, pk=self.kwargs[self.parent_url_kwarg]
            )
            points = self.history(**{self.parent_field: parent}, **query.validated_data)
            page = self.paginate_queryset(points)
        return self.get_paginated_response(self.history_serializer_class(page, many=True).data)

    def _page_in_one_statement(self, window: dict) -> list | None:
        """The requested page of points, read with their total and the parent's access check
        in one statement; None when that gives no row (then nothing is known) or the page
        query is not a plain page number and size."""
        paginator = self.paginator
        if not isinstance(paginator, PageNumberPagination):
            return None
        request = self.request
        number = request.query_params.get(paginator.page_query_param) or 1
        try:
            size = paginator.get_page_size(request)
            number = int(number)  # as Django's Paginator reads it
        except (TypeError, ValueError, exceptions.ValidationError):
            return None
        offset = (number - 1) * size
        if not size or number < 1 or offset + size > LARGEST_OFFSET:
            return None
        try:
            # At most one parent, the one the URL names if the user may see it: its snapshots
            # are filtered by `= (SELECT id … LIMIT 1)`.
            parent = self.parent_queryset.filter(pk=self.kwargs[self.parent_url_kwarg])[:1]
            points = self.history(**{self.parent_field: parent}, **window)
        except (TypeError, ValueError, ValidationError):  # a malformed id: the usual 404
            return None
        rows, total = points_page_with_total(points, offset=offset, size=size)
        if not rows:
            return None
        return self.paginate_queryset(_CountedPage(rows, offset=offset, total=total))


def points_page_with_total(points: QuerySet, *, offset: int, size: int) -> tuple[list, int]:
    """`points[offset:offset + size]` (a values() queryset of a history, ordered by `bucket`)
    and the count of all its points, in one statement (`COUNT(*) OVER ()` around it): a
    history computes its windows over all the owner's snapshots, once for the page and once
    more for a separate count. The total is 0 when the page is empty."""
    compiler = points.query.get_compiler(points.db)
    try:
        sql, params = compiler.as_sql(with_limits=False)
    except EmptyResultSet:
        return [], 0
    connection = connections[points.db]
    quote = connection.ops.quote_name
    statement = (
        f"SELECT *, COUNT(*) OVER () FROM ({sql}) {quote('page')} "
        f"ORDER BY {quote('bucket')} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, (*params, size, offset))
        fetched = cursor.fetchall()
    if not fetched:
        return [], 0
    names = [*points.query.extra_select, *points.query.values_select]
    names += list(points.query.annotation_select)
    # Django's converters (datetimes and numbers as the ORM gives them), by column position.
    converted = compiler.results_iter(results=[fetched])
    rows = [dict(zip(names, row, strict=False)) for row in converted]
    return rows, fetched[0][-1]


class _CountedPage:
    """The rows of one page for Django's paginator, with the list's total already known."""

    def __init__(self, rows: list, *, offset: int, total: int):
        self.rows, self.offset, self.total = rows, offset, total

    def count(self) -> int:
        return self.total

    def __getitem__(self, key: slice) -> list:
        # The paginator asks for the page it was given (the number it validated is the same).
        if key.start != self.offset:
            raise IndexError(key)
        return self.rows
