from rest_framework import serializers

from core.api.serializers import CleanModelSerializer, StrictInputMixin
from settings_app.models import ApiKey, Board, Category, Client, Editor, Subcategory
from settings_app.services import API_KEY_SCOPES, api_key_create

TIMESTAMPS = ["created_at", "updated_at"]


class ClientSerializer(CleanModelSerializer):
    class Meta:
        model = Client
        fields = [
            "id",
            "name",
            "is_active",
            "notes",
            "brand_voice",
            "brand_guidelines",
            "brand_terms",
            "report_emails",
            *TIMESTAMPS,
        ]


class EditorSerializer(CleanModelSerializer):
    class Meta:
        model = Editor
        fields = ["id", "name", "user", "email", "is_active", *TIMESTAMPS]


class BoardSerializer(CleanModelSerializer):
    class Meta:
        model = Board
        fields = ["id", "name", "slug", *TIMESTAMPS]


class SubcategoryOfCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Subcategory
        fields = ["id", "name"]


class CategorySerializer(CleanModelSerializer):
    subcategories = SubcategoryOfCategorySerializer(many=True, read_only=True)

    class Meta:
        model = Category
        fields = ["id", "name", "description", "subcategories", *TIMESTAMPS]


class SubcategorySerializer(CleanModelSerializer):
    category_name = serializers.CharField(source="category.name", read_only=True)

    class Meta:
        model = Subcategory
        fields = ["id", "category", "category_name", "name", "description", *TIMESTAMPS]


class ApiKeySerializer(serializers.ModelSerializer):
    is_read_only = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiKey
        fields = [
            "id",
            "name",
            "prefix",
            "user",
            "scopes",
            "is_read_only",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
        ]
        read_only_fields = fields


class ApiKeyCreatedSerializer(ApiKeySerializer):
    key = serializers.CharField(
        source="raw_key",
        read_only=True,
        help_text="The key itself: shown in this answer only, never again. Store it now.",
    )

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]
        read_only_fields = fields


class ApiKeyCreateSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="What the key is for.")
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=API_KEY_SCOPES),
        required=False,
        help_text='Empty for full access; ["read"] for a read-only key.',
    )
    expires_at = serializers.DateTimeField(required=False, allow_null=True)

    def create_key(self, *, user) -> ApiKey:
        """The new key, carrying its raw value in `raw_key` for this one answer."""
        # Always the caller's own key: the API has no `user` field (the admin lets Owners choose).
        key, raw_key = api_key_create(user=user, created_by=user, **self.validated_data)
        key.raw_key = raw_key
        return key
