from rest_framework import viewsets

from core.api.permissions import DeleteRequiresStaff, IsStaffOrApiKey
from core.api.views import AddByURLMixin, NestedListViewSet
from posts.filters import PostFilterSet, PostSnapshotFilterSet
from posts.models import Post, PostSnapshot

from .serializers import (
    PostAddSerializer,
    PostBulkAddSerializer,
    PostSerializer,
    PostSnapshotSerializer,
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


class PostSnapshotViewSet(NestedListViewSet):
    """A post's stats history, oldest first."""

    queryset = PostSnapshot.objects.order_by("captured_at", "id")
    serializer_class = PostSnapshotSerializer
    filterset_class = PostSnapshotFilterSet
    parent_queryset = Post.objects.all()
    parent_field = "post"
    parent_url_kwarg = "post_pk"
