"""Reports' API: list, create (the render is queued), retrieve, delete, download. Thin: the
rules are analytics.reports.services and .queries."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.api.permissions import IsStaffOrApiKey
from core.api.serializers import ChoiceDisplayMixin, StrictInputMixin

from ..models import Report
from ..reports.download import report_download_response
from ..reports.filters import ReportFilterSet
from ..reports.queries import report_scope_allowed, reports_visible_to
from ..reports.services import report_create, report_delete


class ReportSerializer(StrictInputMixin, ChoiceDisplayMixin, serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "kind",
            "scope_kind",
            "scope_id",
            "scope_name",
            "start",
            "end",
            "status",
            "size",
            "download_url",
            "created_by",
            "created_at",
            "started_at",
            "completed_at",
            "emailed_at",
            "attempts",
            "error",
        ]
        read_only_fields = [
            "scope_name",
            "status",
            "size",
            "download_url",
            "created_by",
            "created_at",
            "started_at",
            "completed_at",
            "emailed_at",
            "attempts",
            "error",
        ]

    def get_download_url(self, obj: Report) -> str | None:
        if obj.status != "completed" or not obj.file:
            return None
        path = reverse("report-download", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        if start and end and end < start:
            raise serializers.ValidationError(
                {"end": "The end date must be on or after the start."}
            )
        return attrs


class ReportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """PDF reports of a client, a creator or a campaign over `[start, end]` (local dates,
    inclusive). Creating one queues its render: poll `status` until `completed` (then
    `download_url`) or `failed` (`error`)."""

    queryset = Report.objects.select_related("created_by")
    serializer_class = ReportSerializer
    filterset_class = ReportFilterSet
    permission_classes = [IsStaffOrApiKey]
    action_permissions = {"download": ["analytics.view_report"]}

    def get_queryset(self):
        return reports_visible_to(self.request.user, super().get_queryset()).order_by(
            "-created_at", "-id"
        )

    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        if not report_scope_allowed(request.user, fields["scope_kind"], fields["scope_id"]):
            raise PermissionDenied("Your role does not allow reports on this scope.")
        report = report_create(created_by=request.user, **fields)
        return Response(self.get_serializer(report).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Report) -> None:
        report_delete(instance)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF."),
            404: OpenApiResponse(description="No such report, or it has no file yet."),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The report's PDF (once `status` is `completed`)."""
        return report_download_response(self.get_object())
