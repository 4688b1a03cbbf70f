from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, viewsets

from core.api.permissions import DeleteRequiresStaff, IsStaffOrApiKey
from core.api.views import AddByURLMixin, NestedListViewSet
from core.windows import GRANULARITIES
from posts.filters import PostFilterSet, PostSnapshotFilterSet
from posts.metrics import post_snapshot_history
from posts.models import Post, PostSnapshot

from .serializers import (
    PostAddSerializer,
    PostBulkAddSerializer,
    PostHistoryPointSerializer,
    PostSerializer,
    PostSnapshotSerializer,
    SnapshotHistoryQuerySerializer,
)


class PostViewSet(AddByURLMixin, viewsets.ModelViewSet):
    """Tracked posts and trial reels. Added by URL; only the business fields can be edited."""

    queryset = Post.objects.select_related("account", "category").prefetch_related(
        "boards", "subcategories"
    )
    serializer_class = PostSerializer
    add_serializer_class = PostAddSerializer
    bulk_add_serializer_class = PostBulkAddSerializer
    filterset_class = PostFilterSet
    permission_classes = [IsStaffOrApiKey, DeleteRequiresStaff]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]


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
    OpenApiParameter("start", str, description="With granularity: first bucket (ISO 8601)."),
    OpenApiParameter("end", str, description="With granularity: last bucket (ISO 8601)."),
]


class SnapshotHistoryMixin:
    """`?granularity=day|week|month[&start=…&end=…]` turns a snapshot list into a chart series.

    Set `history` (a function of `parent`, `granularity`, `start`, `end` returning the points'
    queryset) and `history_serializer_class`. Without `granularity` the raw list is unchanged.
    """

    history = None
    history_serializer_class = None

    def list(self, request, *args, **kwargs):
        if "granularity" not in request.query_params:
            return super().list(request, *args, **kwargs)
        query = SnapshotHistoryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        parent = generics.get_object_or_404(
            self.parent_queryset, pk=self.kwargs[self.parent_url_kwarg]
        )
        points = self.history(parent, **query.validated_data)
        page = self.paginate_queryset(points)
        return self.get_paginated_response(self.history_serializer_class(page, many=True).data)


@extend_schema(parameters=HISTORY_PARAMETERS)
class PostSnapshotViewSet(SnapshotHistoryMixin, NestedListViewSet):
    """A post's stats history, oldest first; `?granularity=` for one point per bucket."""

    queryset = PostSnapshot.objects.order_by("captured_at", "id")
    serializer_class = PostSnapshotSerializer
    filterset_class = PostSnapshotFilterSet
    parent_queryset = Post.objects.all()
    parent_field = "post"
    parent_url_kwarg = "post_pk"
    history_serializer_class = PostHistoryPointSerializer

    @staticmethod
    def history(post, **query):
        return post_snapshot_history(post=post, **query)
