"""The scheduling API's extras: per-target options and `allow_over_quota` on create and
reschedule, "add to queue", the CSV import, and a connection's daily budget. Thin: the rules are
in publishing/services (compose, queue, bulk, target_options) and publishing/queries."""

from datetime import date

from django.shortcuts import get_object_or_404
from django.utils import timezone as dj_timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.permissions import IsStaffOrApiKey
from core.api.serializers import StrictInputMixin
from core.errors import DomainError
from publishing.queries import (
    connection_budgets,
    connections_for_api,
    connections_visible_to,
    platform_quota_day,
    scheduled_posts_for_api,
    scheduled_posts_visible_to,
)
from publishing.services.bulk import scheduled_posts_import_csv
from publishing.services.queue import scheduled_post_queue

from .serializers import (
    ScheduledPostSerializer,
    ScheduledPostUpdateSerializer,
    ScheduledPostWriteSerializer,
)

TARGET_OPTIONS_HELP = (
    "Per destination: {connection id: {option: value}}. TikTok: privacy_level (one of the "
    "account's creator_info privacy_level_options), disable_comment, disable_duet, "
    "disable_stitch, brand_content_toggle, brand_organic_toggle. Instagram: share_to_feed, "
    "first_comment. YouTube: privacy_status (public, unlisted, private), category_id, "
    "made_for_kids, title."
)


class TargetOptionsField(serializers.DictField):
    """`{"<connection id>": {...}}` read as `{id: {...}}`."""

    child = serializers.DictField()

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        bad = [key for key in value if not (str(key).isascii() and str(key).isdigit())]
        if bad:
            raise serializers.ValidationError(f"Keys are connection ids; not: {bad}.")
        return {int(key): options for key, options in value.items()}


class ScheduledPostComposeSerializer(ScheduledPostWriteSerializer):
    """A post to schedule, with each destination's own options."""

    target_options = TargetOptionsField(required=False, default=dict, help_text=TARGET_OPTIONS_HELP)
    allow_over_quota = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Schedule even beyond a connection's daily budget (else `quota_exceeded`).",
    )


class ScheduledPostQueueSerializer(ScheduledPostComposeSerializer):
    """A post for the queue: no time, each account's next free posting slot."""

    local_time = None
    timezone = None
    fold = None
    allow_over_quota = None


class ScheduledPostMoveSerializer(ScheduledPostUpdateSerializer):
    allow_over_quota = serializers.BooleanField(required=False, default=False)


class QueueAnswerSerializer(serializers.Serializer):
    posts = ScheduledPostSerializer(many=True)


class ImportRowSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="The row's line in the file (the header is 1).")
    status = serializers.ChoiceField(choices=["created", "exists", "error"])
    post = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()
    errors = serializers.DictField()


class ImportAnswerSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    existing = serializers.IntegerField()
    failed = serializers.IntegerField()
    rows = ImportRowSerializer(many=True)


class ImportFileSerializer(StrictInputMixin, serializers.Serializer):
    file = serializers.FileField(help_text="CSV, UTF-8, with a header row.")


class QuotaReadingSerializer(serializers.Serializer):
    reported = serializers.IntegerField(help_text="Posts in the rolling 24 h, as Instagram said.")
    since = serializers.IntegerField(help_text="Our posts published since that reading.")
    total = serializers.IntegerField(help_text="Instagram's cap (quota_total).")
    read_at = serializers.DateTimeField()


class BudgetSerializer(serializers.Serializer):
    connection = serializers.IntegerField(source="connection_id")
    platform = serializers.CharField()
    day = serializers.DateField(help_text="The quota day, in `zone`.")
    zone = serializers.CharField()
    scope = serializers.CharField(help_text="account, or project (YouTube uploads).")
    limit = serializers.IntegerField()
    used = serializers.IntegerField()
    remaining = serializers.IntegerField()
    platform_reading = QuotaReadingSerializer(
        source="reported",
        allow_null=True,
        read_only=True,
        help_text="Instagram's own count behind `used` today (its last content_publishing_limit "
        "answer plus our posts since), when it knows of more posts than we do; else null.",
    )


def posts_answer(request, posts) -> list[dict]:
    rows = scheduled_posts_for_api().filter(pk__in=[p.pk for p in posts])
    by_id = {p.pk: p for p in scheduled_posts_visible_to(request.user, rows)}
    return [
        ScheduledPostSerializer(by_id[p.pk], context={"request": request}).data
        for p in posts
        if p.pk in by_id
    ]


class ScheduledPostQueueView(APIView):
    """Add a post to the queue: each account's next free posting slot (no other post of that
    account at that time, budget left that day), in the slot's zone. Accounts whose next slot
    is the same moment share a post."""

    permission_classes = [IsStaffOrApiKey]
    action_permissions = {"*": ["publishing.add_scheduledpost"]}

    @extend_schema(request=ScheduledPostQueueSerializer, responses={201: QueueAnswerSerializer})
    def post(self, request):
        data = ScheduledPostQueueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        posts = scheduled_post_queue(user=request.user, **data.validated_data)
        return Response({"posts": posts_answer(request, posts)}, status=status.HTTP_201_CREATED)


class ScheduledPostImportView(APIView):
    """Schedule posts from a CSV file: columns caption, title, hashtags, media (asset ids or
    checksums separated by `|`), accounts (connection ids or `platform:username`, `|`), time
    (local ISO, e.g. 2030-04-02T09:00) and timezone (optional). Every row is answered; a bad row
    never blocks the others; a row imported before is answered `exists`, not created twice."""

    permission_classes = [IsStaffOrApiKey]
    action_permissions = {"*": ["publishing.add_scheduledpost"]}
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ImportFileSerializer}, responses=ImportAnswerSerializer
    )
    def post(self, request):
        data = ImportFileSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = scheduled_posts_import_csv(file=data.validated_data["file"], user=request.user)
        return Response(report.as_dict())


class ConnectionBudgetView(APIView):
    """A connection's daily budget: posts allowed on its platform's quota day, used by the
    targets scheduled that day, remaining. `?date=YYYY-MM-DD` (default: today)."""

    permission_classes = [IsStaffOrApiKey]
    action_permissions = {"*": ["publishing.view_socialconnection"]}

    @extend_schema(
        parameters=[OpenApiParameter("date", OpenApiTypes.DATE, required=False)],
        responses=BudgetSerializer,
    )
    def get(self, request, pk: int):
        connection = get_object_or_404(
            connections_visible_to(request.user, connections_for_api()), pk=pk
        )
        text = request.query_params.get("date")
        if text:
            try:
                day = date.fromisoformat(text) if text.isascii() else None
            except ValueError:
                day = None
            if day is None:
                raise DomainError(
                    "`date` is a day like 2030-04-02.", fields={"date": ["Not a date."]}
                )
        else:
            day = platform_quota_day(connection.platform, dj_timezone.now())
        budget = connection_budgets(connections=[connection], days=[day])[(connection.pk, day)]
        data = BudgetSerializer(budget).data
        data["remaining"] = budget.remaining
        return Response(data)
