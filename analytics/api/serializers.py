"""The analytics API's parameters (validated, each error naming its parameter) and answers
(documented for drf-spectacular; the figures come from analytics.queries)."""

from datetime import timedelta

from django.utils import timezone
from rest_framework import serializers

from core import windows
from posts.choices import Platform

from ..queries import SCOPES, AnalyticsQueryError, Period, default_period


class AnalyticsParamsSerializer(serializers.Serializer):
    platforms = serializers.CharField(
        required=False, help_text="Comma list of platforms (instagram,tiktok,youtube)."
    )
    start_date = serializers.DateField(
        required=False, help_text="First local day (default: 30 days before end_date)."
    )
    end_date = serializers.DateField(
        required=False, help_text="Last local day, included (default: yesterday)."
    )
    granularity = serializers.ChoiceField(choices=windows.GRANULARITIES, default="day")
    client = serializers.IntegerField(required=False, min_value=1)
    creator = serializers.IntegerField(required=False, min_value=1)
    account = serializers.IntegerField(required=False, min_value=1)
    campaign = serializers.IntegerField(required=False, min_value=1)
    board = serializers.IntegerField(required=False, min_value=1)
    editor = serializers.IntegerField(required=False, min_value=1)

    def validate_platforms(self, value: str) -> list[str]:
        names = [name.strip().lower() for name in value.split(",") if name.strip()]
        unknown = sorted(set(names) - set(Platform.values))
        if unknown:
            raise serializers.ValidationError(
                f"Unknown platform {', '.join(unknown)}; use {', '.join(Platform.values)}."
            )
        return names

    def validate(self, attrs: dict) -> dict:
        scopes = [name for name in SCOPES if name in attrs]
        if len(scopes) > 1:
            raise serializers.ValidationError(
                {scopes[1]: [f"One scope at most: {scopes[0]} is already given."]}
            )
        granularity = attrs["granularity"]
        start, end = attrs.get("start_date"), attrs.get("end_date")
        try:
            if start is None and end is None:
                period = default_period(
                    today=windows.local_date(timezone.now()), granularity=granularity
                )
            elif start is None:
                period = Period(end - timedelta(days=29), end, granularity)
            elif end is None:
                period = Period(
                    start, windows.local_date(timezone.now()) - timedelta(days=1), granularity
                )
            else:
                period = Period(start, end, granularity)
        except AnalyticsQueryError as error:
            raise serializers.ValidationError({error.field: [error.message]}) from error
        attrs["period"] = period
        attrs["scope"] = scopes[0] if scopes else None
        attrs["scope_id"] = attrs.get(scopes[0]) if scopes else None
        return attrs


class PeriodSerializer(serializers.Serializer):
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    days = serializers.IntegerField()


def _figure(help_text: str, *, rate: bool = False, required: bool = True):
    kind = serializers.FloatField if rate else serializers.IntegerField
    return kind(allow_null=True, help_text=help_text, required=required)


class FiguresSerializer(serializers.Serializer):
    followers = _figure("Followers at the end (the last day's value, summed over accounts).")
    followers_gained = _figure("Followers gained (may be negative).")
    views_gained = _figure("Views the posts gained (may be negative).")
    likes_gained = _figure("Likes gained.")
    comments_gained = _figure("Comments gained.")
    shares_gained = _figure("Shares gained.")
    posts_published = _figure("Posts published.")
    engagement_rate = _figure("(likes + comments + shares gained) / views gained, %.", rate=True)


class ChangeSerializer(serializers.Serializer):
    followers = _figure("%", rate=True)
    followers_gained = _figure("%", rate=True)
    views_gained = _figure("%", rate=True)
    likes_gained = _figure("%", rate=True)
    comments_gained = _figure("%", rate=True)
    shares_gained = _figure("%", rate=True)
    posts_published = _figure("%", rate=True)
    engagement_rate = _figure("%", rate=True)


