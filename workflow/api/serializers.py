from django.utils import timezone
from rest_framework import serializers

from core.api.serializers import ChoiceDisplayMixin, StrictInputMixin
from posts.choices import Platform
from settings_app.access import is_creator_login

from ..choices import OPEN_COLUMNS, AssetKind, Column, CommentVisibility
from ..models import (
    Asset,
    Campaign,
    CaptionVersion,
    Comment,
    ContentTask,
    Deliverable,
    ReviewLink,
    TaskMove,
)
from ..moves import next_columns


class CreatorProgressSerializer(serializers.Serializer):
    creator = serializers.IntegerField(source="creator_id")
    creator_name = serializers.CharField()
    promised = serializers.IntegerField()
    delivered = serializers.IntegerField()
    overdue = serializers.IntegerField()


class ProgressSerializer(serializers.Serializer):
    promised = serializers.IntegerField()
    delivered = serializers.IntegerField()
    overdue = serializers.IntegerField()
    percent = serializers.IntegerField()
    per_creator = CreatorProgressSerializer(many=True)


class CampaignSerializer(StrictInputMixin, ChoiceDisplayMixin, serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    platforms = serializers.ListField(
        child=serializers.ChoiceField(choices=Platform.choices), required=False
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "client",
            "name",
            "brief",
            "goals",
            "platforms",
            "start",
            "end",
            "budget",
            "status",
            "attachments",
            "progress",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["progress", "created_by", "created_at", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and is_creator_login(request.user):
            # The agency's deal with the client is not the creator's to see.
            data["budget"] = None
        return data

    def get_progress(self, obj) -> ProgressSerializer:
        progress = self.context.get("progress", {}).get(obj.pk)
        return ProgressSerializer(progress).data if progress is not None else None


class DeliverableSerializer(StrictInputMixin, ChoiceDisplayMixin, serializers.ModelSerializer):
    create_tasks = serializers.BooleanField(
        write_only=True, default=True, help_text="One Backlog task per unit."
    )

    class Meta:
        model = Deliverable
        fields = [
            "id",
            "campaign",
            "creator",
            "platform",
            "kind",
            "quantity",
            "due",
            "create_tasks",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class TaskSerializer(StrictInputMixin, ChoiceDisplayMixin, serializers.ModelSerializer):
    creator_name = serializers.CharField(source="creator.display_name", read_only=True)
    overdue = serializers.SerializerMethodField()
    next_columns = serializers.SerializerMethodField()
    comment_count = serializers.IntegerField(read_only=True, default=None)

    class Meta:
        model = ContentTask
        fields = [
            "id",
            "title",
            "description",
            "campaign",
            "deliverable",
            "creator",
            "creator_name",
            "assignee",
            "platform",
            "target_accounts",
            "column",
            "position",
            "due_at",
            "overdue",
            "scheduled_post",
            "published_posts",
            "flagged",
            "flag_reason",
            "comment_count",
            "next_columns",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "column",
            "position",
            "scheduled_post",
            "published_posts",
            "flagged",
            "flag_reason",
            "created_at",
            "updated_at",
        ]

    def get_overdue(self, obj) -> bool:
        return bool(obj.due_at and obj.column in OPEN_COLUMNS and obj.due_at < timezone.now())

    def get_next_columns(self, obj) -> list[str]:
        """The columns the requesting user may move this task to."""
        request = self.context.get("request")
        return [c.value for c in next_columns(getattr(request, "user", None), obj)]


class MoveSerializer(StrictInputMixin, serializers.Serializer):
    to = serializers.ChoiceField(choices=Column.choices)
    position = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    scheduled_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Approved → Scheduled: when to publish."
    )
    publish_now = serializers.BooleanField(required=False, default=False)


class AssetSerializer(ChoiceDisplayMixin, serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Asset
        fields = ["id", "kind", "media", "url", "version", "submitted_by", "created_at"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return obj.media.file.url if obj.media.file else ""


class AssetAddSerializer(StrictInputMixin, serializers.Serializer):
    media = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        help_text="Ids of media already in the library (/api/v1/media/).",
    )
    file = serializers.FileField(required=False, help_text="Or upload one file (multipart).")
    kind = serializers.ChoiceField(
        choices=AssetKind.choices, required=False, help_text="Default: from the media."
    )


class CaptionSerializer(StrictInputMixin, serializers.ModelSerializer):
    hashtags = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list
    )

    class Meta:
        model = CaptionVersion
        fields = ["id", "number", "text", "hashtags", "author", "created_at", "ai_generated"]
        read_only_fields = ["id", "number", "author", "created_at"]


class CommentSerializer(StrictInputMixin, ChoiceDisplayMixin, serializers.ModelSerializer):
    visibility = serializers.ChoiceField(
        choices=CommentVisibility.choices, default=CommentVisibility.SHARED
    )

    class Meta:
        model = Comment
        fields = ["id", "author", "author_name", "body", "visibility", "created_at"]
        read_only_fields = ["id", "author", "author_name", "created_at"]


class TaskMoveSerializer(ChoiceDisplayMixin, serializers.ModelSerializer):
    class Meta:
        model = TaskMove
        fields = ["id", "from_column", "to_column", "actor", "via", "note", "at"]
        read_only_fields = fields


class ReviewLinkSerializer(ChoiceDisplayMixin, serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Only in the answer that created it.")
    status = serializers.SerializerMethodField()

    class Meta:
        model = ReviewLink
        fields = [
            "id",
            "prefix",
            "task",
            "campaign",
            "reviewer_name",
            "created_by",
            "created_at",
            "expires_at",
            "revoked_at",
            "status",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, obj) -> str | None:
        return self.context.get("urls", {}).get(obj.pk)

    def get_status(self, obj) -> str:
        if obj.revoked_at:
            return "revoked"
        return "expired" if obj.expires_at <= timezone.now() else "active"


class ReviewLinkCreateSerializer(StrictInputMixin, serializers.Serializer):
    task = serializers.IntegerField(required=False, min_value=1)
    campaign = serializers.IntegerField(required=False, min_value=1)
    days = serializers.IntegerField(required=False, default=7, min_value=1, max_value=90)
    reviewer_name = serializers.CharField(required=False, allow_blank=True, max_length=200)


class DiffPartSerializer(serializers.Serializer):
    op = serializers.ChoiceField(choices=["equal", "insert", "delete"])
    text = serializers.CharField()


class CaptionDiffSerializer(serializers.Serializer):
    old = serializers.IntegerField()
    new = serializers.IntegerField()
    parts = DiffPartSerializer(many=True)
