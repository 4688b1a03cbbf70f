"""Workflow's sections of the creator page (creators.hooks): the creator's tasks and the
campaigns it is part of, with its delivered / promised units. A fixed number of queries."""

from django.db.models import Q
from django.urls import reverse

from creators.hooks import CreatorSection
from settings_app.access import campaigns_visible_to, tasks_visible_to

from .models import Campaign, ContentTask
from .queries import campaigns_progress

SHOWN = 20


def creator_sections(creator, user) -> list[CreatorSection]:
    sections = []
    if user.has_perm("workflow.view_contenttask"):
        tasks = list(
            tasks_visible_to(user, ContentTask.objects.filter(creator=creator))
            .select_related("campaign")
            .order_by("-updated_at", "-id")[:SHOWN]
        )
        sections.append(
            CreatorSection(
                title="Content tasks",
                headers=["Task", "Campaign", "Column", "Due"],
                rows=[
                    [
                        (t.title, reverse("admin:workflow_contenttask_change", args=[t.pk])),
                        (t.campaign.name if t.campaign else "—", None),
                        (t.get_column_display(), None),
                        (t.due_at.strftime("%Y-%m-%d") if t.due_at else "—", None),
                    ]
                    for t in tasks
                ],
                empty_text="No task yet.",
                more_url=reverse("admin:workflow_contenttask_changelist")
                + f"?creator={creator.pk}",
            )
        )
    if user.has_perm("workflow.view_campaign"):
        part_of = Campaign.objects.filter(
            Q(deliverables__creator=creator) | Q(tasks__creator=creator)
        ).values("pk")
        campaigns = list(
            campaigns_visible_to(user, Campaign.objects.filter(pk__in=part_of))
            .select_related("client")
            .order_by("-id")[:SHOWN]
        )
        progress = campaigns_progress([c.pk for c in campaigns])
        rows = []
        for campaign in campaigns:
            mine = next(
                (p for p in progress[campaign.pk].per_creator if p.creator_id == creator.pk), None
            )
            rows.append(
                [
                    (campaign.name, reverse("admin:workflow_campaign_change", args=[campaign.pk])),
                    (campaign.client.name, None),
                    (campaign.get_status_display(), None),
                    (f"{mine.delivered} / {mine.promised}" if mine else "0 / 0", None),
                    (mine.overdue if mine else 0, None),
                ]
            )
        sections.append(
            CreatorSection(
                title="Campaigns",
                headers=["Campaign", "Client", "Status", "Delivered / promised", "Overdue"],
                rows=rows,
                empty_text="Not part of a campaign yet.",
            )
        )
    return sections
