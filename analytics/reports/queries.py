"""Who sees which reports, and which scopes a user may report on.

Staff who see every account (`creators.view_all_account`) see and make every report. Others
(editors) see the reports they asked for and may report only on the creators and campaigns they
see (`settings_app.access`); a creator's login sees its own creator's reports."""

from django.db.models import Q, QuerySet

from creators.models import Creator
from settings_app.access import (
    campaigns_visible_to,
    creators_visible_to,
    own_creator_id,
)
from workflow.models import Campaign

from ..choices import ScopeKind
from ..models import Report

SEES_ALL = "creators.view_all_account"


def reports_visible_to(user, qs: QuerySet[Report]) -> QuerySet[Report]:
    if user and user.is_active and user.has_perm(SEES_ALL):
        return qs
    if not (user and user.is_authenticated):
        return qs.none()
    mine = Q(created_by=user)
    creator_id = own_creator_id(user)
    if creator_id is not None:
        mine |= Q(scope_kind=ScopeKind.CREATOR, scope_id=creator_id)
    return qs.filter(mine)


def report_scope_allowed(user, scope_kind: str, scope_id: int) -> bool:
    """May `user` ask for a report on this scope (it exists or not: the service says so)."""
    if user and user.is_active and user.has_perm(SEES_ALL):
        return True
    if scope_kind == ScopeKind.CREATOR:
        return creators_visible_to(user, Creator.objects.filter(pk=scope_id)).exists()
    if scope_kind == ScopeKind.CAMPAIGN:
        return campaigns_visible_to(user, Campaign.objects.filter(pk=scope_id)).exists()
    return False


def scope_choices(user) -> dict[str, list[tuple[int, str]]]:
    """The scopes `user` may report on, per kind, for the admin's form (names only)."""
    from settings_app.models import Client

    sees_all = user.has_perm(SEES_ALL)
    clients = Client.objects.filter(is_active=True) if sees_all else Client.objects.none()
    creators = creators_visible_to(user, Creator.objects.all())
    campaigns = campaigns_visible_to(user, Campaign.objects.all())
    return {
        ScopeKind.CLIENT: list(clients.order_by("name").values_list("pk", "name")[:500]),
        ScopeKind.CREATOR: list(
            creators.order_by("display_name").values_list("pk", "display_name")[:500]
        ),
        ScopeKind.CAMPAIGN: list(campaigns.order_by("-id").values_list("pk", "name")[:500]),
    }
