"""`GET /api/v1/analytics/best-time/`: the best-time-to-post grid (analytics/best_time.py)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.best_time import best_time_grid, best_time_params
from core.api.permissions import IsStaffOrApiKey


class BestTimeCellSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="0 = Monday … 6 = Sunday (agency TIME_ZONE).")
    hour = serializers.IntegerField(help_text="Local hour of posting, 0–23.")
    posts = serializers.IntegerField(help_text="Posts behind the cell.")
    avg_views = serializers.IntegerField(
        allow_null=True, help_text="Average views gained in the first window; null: too few."
    )
    too_few_posts = serializers.BooleanField()


class BestTimeSerializer(serializers.Serializer):
    window_hours = serializers.IntegerField()
    min_posts = serializers.IntegerField()
    posts = serializers.IntegerField(help_text="Posts counted in the grid.")
    cells = BestTimeCellSerializer(many=True, help_text="Only cells with posts.")
    best = BestTimeCellSerializer(many=True, help_text="The best cells, best first (at most 5).")


def _cell(cell) -> dict:
    return {
        "weekday": cell.weekday,
        "hour": cell.hour,
        "posts": cell.posts,
        "avg_views": cell.avg_views,
        "too_few_posts": cell.too_few,
    }


class BestTimeView(APIView):
    """Views gained in the first 24 h (BEST_TIME_WINDOW_HOURS) by local weekday x hour of
    posting, over the posts the caller may see, for one account, creator or client (or all).
    A cell with fewer than BEST_TIME_MIN_POSTS posts has `avg_views` null."""

    permission_classes = [IsStaffOrApiKey]
    action_permissions = {"*": ["posts.view_post"]}

    @extend_schema(
        parameters=[
            OpenApiParameter("account", OpenApiTypes.INT, required=False),
            OpenApiParameter("creator", OpenApiTypes.INT, required=False),
            OpenApiParameter("client", OpenApiTypes.INT, required=False),
            OpenApiParameter("platform", OpenApiTypes.STR, required=False),
            OpenApiParameter(
                "start_date",
                OpenApiTypes.DATE,
                required=False,
                description="Posts published on or after this local date.",
            ),
            OpenApiParameter(
                "end_date",
                OpenApiTypes.DATE,
                required=False,
                description="Posts published on or before this local date.",
            ),
        ],
        responses=BestTimeSerializer,
    )
    def get(self, request):
        grid = best_time_grid(request.user, **best_time_params(request.query_params))
        cells = sorted(grid.cells.values(), key=lambda c: (c.weekday, c.hour))
        return Response(
            {
                "window_hours": grid.window_hours,
                "min_posts": grid.min_posts,
                "posts": grid.posts,
                "cells": [_cell(c) for c in cells],
                "best": [_cell(c) for c in grid.best],
            }
        )
