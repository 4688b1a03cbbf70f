from datetime import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import ChoiceDisplayMixin, JSONObjectField, StrictInputMixin
from publishing.choices import PostStatus
from publishing.models import MediaAsset, PublishTarget, ScheduledPost, SocialConnection

STATUS_HELP = ", ".join(PostStatus.values)
LOCAL_TIME_SCHEMA = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$",
    "example": "2027-03-29T09:00",
}


@extend_schema_field(LOCAL_TIME_SCHEMA)
class LocalTimeField(serializers.Field):
    """A wall time without a UTC offset ("2027-03-29T09:00"), read in the post's zone."""

    default_error_messages = {
        "invalid": "Enter a local date and time like 2027-03-29T09:00, without a UTC offset.",
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            value = datetime.fromisoformat(data)
        except ValueError:
            self.fail("invalid")
        if value.tzinfo is not None:
            self.fail("invalid")
        return value.replace(microsecond=0)

    def to_representation(self, value):
        return value.strftime("%Y-%m-%dT%H:%M")


def local_time_of(post: ScheduledPost) -> str:
    return post.scheduled_at.astimezone(ZoneInfo(post.timezone)).strftime("%Y-%m-%dT%H:%M")


class ConnectionSerializer(ChoiceDisplayMixin, serializers.ModelSerializer):
    """A connection, never its tokens."""

    account_username = serializers.CharField(source="account.username", read_only=True)

    class Meta:
        model = SocialConnection
        fields = [
            "id",
            "account",
            "account_username",
            "platform",
            "method",
            "status",
            "scopes",
            "token_expires_at",
            "last_refreshed_at",
            "last_error",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class MediaAssetSerializer(ChoiceDisplayMixin, serializers.ModelSerializer):
    class Meta:
        model = MediaAsset
        fields = [
            "id",
            "kind",
            "mime",
            "size",
            "width",
            "height",
            "duration_s",
            "codec",
            "frame_rate",
            "checksum",
            "created_at",
        ]
        read_only_fields = fields


class PublishTargetSerializer(ChoiceDisplayMixin, serializers.ModelSerializer):
    account = serializers.IntegerField(source="connection.account_id", read_only=True)
    platform = serializers.CharField(source="connection.platform", read_only=True)
    tracked_post_url = serializers.SerializerMethodField(
        help_text="The API URL of the tracked post the published URL became (null until then)."
    )

    class Meta:
        model = PublishTarget
        fields = [
            "id",
            "connection",
            "account",
            "platform",
            "options",
            "state",
            "attempt",
            "next_attempt_at",
            "error_class",
            "error",
            "platform_post_id",
            "published_url",
            "published_at",
            "tracked_post",
            "tracked_post_url",
        ]
        read_only_fields = fields

    def get_tracked_post_url(self, target: PublishTarget) -> str | None:
        if target.tracked_post_id is None:
            return None
        url = reverse("post-detail", args=[target.tracked_post_id])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ScheduledPostSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    local_time = serializers.SerializerMethodField(help_text="The wall time in `timezone`.")
    media = serializers.SerializerMethodField(help_text="Media asset ids, in order.")
    targets = PublishTargetSerializer(many=True, read_only=True)
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = ScheduledPost
        fields = [
            "id",
            "caption",
            "title",
            "hashtags",
            "media",
            "status",
            "local_time",
            "timezone",
            "scheduled_at",
            "options",
            "targets",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(LOCAL_TIME_SCHEMA)
    def get_local_time(self, post) -> str:
        return local_time_of(post)

    def get_media(self, post) -> list[int]:
        return [item.asset_id for item in post.media_items.all()]


class ScheduledPostWriteSerializer(StrictInputMixin, serializers.Serializer):
    """What a client sends to schedule a post (POST) or change it (PATCH, until a target is
    claimed: `connections` and `media` are fixed then)."""

    caption = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    hashtags = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list, max_length=60
    )
    media = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=35,
        help_text="Media asset ids, in order.",
    )
    connections = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=False,
        max_length=100,
        help_text="Connection ids: one target per destination.",
    )
    local_time = LocalTimeField(help_text="The wall time in `timezone`, without an offset.")
    timezone = serializers.CharField(max_length=64, help_text="IANA name, e.g. Europe/Berlin.")
    fold = serializers.ChoiceField(
        choices=[0, 1],
        required=False,
        default=0,
        help_text="A wall time repeated by a DST change: 0 the first, 1 the second.",
    )
    options = JSONObjectField(required=False, default=dict)

    def validate_media(self, ids):
        found = MediaAsset.objects.in_bulk(ids)
        missing = [i for i in ids if i not in found]
        if missing:
            raise serializers.ValidationError(f"Unknown media ids: {missing}.")
        return [found[i] for i in ids]

    def validate_connections(self, ids):
        found = SocialConnection.objects.select_related("account").in_bulk(ids)
        missing = [i for i in ids if i not in found]
        if missing:
            raise serializers.ValidationError(f"Unknown connection ids: {missing}.")
        return [found[i] for i in ids]


class ScheduledPostUpdateSerializer(ScheduledPostWriteSerializer):
    connections = None
    media = None
    caption = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    hashtags = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=60
    )
    local_time = LocalTimeField(required=False, help_text="Reschedule: the new wall time.")
    timezone = serializers.CharField(required=False, max_length=64)
    fold = serializers.ChoiceField(choices=[0, 1], required=False, default=0)
    options = JSONObjectField(required=False)


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="How many targets changed.")
    post = ScheduledPostSerializer()


class CalendarRowSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    local_time = serializers.SerializerMethodField()
    platforms = serializers.SerializerMethodField()

    class Meta:
        model = ScheduledPost
        fields = ["id", "local_time", "timezone", "scheduled_at", "platforms", "status"]
        read_only_fields = fields

    @extend_schema_field(LOCAL_TIME_SCHEMA)
    def get_local_time(self, post) -> str:
        return local_time_of(post)

    def get_platforms(self, post) -> list[str]:
        return self.context.get("platforms", {}).get(post.pk, [])
