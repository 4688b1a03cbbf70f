"""The FilterSets of workflow: the API, the admin and the Kanban board filter through them."""

import django_filters as filters
from django.utils import timezone

from core.filters import CheckedFilterSet
from posts.choices import Platform

from .choices import OPEN_COLUMNS, CampaignStatus, Column
from .models import Campaign, ContentTask, Deliverable


class ContentTaskFilterSet(CheckedFilterSet):
    """`?campaign=&client=&creator=&assignee=&platform=&overdue=&column=` (ids; `column` may
    repeat). Overdue: still open (not Published nor Cancelled) past its due time."""

    campaign = filters.NumberFilter(field_name="campaign_id", label="Campaign id")
    client = filters.NumberFilter(field_name="campaign__client_id", label="Client id")
    creator = filters.NumberFilter(field_name="creator_id", label="Creator id")
    assignee = filters.NumberFilter(field_name="assignee_id", label="Assignee (user id)")
    platform = filters.ChoiceFilter(choices=Platform.choices)
    column = filters.MultipleChoiceFilter(choices=Column.choices)
    overdue = filters.BooleanFilter(method="filter_overdue", label="Overdue")
    flagged = filters.BooleanFilter()

    class Meta:
        model = ContentTask
        fields = [
            "campaign",
            "client",
            "creator",
            "assignee",
            "platform",
            "column",
            "overdue",
            "flagged",
        ]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = {"column__in": OPEN_COLUMNS, "due_at__lt": timezone.now()}
        return queryset.filter(**late) if value else queryset.exclude(**late)


class CampaignFilterSet(CheckedFilterSet):
    client = filters.NumberFilter(field_name="client_id", label="Client id")
    status = filters.MultipleChoiceFilter(choices=CampaignStatus.choices)

    class Meta:
        model = Campaign
        fields = ["client", "status"]


class DeliverableFilterSet(CheckedFilterSet):
    campaign = filters.NumberFilter(field_name="campaign_id", label="Campaign id")
    creator = filters.NumberFilter(field_name="creator_id", label="Creator id")

    class Meta:
        model = Deliverable
        fields = ["campaign", "creator", "platform", "kind"]
