"""Creators as people (specs/workflow.md "People"): create one, and group accounts under it."""

from django.db import transaction
from django.db.models import QuerySet

from core.errors import DomainError

from ..models import Account, Creator


def creator_create(
    *,
    display_name: str,
    email: str = "",
    user=None,
    notes: str = "",
    tags: list[str] | None = None,
    timezone: str = "UTC",
    finance_item=None,
) -> Creator:
    creator = Creator(
        display_name=display_name.strip(),
        email=email,
        user=user,
        notes=notes,
        tags=tags or [],
        timezone=timezone,
        finance_item=finance_item,
    )
    creator.full_clean()
    creator.save()
    return creator


@transaction.atomic
def accounts_group_under_creator(
    *, accounts_qs: QuerySet[Account], creator: Creator | None = None, new_name: str = ""
) -> tuple[Creator, int]:
    """Attach the accounts of `accounts_qs` to `creator`, or to a new creator named
    `new_name`. An account belongs to one creator: grouping moves it from any former one.
    Returns the creator and how many accounts were attached."""
    if (creator is None) == (not new_name.strip()):
        raise DomainError(
            "Choose an existing creator or type the name of a new one (not both).",
            fields={"creator": ["Choose one."], "new_name": ["Or type a name."]},
        )
    if creator is None:
        creator = creator_create(display_name=new_name)
    attached = accounts_qs.update(creator=creator)
    # One payee for the person: a new creator takes its accounts' finance item when they share one.
    if creator.finance_item_id is None:
        items = set(
            Account.objects.filter(creator=creator, finance_item__isnull=False)
            .values_list("finance_item_id", flat=True)
            .distinct()[:2]
        )
        if len(items) == 1:
            creator.finance_item_id = items.pop()
            creator.save(update_fields=["finance_item", "updated_at"])
    return creator, attached
