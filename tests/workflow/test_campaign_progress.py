"""Campaign progress: delivered (tasks Published) vs promised (deliverables' quantities), per
creator and in total, and overdue units, in two queries whatever the number of campaigns."""

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.creators.factories import CreatorFactory
from tests.workflow.factories import CampaignFactory, DeliverableFactory, task_make
from workflow.models import ContentTask
from workflow.queries import campaigns_progress
from workflow.services.campaigns import deliverable_create

pytestmark = pytest.mark.django_db


def publish(task):
    """Straight to Published (the moves are tested elsewhere), at the end of the column."""
    size = ContentTask.objects.filter(column="published").count()
    ContentTask.objects.filter(pk=task.pk).update(column="published", position=size)
    # The Backlog stays dense, as the move service keeps it.
    for position, pk in enumerate(
        ContentTask.objects.filter(column="backlog")
        .order_by("position")
        .values_list("pk", flat=True)
    ):
        ContentTask.objects.filter(pk=pk).update(position=-1 - position)
    ContentTask.objects.filter(column="backlog").update(position=-F("position") - 1)


def test_progress_counts_published_units_against_promises_per_creator():
    campaign = CampaignFactory()
    maya, leo = CreatorFactory(display_name="Maya"), CreatorFactory(display_name="Leo")
    past, future = (
        timezone.now() - timezone.timedelta(days=1),
        timezone.now() + timezone.timedelta(days=5),
    )
    late = deliverable_create(
        campaign=campaign, creator=maya, platform="tiktok", kind="video", quantity=3, due=past
    )
    deliverable_create(
        campaign=campaign, creator=maya, platform="instagram", kind="reel", quantity=2, due=future
    )
    deliverable_create(
        campaign=campaign, creator=leo, platform="instagram", kind="photo", quantity=1, due=past
    )
    publish(late.tasks.first())
    loose = task_make(creator=leo, campaign=campaign, due_at=past)  # no deliverable, still open
    publish(task_make(creator=leo, campaign=campaign))

    progress = campaigns_progress([campaign.pk])[campaign.pk]

    rows = {p.creator_name: (p.promised, p.delivered, p.overdue) for p in progress.per_creator}
    assert rows == {"Maya": (5, 1, 2), "Leo": (1, 1, 2)}
    assert (progress.promised, progress.delivered, progress.overdue) == (6, 2, 4)
    assert progress.percent == 33
    assert loose.deliverable is None


def test_progress_of_many_campaigns_takes_two_queries():
    campaigns = [CampaignFactory() for _ in range(5)]
    for campaign in campaigns:
        DeliverableFactory(campaign=campaign, quantity=2)
        task_make(campaign=campaign)

    with CaptureQueriesContext(connection) as queries:
        result = campaigns_progress([c.pk for c in campaigns])

    assert len(queries) == 2
    assert all(result[c.pk].promised == 2 for c in campaigns)


def test_a_campaign_without_deliverables_has_empty_progress():
    campaign = CampaignFactory()
    progress = campaigns_progress([campaign.pk])[campaign.pk]
    assert (progress.promised, progress.delivered, progress.overdue, progress.percent) == (
        0,
        0,
        0,
        0,
    )
