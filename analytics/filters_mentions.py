"""The FilterSets of mentions and audience snapshots (API and admin)."""

import django_filters as filters

from core.filters import CheckedFilterSet

from .models import AudienceSnapshot, Mention


class MentionFilterSet(CheckedFilterSet):
    client = filters.NumberFilter(field_name="client_id", label="Client id")
    post = filters.NumberFilter(field_name="post_id", label="Post id")
    term = filters.CharFilter(field_name="term", lookup_expr="iexact")
    sentiment = filters.ChoiceFilter(choices=Mention.Sentiment.choices)
    matched_after = filters.IsoDateTimeFilter(field_name="matched_at", lookup_expr="gte")

    class Meta:
        model = Mention
        fields = ["client", "post", "term", "sentiment", "matched_after"]


class AudienceSnapshotFilterSet(CheckedFilterSet):
    account = filters.NumberFilter(field_name="account_id", label="Account id")
    source = filters.CharFilter()
    date = filters.DateFilter()
    start_date = filters.DateFilter(field_name="date", lookup_expr="gte")
    end_date = filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = AudienceSnapshot
        fields = ["account", "source", "date", "start_date", "end_date"]
