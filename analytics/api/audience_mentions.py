"""Read-only `/api/v1/analytics/mentions/` and `/api/v1/analytics/audience/`, role-scoped
(the post's or the account's visibility)."""

from django.db.models import Prefetch
from rest_framework import mixins, serializers, viewsets

from analytics.audience.queries import audience_snapshots_visible_to
from analytics.filters_mentions import AudienceSnapshotFilterSet, MentionFilterSet
from analytics.mentions import mentions_visible_to
from analytics.models import AudienceDemographic, AudienceSnapshot, Mention
from core.api.permissions import IsStaffOrApiKey


class MentionSerializer(serializers.ModelSerializer):
    client_name = serializers.CharField(source="client.name", read_only=True)
    post_url = serializers.CharField(source="post.url", read_only=True)

    class Meta:
        model = Mention
        fields = [
            "id",
            "client",
            "client_name",
            "post",
            "post_url",
            "term",
            "matched_at",
            "sentiment",
            "sentiment_model",
        ]
        read_only_fields = fields


class AudienceDemographicSerializer(serializers.ModelSerializer):
    class Meta:
        model = AudienceDemographic
        fields = ["dimension", "key", "value", "unit"]
        read_only_fields = fields


class AudienceSnapshotSerializer(serializers.ModelSerializer):
    demographics = AudienceDemographicSerializer(many=True, read_only=True)

    class Meta:
        model = AudienceSnapshot
        fields = ["id", "account", "date", "source", "fetched_at", "demographics"]
        read_only_fields = fields


class MentionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Brand mentions: tracked posts naming a client's brand terms, with the AI's sentiment
    (null when AI is not configured or not yet asked)."""

    queryset = Mention.objects.select_related("client", "post").order_by("-matched_at", "-id")
    serializer_class = MentionSerializer
    filterset_class = MentionFilterSet
    permission_classes = [IsStaffOrApiKey]

    def get_queryset(self):
        return mentions_visible_to(self.request.user, super().get_queryset())


class AudienceSnapshotViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Audience demographics of connected accounts, one snapshot per account, day and source
    (Instagram follower_demographics, YouTube Analytics). TikTok gives none."""

    queryset = AudienceSnapshot.objects.prefetch_related(
        Prefetch(
            "demographics", queryset=AudienceDemographic.objects.order_by("dimension", "-value")
        )
    ).order_by("-date", "account_id", "source")
    serializer_class = AudienceSnapshotSerializer
    filterset_class = AudienceSnapshotFilterSet
    permission_classes = [IsStaffOrApiKey]

    def get_queryset(self):
        return audience_snapshots_visible_to(self.request.user, super().get_queryset())
