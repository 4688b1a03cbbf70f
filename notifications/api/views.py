from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError

from ..filters import NotificationFilterSet
from ..models import Notification, NotificationPreference
from ..queries import notifications_of, notifications_unread_count
from ..services import DEFAULT_PREFERENCE, notification_preference_update, notifications_mark_read
from .serializers import MarkReadSerializer, NotificationSerializer, PreferenceSerializer

_COUNTS = inline_serializer("NotificationCount", {"unread": serializers.IntegerField()})
_MARKED = inline_serializer("NotificationsMarked", {"marked": serializers.IntegerField()})


class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Your notifications, newest first (never anybody else's). `?unread=true`, `?kind=`."""

    queryset = Notification.objects.select_related("object_type")
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet
    # Everyone signed in has an inbox: the queryset, not a role, limits it to their own.
    action_permissions = {"*": []}

    def get_queryset(self):
        return notifications_of(self.request.user).select_related("object_type")

    @extend_schema(request=MarkReadSerializer, responses=_MARKED)
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        """Mark some (`ids`) or all of your notifications read."""
        data = MarkReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marked = notifications_mark_read(user=request.user, ids=data.validated_data.get("ids"))
        return Response({"marked": marked})

    @extend_schema(responses=_COUNTS)
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"unread": notifications_unread_count(request.user)})


class NotificationPreferencesView(APIView):
    """Which events you get by e-mail and on Slack (in-app: all of them)."""

    # Everyone signed in has their own preferences.
    action_permissions = {"*": []}

    @extend_schema(responses=PreferenceSerializer)
    def get(self, request):
        return Response(PreferenceSerializer(self._preference()).data)

    @extend_schema(request=PreferenceSerializer, responses=PreferenceSerializer)
    def put(self, request):
        current = self._preference()
        data = PreferenceSerializer(current, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {
            "email_kinds": current.email_kinds,
            "slack_kinds": current.slack_kinds,
            "slack_webhook_url": current.slack_webhook_url,
            "digest_after": current.digest_after,
            **data.validated_data,
        }
        try:
            saved = notification_preference_update(user=request.user, **values)
        except ValidationError as error:
            raise DomainError(
                "These preferences cannot be saved.", fields=error.message_dict
            ) from error
        return Response(PreferenceSerializer(saved).data)

    def _preference(self) -> NotificationPreference:
        found = NotificationPreference.objects.filter(user=self.request.user).first()
        return found or NotificationPreference(
            user=self.request.user,
            email_kinds=sorted(DEFAULT_PREFERENCE.email_kinds),
            slack_kinds=[],
            digest_after=DEFAULT_PREFERENCE.digest_after,
        )
