from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.api.idempotency import IDEMPOTENCY_PARAMETER, IdempotentCreateMixin
from core.api.permissions import IsStaffOrApiKey
from core.errors import DomainError
from publishing.filters import (
    ScheduledPostFilterSet,
    SocialConnectionFilterSet,
)
from publishing.models import ScheduledPost
from publishing.queries import (
    calendar_posts,
    connections_for_api,
    connections_visible_to,
    platforms_of_posts,
    scheduled_post_editable_by,
    scheduled_posts_for_api,
    scheduled_posts_visible_to,
)
from publishing.services.compose import scheduled_post_compose, scheduled_post_move
from publishing.services.connections import connection_disconnect
from publishing.services.scheduling import (
    scheduled_post_cancel,
    scheduled_post_publish_now,
    scheduled_post_retry_failed,
    scheduled_post_update,
)

from .scheduling_extra import ScheduledPostComposeSerializer, ScheduledPostMoveSerializer
from .serializers import (
    CalendarRowSerializer,
    ConnectionSerializer,
    CountSerializer,
    ScheduledPostSerializer,
)


class ScheduledPostViewSet(IdempotentCreateMixin, viewsets.ModelViewSet):
    """Scheduled posts: one target per destination; editable and cancellable until a target is
    claimed by the publisher (409 after). Times are a wall time in an IANA zone, kept."""

    queryset = scheduled_posts_for_api()
    serializer_class = ScheduledPostSerializer
    filterset_class = ScheduledPostFilterSet
    permission_classes = [IsStaffOrApiKey]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return scheduled_posts_visible_to(self.request.user, super().get_queryset())

    def _editable(self) -> ScheduledPost:
        post = self.get_object()
        if not scheduled_post_editable_by(self.request.user, post):
            raise PermissionDenied("You may not change posts for some of this post's accounts.")
        return post

    def _answer(self, post, *, code=status.HTTP_200_OK, count=None):
        post = self.get_queryset().get(pk=post.pk)
        data = self.serializer_class(post, context=self.get_serializer_context()).data
        if count is not None:
            data = {"count": count, "post": data}
        return Response(data, status=code)

    @extend_schema(
        request=ScheduledPostComposeSerializer,
        responses={201: ScheduledPostSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def create(self, request, *args, **kwargs):
        """Schedule a post. Send an `Idempotency-Key` to retry safely."""
        return self.idempotent(request, self._create)

    def _create(self, request):
        data = ScheduledPostComposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = scheduled_post_compose(created_by=request.user, **data.validated_data)
        return self._answer(post, code=status.HTTP_201_CREATED)

    @extend_schema(request=ScheduledPostMoveSerializer, responses=ScheduledPostSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Change the text, options or time (a new wall time, zone kept unless given)."""
        post = self._editable()
        data = ScheduledPostMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        local_time, zone = changes.pop("local_time", None), changes.pop("timezone", None)
        fold, over = changes.pop("fold", 0), changes.pop("allow_over_quota", False)
        if zone and local_time is None:
            raise DomainError(
                "Send `local_time` with `timezone`.", fields={"local_time": ["Required."]}
            )
        if changes:
            scheduled_post_update(post, **changes)
        if local_time is not None:
            scheduled_post_move(
                post, local_time=local_time, timezone=zone, fold=fold, allow_over_quota=over
            )
        return self._answer(post)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, *args, **kwargs):
        """Cancel the post (every target); it stays listed as cancelled."""
        scheduled_post_cancel(self._editable())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=CountSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel every target, if none is claimed yet (409 otherwise)."""
        post = self._editable()
        return self._answer(post, count=scheduled_post_cancel(post))

    @extend_schema(request=None, responses=CountSerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        """Schedule again the failed targets only (published and unconfirmed ones are never
        retried: no second post)."""
        post = self._editable()
        return self._answer(post, count=scheduled_post_retry_failed(post))

    @extend_schema(request=None, responses=CountSerializer)
    @action(detail=True, methods=["post"], url_path="publish-now", url_name="publish-now")
    def publish_now(self, request, pk=None):
        """Publish at the publisher's next run (within a minute), if no target is claimed."""
        post = self._editable()
        return self._answer(post, count=scheduled_post_publish_now(post))


class CalendarViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Compact rows for a calendar: the posts due in [start, end) (at most 62 days)."""

    queryset = ScheduledPost.objects.all()
    serializer_class = CalendarRowSerializer
    filterset_class = None
    permission_classes = [IsStaffOrApiKey]

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATETIME, required=True),
            OpenApiParameter("end", OpenApiTypes.DATETIME, required=True),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        bounds = ScheduledPostFilterSet(self.request.query_params, queryset=self.queryset)
        errors = {} if bounds.is_valid() else dict(bounds.errors)
        start, end = (bounds.form.cleaned_data.get(k) for k in ("start", "end"))
        for name, value in (("start", start), ("end", end)):
            if value is None and name not in errors:
                errors[name] = ["Required."]
        if errors:
            raise DomainError("Send `start` and `end` (ISO 8601 date-times).", fields=errors)
        visible = scheduled_posts_visible_to(self.request.user, self.queryset)
        return calendar_posts(visible, start, end)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["platforms"] = self._platforms
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._platforms = platforms_of_posts(p.pk for p in (page or []))
        return page


class ConnectionViewSet(viewsets.ReadOnlyModelViewSet):
    """The accounts connected for publishing (never their tokens)."""

    queryset = connections_for_api()
    serializer_class = ConnectionSerializer
    filterset_class = SocialConnectionFilterSet
    permission_classes = [IsStaffOrApiKey]

    def get_queryset(self):
        return connections_visible_to(self.request.user, super().get_queryset())

    @extend_schema(request=None, responses=ConnectionSerializer)
    @action(detail=True, methods=["post"])
    def disconnect(self, request, pk=None):
        """Disconnect softly: tokens cleared, history kept; its scheduled targets wait for a
        reconnect."""
        connection = connection_disconnect(self.get_object())
        connection = self.get_queryset().get(pk=connection.pk)
        return Response(self.serializer_class(connection).data)
