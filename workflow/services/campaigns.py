"""Campaigns and deliverables (specs/workflow.md "Campaigns")."""

from datetime import datetime
from typing import Any

from django.db import transaction

from core.errors import DomainError

from ..models import Campaign, ContentTask, Deliverable
from .tasks import task_create

MAX_UNITS = 100  # a deliverable's tasks are created at once: keep it a human number

CAMPAIGN_FIELDS = (
    "client",
    "name",
    "brief",
    "goals",
    "platforms",
    "start",
    "end",
    "budget",
    "status",
)


@transaction.atomic
def campaign_create(*, created_by, attachments=(), **fields: Any) -> Campaign:
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise DomainError(f"Unknown campaign fields: {', '.join(sorted(unknown))}.")
    campaign = Campaign(created_by=created_by, **fields)
    campaign.full_clean()
    campaign.save()
    if attachments:
        campaign.attachments.set(attachments)
    return campaign


@transaction.atomic
def campaign_update(campaign: Campaign, *, attachments=None, **changes: Any) -> Campaign:
    unknown = set(changes) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be edited here: {', '.join(sorted(unknown))}.")
    for name, value in changes.items():
        setattr(campaign, name, value)
    campaign.full_clean()
    campaign.save(update_fields=[*changes, "updated_at"])
    if attachments is not None:
        campaign.attachments.set(attachments)
    return campaign


@transaction.atomic
def deliverable_create(
    *,
    campaign: Campaign,
    creator,
    platform: str,
    kind: str,
    quantity: int = 1,
    due: datetime | None = None,
    created_by=None,
    assignee=None,
    create_tasks: bool = True,
) -> Deliverable:
    """A creator's promise for `campaign`; with `create_tasks`, one Backlog task per unit,
    aimed at the creator's tracked accounts on that platform."""
    if quantity is not None and quantity > MAX_UNITS:
        raise DomainError(
            f"A deliverable has at most {MAX_UNITS} units; split it.",
            fields={"quantity": [f"At most {MAX_UNITS}."]},
        )
    deliverable = Deliverable(
        campaign=campaign,
        creator=creator,
        platform=platform,
        kind=kind,
        quantity=quantity,
        due=due,
    )
    deliverable.full_clean()
    deliverable.save()
    if create_tasks:
        accounts = list(creator.accounts.filter(platform=platform))
        label = deliverable.get_kind_display()
        for unit in range(1, quantity + 1):
            task_create(
                creator=creator,
                title=f"{campaign.name} — {label} {unit}/{quantity}"[:200],
                platform=platform,
                campaign=campaign,
                deliverable=deliverable,
                assignee=assignee,
                description=campaign.brief,
                due_at=due,
                target_accounts=accounts,
                created_by=created_by,
            )
    return deliverable


def deliverable_tasks(deliverable: Deliverable):
    return ContentTask.objects.filter(deliverable=deliverable)
