from rest_framework import serializers

from core.api.editing import ServiceUpdateMixin
from core.api.history import HistoryPointSerializer
from core.api.serializers import (
    ChoiceDisplayMixin,
    FastListSerializer,
    JSONObjectField,
    PastedURLsSerializer,
    StrictInputMixin,
)
from core.bulk import AddResult
from creators.metrics import FIGURES
from creators.models import Account, AccountSnapshot
from creators.services.adding import BUSINESS_FIELDS, account_add, account_bulk_add, account_update

# What a user sets on an account when adding it; the rest comes from the URL and the platforms.
ADD_FIELDS = [*BUSINESS_FIELDS, "boards"]
# Editable afterwards: the same, plus why tracking was turned off.
BUSINESS_FIELDS = [*ADD_FIELDS, "disabled_reason"]

PROFILE_FIELDS = [
    "id",
    "url",
    "platform",
    "username",
    "external_id",
    "full_name",
    "biography",
    "profile_pic_url",
    "is_verified",
    "is_private",
    "followers",
    "following",
    "total_media_count",
]
TRACKING_FIELDS = [
    "last_tracked_at",
    "last_stats_update",
    "processing_status",
    # Why the last profile refresh / new-post detection failed, when, how many times in a row,
    # and when it is tried again (cleared on success).
    "stats_failures",
    "stats_error",
    "stats_error_at",
    "next_stats_at",
    "detect_failures",
    "detect_error",
    "detect_error_at",
    "next_detect_at",
]


class AccountSerializer(
    ServiceUpdateMixin, ChoiceDisplayMixin, StrictInputMixin, serializers.ModelSerializer
):
    """An account as the API shows it; only the business fields can be changed (PATCH)."""

    update_service = staticmethod(account_update)

    extra = JSONObjectField(required=False)

    class Meta:
        model = Account
        fields = [
            *PROFILE_FIELDS,
            # specs/metrics.md and the monthly figures of specs/finance.md: all read-only.
            *FIGURES,
            "metrics_computed_at",
            *TRACKING_FIELDS,
            *BUSINESS_FIELDS,
            "created_at",
            "updated_at",
        ]
        read_only_fields = [name for name in fields if name not in BUSINESS_FIELDS]
        extra_kwargs = {"type": {"allow_blank": False}}
        list_serializer_class = FastListSerializer


class AccountAddFieldsSerializer(StrictInputMixin, serializers.ModelSerializer):
    """The business fields given when adding accounts (single or bulk)."""

    extra = JSONObjectField(required=False)

    class Meta:
        model = Account
        fields = ADD_FIELDS
        extra_kwargs = {"type": {"allow_blank": False}}


class AccountAddSerializer(AccountAddFieldsSerializer):
    url = serializers.CharField(help_text="A profile URL in any accepted form.")

    class Meta(AccountAddFieldsSerializer.Meta):
        fields = ["url", *ADD_FIELDS]

    def add(self, *, user) -> tuple[Account, bool]:
        return account_add(added_by=user, **self.validated_data)


class AccountBulkAddSerializer(PastedURLsSerializer, AccountAddFieldsSerializer):
    class Meta(AccountAddFieldsSerializer.Meta):
        fields = ["urls", "text", *ADD_FIELDS]

    def add_all(self, *, user) -> list[AddResult]:
        return account_bulk_add(added_by=user, **self.validated_data)


class AccountSnapshotSerializer(serializers.ModelSerializer):
    class Meta:
        model = AccountSnapshot
        fields = ["id", "captured_at", "followers", "following", "media_count", "source"]


class AccountHistoryPointSerializer(HistoryPointSerializer):
    followers = serializers.IntegerField(source="last_followers", allow_null=True)
    following = serializers.IntegerField(source="last_following", allow_null=True)
    media_count = serializers.IntegerField(source="last_media_count", allow_null=True)
    gained = serializers.IntegerField(
        allow_null=True, help_text="Followers gained since the previous point (may be negative)."
    )