class PointSerializer(serializers.Serializer):
    """One bucket; each endpoint gives its own figures (overview: followers and views)."""

    bucket = serializers.DateField(help_text="The bucket's first day (Monday, the 1st).")
    followers = _figure("Followers at the bucket's end.", required=False)
    followers_gained = _figure("Followers gained in the bucket.", required=False)
    views_gained = _figure("Views gained.", required=False)
    likes_gained = _figure("Likes gained.", required=False)
    comments_gained = _figure("Comments gained.", required=False)
    shares_gained = _figure("Shares gained.", required=False)
    posts_published = _figure("Posts published.", required=False)
    engagement_rate = _figure("Engagement rate, %.", rate=True, required=False)

    def to_representation(self, instance: dict) -> dict:
        return {k: v for k, v in super().to_representation(instance).items() if k in instance}


class AnswerSerializer(serializers.Serializer):
    period = PeriodSerializer()
    previous_period = PeriodSerializer()
    granularity = serializers.CharField()
    totals = FiguresSerializer()
    previous = FiguresSerializer()
    change = ChangeSerializer(help_text="Change vs the previous period in %; null if it was 0.")
    series = PointSerializer(many=True)


class PostFiguresSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    platform = serializers.CharField()
    account = serializers.IntegerField(allow_null=True)
    username = serializers.CharField()
    post_date = serializers.DateTimeField(allow_null=True)
    thumbnail_url = serializers.CharField()
    views_gained = serializers.IntegerField()
    views = serializers.IntegerField(allow_null=True)
    idea_concept = serializers.CharField(allow_blank=True)
    category = serializers.CharField(allow_null=True)
    subcategories = serializers.ListField(child=serializers.CharField())
    reel_style = serializers.CharField(allow_null=True)
    base_format = serializers.CharField(allow_null=True)
    content_type = serializers.CharField(allow_null=True)


class ContentAnswerSerializer(AnswerSerializer):
    top = PostFiguresSerializer(many=True, help_text="Most views gained in the period.")
    bottom = PostFiguresSerializer(many=True, help_text="Least views gained in the period.")


class PlatformFiguresSerializer(serializers.Serializer):
    platform = serializers.CharField()
    label = serializers.CharField()
    totals = FiguresSerializer()
    previous = FiguresSerializer()
    change = ChangeSerializer()


class CompareAnswerSerializer(serializers.Serializer):
    period = PeriodSerializer()
    previous_period = PeriodSerializer()
    platforms = PlatformFiguresSerializer(many=True)


class InsightScopeSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="client, creator or campaign.")
    id = serializers.IntegerField()
    name = serializers.CharField()


class InsightPostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    platform = serializers.CharField()
    account = serializers.IntegerField()
    username = serializers.CharField()
    post_date = serializers.DateTimeField(allow_null=True)
    label = serializers.CharField(help_text='As the model reads it, e.g. "@maya on Instagram".')
    views_gained = serializers.IntegerField(help_text="Views gained in the period.")
    account_median = serializers.FloatField(
        help_text="The median views gained by the account's posts in the period."
    )
    times_median = serializers.FloatField(help_text="views_gained ÷ account_median (at least 1).")
    category = serializers.CharField(allow_blank=True)
    subcategories = serializers.ListField(child=serializers.CharField())
    reel_style = serializers.CharField(allow_blank=True)
    format = serializers.CharField(allow_blank=True)
    length = serializers.CharField(allow_blank=True, help_text='A bucket, e.g. "15–30 s".')
    posting_hour = serializers.IntegerField(
        allow_null=True, help_text="Local hour of posting (agency TIME_ZONE), 0–23."
    )


class InsightAnswerSerializer(serializers.Serializer):
    scope = InsightScopeSerializer()
    period = PeriodSerializer()
    posts = InsightPostSerializer(
        many=True, help_text="At most 3: most views gained relative to their account's median."
    )
    shared = serializers.ListField(
        child=serializers.CharField(),
        help_text='What at least two of them share, e.g. "3 of 3: reel style Talking Head".',
    )
    explanation = serializers.CharField(
        allow_null=True,
        help_text="Two sentences by the AI from the facts above only; null when there is none.",
    )
    note = serializers.CharField(
        allow_blank=True,
        help_text="Why there is no explanation (AI not configured, rejected, unavailable).",
    )
