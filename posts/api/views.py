from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.history import HISTORY_PARAMETERS, SnapshotHistoryMixin
from core.api.pagination import KeysetPagination
from core.api.permissions import DeleteRequiresStaff, IsStaffOrApiKey
from core.api.serializers import StrictInputMixin
from core.api.views import AddByURLMixin, NestedListViewSet, PagePrefetchMixin
from core.errors import ConflictError
from posts.filters import PostFilterSet, PostSnapshotFilterSet
from posts.metrics import post_snapshot_history
from posts.models import Post, PostSnapshot
from posts.queries import ai_status, posts_for_api
from posts.services.classification import post_requeue_classification
from posts.services.refresh_now import posts_refresh_now
from posts.services.trials import (
    post_approve_trial,
    post_reject_trial,
    posts_approve_trials,
    posts_reject_trials,
)
from settings_app.access import posts_visible_to

from .serializers import (
    AIStatusSerializer,
    PostAddSerializer,
    PostBulkAddSerializer,
    PostHistoryPointSerializer,
    PostReclassifyResultSerializer,
    PostReclassifySerializer,
    PostSerializer,
    PostSnapshotSerializer,
)


class TrialDecisionSerializer(StrictInputMixin, serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class TrialBulkDecisionSerializer(TrialDecisionSerializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=False,
        max_length=settings.API_BULK_MAX_URLS,
    )


class TrialBulkResultSerializer(serializers.Serializer):
    approved = serializers.IntegerField(required=False, help_text="With /approve/.")
    rejected = serializers.IntegerField(required=False, help_text="With /reject/.")
    requested = serializers.IntegerField(help_text="Distinct ids sent.")


class RefreshQueuedSerializer(serializers.Serializer):
    queued = serializers.IntegerField(help_text="How many refreshes were queued (0 or 1).")
    message = serializers.CharField()


def refresh_queued_response(queued: int, noun: str) -> Response:
    """The answer of a Refresh now (posts and accounts): 202 once the refresh is queued."""
    message = (
        f"Refresh queued: the {noun} is fetched from the platform as soon as a worker is free."
    )
    return Response({"queued": queued, "message": message}, status=status.HTTP_202_ACCEPTED)


class PostViewSet(AddByURLMixin, PagePrefetchMixin, viewsets.ModelViewSet):
    """Tracked posts and trial reels. Added by URL; only the business fields can be edited."""

    queryset = posts_for_api()
    page_prefetch = {"boards": ("id",), "subcategories": ("id", "name")}
    serializer_class = PostSerializer
    add_serializer_class = PostAddSerializer
    bulk_add_serializer_class = PostBulkAddSerializer
    filterset_class = PostFilterSet
    pagination_class = KeysetPagination
    permission_classes = [IsStaffOrApiKey, DeleteRequiresStaff]
    _decide = ["posts.decide_trial_post"]
    action_permissions = {
        "approve": _decide,
        "reject": _decide,
        "approve_many": _decide,
        "reject_many": _decide,
        "reclassify_many": ["posts.change_post", "posts.view_all_post"],
    }
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return posts_visible_to(self.request.user, super().get_queryset())

    @extend_schema(request=None, responses={202: PostSerializer})
    @action(detail=True, methods=["post"])
    def reclassify(self, request, pk=None):
        """Queue this post for the AI again (any status but `processing`): it becomes
        `pending` with a clean attempt count. Trial reels are classified once approved."""
        post = post_requeue_classification(post=self.get_object())
        post = self.get_queryset().get(pk=post.pk)
        output = self.serializer_class(post, context=self.get_serializer_context())
        return Response(output.data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: RefreshQueuedSerializer})
    @action(detail=True, methods=["post"])
    def refresh(self, request, pk=None):
        """Refresh now: queue this post's stats refresh, due or not, for the next free worker
        (needs the right to edit the post). A post found deleted on the platform answers 409."""
        post = self.get_object()
        if not posts_refresh_now(ids=[post.pk], actor=request.user):
            raise ConflictError(
                "This post was found deleted on the platform: it is no longer refreshed.",
                code="not_refreshable",
            )
        return refresh_queued_response(1, "post")

    @extend_schema(
        operation_id="v1_posts_reclassify_many",
        request=PostReclassifySerializer,
        responses={202: PostReclassifyResultSerializer},
    )
    @action(detail=False, methods=["post"], url_path="reclassify", url_name="reclassify-many")
    def reclassify_many(self, request):
        """Queue many posts for the AI again: `{"ids": [...]}` or `{"status": "failed"}`."""
        serializer = PostReclassifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response({"requeued": serializer.requeue()}, status=status.HTTP_202_ACCEPTED)

    # --- Trial reels: approve / reject (one or many), through posts.services.trials ---------

    def _decide_one(self, request, decide):
        data = TrialDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = decide(post=self.get_object(), user=request.user, note=data.validated_data["note"])
        post = self.get_queryset().get(pk=post.pk)
        return Response(self.serializer_class(post, context=self.get_serializer_context()).data)

    def _decide_many(self, request, decide, key: str):
        data = TrialBulkDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = data.validated_data["ids"]
        count = decide(ids=ids, user=request.user, note=data.validated_data["note"])
        return Response({key: count, "requested": len(set(ids))})

    @extend_schema(request=TrialDecisionSerializer, responses={200: PostSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a trial reel: it becomes a regular post (`is_trial` false, `trial_status`
        approved, who and when recorded) and is queued for AI classification."""
        return self._decide_one(request, post_approve_trial)

    @extend_schema(request=TrialDecisionSerializer, responses={200: PostSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject a trial reel: `trial_status` rejected; the post and its history are kept."""
        return self._decide_one(request, post_reject_trial)

    @extend_schema(
        operation_id="v1_posts_approve_many",
        request=TrialBulkDecisionSerializer,
        responses={200: TrialBulkResultSerializer},
    )
    @action(detail=False, methods=["post"], url_path="approve", url_name="approve-many")
    def approve_many(self, request):
        """Approve many trial reels: `{"ids": [...], "note": "..."}`. Posts that are not trial
        reels are left alone; `approved` says how many were."""
        return self._decide_many(request, posts_approve_trials, "approved")

    @extend_schema(
        operation_id="v1_posts_reject_many",
        request=TrialBulkDecisionSerializer,
        responses={200: TrialBulkResultSerializer},
    )
    @action(detail=False, methods=["post"], url_path="reject", url_name="reject-many")
    def reject_many(self, request):
        """Reject many trial reels: `{"ids": [...], "note": "..."}`; `rejected` says how many."""
        return self._decide_many(request, posts_reject_trials, "rejected")


@extend_schema(parameters=HISTORY_PARAMETERS)
class PostSnapshotViewSet(SnapshotHistoryMixin, NestedListViewSet):
    """A post's stats history, oldest first; `?granularity=` for one point per bucket."""

    queryset = PostSnapshot.objects.order_by("captured_at", "id")
    serializer_class = PostSnapshotSerializer
    filterset_class = PostSnapshotFilterSet
    parent_model = Post
    parent_visible_to = staticmethod(posts_visible_to)
    parent_field = "post"
    parent_url_kwarg = "post_pk"
    history = staticmethod(post_snapshot_history)
    history_serializer_class = PostHistoryPointSerializer


class AIStatusView(APIView):
    """Is the AI configured (and if not, why: posts stay pending), with which model and prompt
    version, and how many posts are in each processing status."""

    @extend_schema(responses=AIStatusSerializer)
    def get(self, request):
        return Response(AIStatusSerializer(ai_status()).data)
