from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.api.permissions import IsStaffOrApiKey
from core.api.serializers import MONTH_SCHEMA
from core.csv_export import csv_response
from core.errors import DomainError
from finance.filters import FinanceItemFilterSet, PayoutStatementFilterSet
from finance.models import FinanceItem, PayoutStatement
from finance.queries import (
    default_board_month,
    parse_month,
    statement_breakdown,
    statement_csv_rows,
)
from finance.services import (
    finance_statements_recompute,
    statement_adjust,
    statement_approve,
    statement_mark_paid,
    statement_void,
)
from settings_app.access import personal_fields_hidden_from

from .serializers import (
    AdjustSerializer,
    BreakdownSerializer,
    FinanceItemSerializer,
    MarkPaidSerializer,
    PayoutStatementSerializer,
    RecomputeReportSerializer,
    VoidSerializer,
)


class CSVRenderer(JSONRenderer):
    """Lets a client ask for `text/csv`; the export answers CSV itself, errors stay JSON."""

    media_type = "text/csv"
    format = "csv"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Only errors reach this renderer (the export writes its CSV itself): label them JSON.
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return super().render(data, accepted_media_type, renderer_context)


MONTH_PARAMETER = OpenApiParameter(
    "month", MONTH_SCHEMA, description="YYYY-MM; default: last month.", required=False
)


def _month(request):
    text = request.query_params.get("month")
    return parse_month(text) if text else default_board_month()


class FinanceItemViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Finance items (payee agreements). Not deleted through the API: statements refer to them."""

    queryset = FinanceItem.objects.all()
    serializer_class = FinanceItemSerializer
    filterset_class = FinanceItemFilterSet
    permission_classes = [IsStaffOrApiKey]
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(parameters=[MONTH_PARAMETER], responses=BreakdownSerializer)
    @action(detail=True, methods=["get"])
    def breakdown(self, request, pk=None):
        """The post monetization breakdown of the item for a month: each counted post with its
        views gained in the month and its share of the views and of the variable pay."""
        breakdown = statement_breakdown(self.get_object(), _month(request))
        return Response(BreakdownSerializer(breakdown).data)


class PayoutStatementViewSet(viewsets.ReadOnlyModelViewSet):
    """Monthly statements (`?month=YYYY-MM&status=`) and their lifecycle actions."""

    queryset = PayoutStatement.objects.select_related(
        "finance_item", "approved_by", "paid_by", "voided_by"
    ).prefetch_related("events__actor")
    serializer_class = PayoutStatementSerializer
    filterset_class = PayoutStatementFilterSet
    permission_classes = [IsStaffOrApiKey]

    def _answer(self, statement):
        statement = self.get_queryset().get(pk=statement.pk)
        return Response(
            self.serializer_class(statement, context=self.get_serializer_context()).data
        )

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a draft: its figures are frozen from then on."""
        return self._answer(statement_approve(statement=self.get_object(), user=request.user))

    @extend_schema(request=AdjustSerializer)
    @action(detail=True, methods=["post"])
    def adjust(self, request, pk=None):
        """Set the signed adjustment with a reason (draft or approved; an approved statement
        goes back to draft)."""
        data = AdjustSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(
            statement_adjust(statement=self.get_object(), user=request.user, **data.validated_data)
        )

    @extend_schema(request=MarkPaidSerializer)
    @action(detail=True, methods=["post"], url_path="mark-paid", url_name="mark-paid")
    def mark_paid(self, request, pk=None):
        """Record a payment (default: the whole balance; partial payments allowed)."""
        data = MarkPaidSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(
            statement_mark_paid(
                statement=self.get_object(), user=request.user, **data.validated_data
            )
        )

    @extend_schema(request=VoidSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        """Void a draft or approved statement; the row is kept."""
        data = VoidSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(
            statement_void(statement=self.get_object(), user=request.user, **data.validated_data)
        )

    @extend_schema(request=None, responses=RecomputeReportSerializer)
    @action(detail=False, methods=["post"])
    def recompute(self, request):
        """Run the payments job now: recompute the draft statements of this and last month."""
        report = finance_statements_recompute()
        return Response(RecomputeReportSerializer(report).data)

    @extend_schema(parameters=[MONTH_PARAMETER], responses={(200, "text/csv"): OpenApiTypes.STR})
    def export(self, request):
        """The month's statements as CSV (the other filters apply too). Routed at
        `statements/export.csv` (no trailing slash) by finance.api.urls."""
        if not request.query_params.get("month"):
            raise DomainError("Choose a month: ?month=YYYY-MM.", fields={"month": ["Required."]})
        statements = self.filter_queryset(PayoutStatement.objects.all()).order_by(
            "month", "finance_item__code"
        )
        month = _month(request)
        return csv_response(
            statement_csv_rows(
                statements, hidden=personal_fields_hidden_from(request.user, PayoutStatement)
            ),
            filename=f"statements-{month:%Y-%m}.csv",
        )
