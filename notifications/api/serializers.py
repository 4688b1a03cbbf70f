from rest_framework import serializers

from ..choices import NotificationKind
from ..models import Notification, NotificationPreference


class NotificationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    object_type = serializers.SerializerMethodField()
    delivery_error = serializers.CharField(read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "kind_label",
            "text",
            "url",
            "object_type",
            "object_id",
            "created_at",
            "read_at",
            "delivered_at",
            "delivery_error",
        ]
        read_only_fields = fields

    def get_object_type(self, obj: Notification) -> str:
        kind = obj.object_type
        return f"{kind.app_label}.{kind.model}" if kind else ""


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=1000,
        help_text="The notifications to mark read; none: all of yours.",
    )


class PreferenceSerializer(serializers.ModelSerializer):
    email_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=NotificationKind.choices), required=False
    )
    slack_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=NotificationKind.choices), required=False
    )
    slack_webhook_url = serializers.CharField(
        required=False, allow_blank=True, write_only=True, max_length=500
    )
    has_slack_webhook = serializers.SerializerMethodField()
    digest_after = serializers.IntegerField(required=False, min_value=2, max_value=100)

    class Meta:
        model = NotificationPreference
        fields = [
            "email_kinds",
            "slack_kinds",
            "slack_webhook_url",
            "has_slack_webhook",
            "digest_after",
        ]

    def get_has_slack_webhook(self, obj) -> bool:
        return bool(obj.slack_webhook_url)
