from rest_framework import serializers

from core.api.serializers import (
    ChoiceDisplayMixin,
    CleanModelSerializer,
    MonthField,
    StrictInputMixin,
)
from core.inputs import AsciiDecimalSerializerField, ascii_serializer_field_mapping
from finance.models import FinanceItem, PayoutStatement, StatementEvent
from finance.queries import STATEMENT_FIGURES
from finance.services import FINANCE_ITEM_FIELDS, finance_item_save
from settings_app.access import PERSONAL_FIELDS, personal_fields_hidden_from

MONEY = {"max_digits": 14, "decimal_places": 2}


class HidesPersonalFinanceData:
    """Leaves out the payees' personal fields for users who may not see them (analysts)."""

    @property
    def answer_may_omit(self) -> tuple[str, ...]:
        # For the schema (core.api.schema): these are not in every role's answer.
        return PERSONAL_FIELDS.get(self.Meta.model._meta.label_lower, ())

    def get_fields(self):
        fields = super().get_fields()
        request, view = self.context.get("request"), self.context.get("view")
        if getattr(view, "swagger_fake_view", False):  # the schema documents every field
            return fields
        if request is not None:
            for name in personal_fields_hidden_from(request.user, self.Meta.model):
                fields.pop(name, None)
        return fields


class FinanceItemSerializer(HidesPersonalFinanceData, CleanModelSerializer):
    # Amounts, volumes and dates in ASCII digits only, as in the admin (core.inputs).
    serializer_field_mapping = ascii_serializer_field_mapping(
        CleanModelSerializer.serializer_field_mapping
    )

    class Meta:
        model = FinanceItem
        fields = [
            "id",
            *FINANCE_ITEM_FIELDS,
            "last_paid_date",
            "paid_amount",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["last_paid_date", "paid_amount", "created_at", "updated_at"]

    def create(self, validated_data):
        item = FinanceItem(**validated_data)
        return finance_item_save(item=item, actor=self.context["request"].user)

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return finance_item_save(
            item=instance, actor=self.context["request"].user, fields=list(validated_data)
        )


STATUS_HELP = "draft, approved, partially_paid, paid or void"


class StatementEventSerializer(
    HidesPersonalFinanceData, ChoiceDisplayMixin, serializers.ModelSerializer
):
    actor = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="null: the system."
    )
    # Plain strings: one enum of statuses in the schema (the statement's `status_display`).
    from_status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    to_status = serializers.CharField(read_only=True, help_text=STATUS_HELP)

    class Meta:
        model = StatementEvent
        fields = [
            "kind",
            "at",
            "actor",
            "from_status",
            "to_status",
            "amount",
            "amount_due",
            "payment_method",
            "payment_reference",
            "note",
        ]


class PayoutStatementSerializer(
    HidesPersonalFinanceData, ChoiceDisplayMixin, serializers.ModelSerializer
):
    month = MonthField(read_only=True)
    finance_item_code = serializers.CharField(source="finance_item.code", read_only=True)
    payee_name = serializers.CharField(source="finance_item.payee_name", read_only=True)
    balance = serializers.DecimalField(**MONEY, read_only=True)
    approved_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    paid_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who paid it; null until then.",
    )
    voided_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who voided it; null until then.",
    )
    events = StatementEventSerializer(many=True, read_only=True)
    # A string, not an enum: drf-spectacular would name it like the other apps' `status`.
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = PayoutStatement
        fields = [
            "id",
            "finance_item",
            "finance_item_code",
            "payee_name",
            "month",
            "currency",
            *STATEMENT_FIGURES,
            "status",
            "status_display",
            "computed_at",
            "approved_by",
            "approved_at",
            "paid_at",
            "paid_by",
            "payment_method",
            "payment_reference",
            "voided_by",
            "voided_at",
            "void_reason",
            "events",
        ]
        read_only_fields = fields


class AdjustSerializer(StrictInputMixin, serializers.Serializer):
    amount = AsciiDecimalSerializerField(
        **MONEY, help_text="The signed adjustment; it replaces the previous one."
    )
    reason = serializers.CharField(help_text="Required: why the amount changes.")


class MarkPaidSerializer(StrictInputMixin, serializers.Serializer):
    amount = AsciiDecimalSerializerField(
        **MONEY, required=False, allow_null=True, help_text="Default: the whole balance."
    )
    method = serializers.CharField(required=False, allow_blank=True, default="")
    reference = serializers.CharField(required=False, allow_blank=True, default="")


class VoidSerializer(StrictInputMixin, serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class RecomputeReportSerializer(serializers.Serializer):
    months = serializers.ListField(child=serializers.CharField())
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    frozen = serializers.IntegerField()
    void = serializers.IntegerField()
    accounts = serializers.IntegerField()


class BreakdownRowSerializer(serializers.Serializer):
    post = serializers.IntegerField(source="post.pk")
    url = serializers.CharField(source="post.url")
    account = serializers.CharField(source="post.account", allow_null=True)
    post_date = serializers.DateTimeField(source="post.post_date", allow_null=True)
    in_month = serializers.BooleanField(help_text="Published in the month (posting volume).")
    gained = serializers.IntegerField(help_text="gained(views, month)")
    share_of_views = serializers.DecimalField(max_digits=12, decimal_places=6, allow_null=True)
    variable_share = serializers.DecimalField(**MONEY)


class BreakdownSerializer(serializers.Serializer):
    finance_item = serializers.IntegerField(source="item.pk")
    month = MonthField(read_only=True)
    as_of = serializers.DateTimeField()
    statement = serializers.IntegerField(source="statement.pk", allow_null=True, default=None)
    posting_volume = serializers.IntegerField()
    views_generated = serializers.IntegerField()
    variable = serializers.DecimalField(**MONEY)
    adds_up = serializers.BooleanField()
    stale = serializers.BooleanField(
        help_text="A draft whose inputs changed since it was computed: recompute it."
    )
    rows = BreakdownRowSerializer(many=True)
