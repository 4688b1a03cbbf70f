from rest_framework import serializers

from core.api.editing import ServiceUpdateMixin
from core.api.history import HistoryPointSerializer
from core.api.serializers import (
    ChoiceDisplayMixin,
    FastListSerializer,
    JSONObjectField,
    PastedURLsSerializer,
    RelatedValueField,
    StrictInputMixin,
)
from core.bulk import AddResult
from posts.models import Post, PostSnapshot
from posts.services.adding import post_add, post_bulk_add, post_update
from posts.services.classification import (
    posts_requeue_classification,
    posts_requeue_failed_classifications,
)

# What a user sets on a post; everything else comes from the URL, the platforms and the AI.
BUSINESS_FIELDS = ["client", "editor", "assignee", "type", "boards", "finance_item", "extra"]


class PostSerializer(
    ServiceUpdateMixin, ChoiceDisplayMixin, StrictInputMixin, serializers.ModelSerializer
):
    """A post as the API shows it; only the business fields can be changed (PATCH)."""

    update_service = staticmethod(post_update)

    account_username = RelatedValueField("account.username")
    category_name = RelatedValueField("category.name")
    subcategory_names = serializers.SlugRelatedField(
        source="subcategories", slug_field="name", many=True, read_only=True
    )
    extra = JSONObjectField(required=False)

    class Meta:
        model = Post
        fields = [
            "id",
            "url",
            "platform",
            "post_id",
            "account",
            "account_username",
            "username",
            "post_date",
            "caption",
            "thumbnail_url",
            "duration_s",
            "width",
            "height",
            "views",
            "likes",
            "comments",
            "shares",
            "engagement_rate",
            "base_format",
            "content_type",
            "idea_concept",
            "category",
            "category_name",
            "subcategories",
            "subcategory_names",
            "reel_style",
            "processing_status",
            "ai_error",
            "ai_attempts",
            "ai_next_attempt_at",
            "ai_processed_at",
            "ai_model",
            "ai_prompt_version",
            "ai_prompt_tokens",
            "ai_completion_tokens",
            "last_updated",
            "next_refresh_at",
            # Why the last refresh failed, when, how many times in a row (cleared on success).
            "refresh_failures",
            "refresh_error",
            "refresh_error_at",
            "detected_at",
            "deleted_at",
            "is_trial",
            "trial_status",
            "trial_decided_at",
            "trial_note",
            *BUSINESS_FIELDS,
            "added_by",
            "added_date",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [name for name in fields if name not in BUSINESS_FIELDS]
        extra_kwargs = {"type": {"allow_blank": False}}
        list_serializer_class = FastListSerializer


class PostAddFieldsSerializer(StrictInputMixin, serializers.ModelSerializer):
    """The business fields given when adding posts (single or bulk)."""

    extra = JSONObjectField(required=False)
    is_trial = serializers.BooleanField(
        default=False, help_text="A trial reel: it waits for approval (trial_status pending)."
    )

    class Meta:
        model = Post
        fields = [*BUSINESS_FIELDS, "is_trial"]
        extra_kwargs = {"type": {"allow_blank": False}}


class PostAddSerializer(PostAddFieldsSerializer):
    url = serializers.CharField(help_text="A post URL in any accepted form.")

    class Meta(PostAddFieldsSerializer.Meta):
        fields = ["url", *PostAddFieldsSerializer.Meta.fields]

    def add(self, *, user) -> tuple[Post, bool]:
        return post_add(added_by=user, **self.validated_data)


class PostBulkAddSerializer(PastedURLsSerializer, PostAddFieldsSerializer):
    class Meta(PostAddFieldsSerializer.Meta):
        fields = ["urls", "text", *PostAddFieldsSerializer.Meta.fields]

    def add_all(self, *, user) -> list[AddResult]:
        return post_bulk_add(added_by=user, **self.validated_data)


class PostSnapshotSerializer(serializers.ModelSerializer):
    class Meta:
        model = PostSnapshot
        fields = ["id", "captured_at", "views", "likes", "comments", "shares", "source"]


# --- Snapshot history for charts (`?granularity=`) --------------------------------------------


class PostHistoryPointSerializer(HistoryPointSerializer):
    views = serializers.IntegerField(source="last_views", allow_null=True)
    likes = serializers.IntegerField(source="last_likes", allow_null=True)
    comments = serializers.IntegerField(source="last_comments", allow_null=True)
    shares = serializers.IntegerField(source="last_shares", allow_null=True)
    gained = serializers.IntegerField(
        allow_null=True, help_text="Views gained since the previous point (may be negative)."
    )


# --- AI classification: re-queue and status (specs/ai.md) -------------------------------------


class PostReclassifySerializer(StrictInputMixin, serializers.Serializer):
    """Which posts to queue for the AI again: `ids`, or every post with `status` failed."""

    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_empty=False,
        max_length=10000,
        help_text="Post ids.",
    )
    # A CharField, not a one-value ChoiceField: its enum would collide with the schema's other
    # "status" enums.
    status = serializers.CharField(required=False, help_text='"failed": every failed post.')

    def validate_status(self, value: str) -> str:
        if value != "failed":
            raise serializers.ValidationError('Only "failed" is accepted.')
        return value

    def validate(self, attrs: dict) -> dict:
        if ("ids" in attrs) == ("status" in attrs):
            raise serializers.ValidationError('Give either "ids" or "status": "failed".')
        return attrs

    def requeue(self) -> int:
        if "ids" in self.validated_data:
            return posts_requeue_classification(ids=self.validated_data["ids"])
        return posts_requeue_failed_classifications()


class PostReclassifyResultSerializer(serializers.Serializer):
    requeued = serializers.IntegerField(
        help_text="Posts queued again (trial reels and posts being classified are skipped)."
    )


class AIStatusSerializer(serializers.Serializer):
    configured = serializers.BooleanField()
    reason = serializers.CharField(help_text='Why nothing is classified; "" when configured.')
    model = serializers.CharField()
    base_url = serializers.CharField()
    prompt_version = serializers.CharField()
    counts = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Non-trial posts per processing status (pending, processing, completed, failed).",
    )
