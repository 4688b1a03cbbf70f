"""Reads of the audience page and API: per visible account with a publishing connection, its
latest stored audience (or why there is none)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from creators.models import Account
from platforms.audience import PLATFORMS_WITH_AUDIENCE
from publishing.choices import ConnectionStatus
from publishing.models import SocialConnection
from settings_app.access import accounts_visible_to

from ..models import AudienceDemographic, AudienceSnapshot

NOTHING_FROM_PLATFORM = "The platform gives no audience demographics to apps (TikTok)."
NO_CONNECTION = (
    "No publishing connection (disconnected): reconnect the account to read its audience."
)
NOT_FETCHED = "Connected; the audience has not been fetched yet (daily job)."


def audience_snapshots_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    qs = AudienceSnapshot.objects.all() if qs is None else qs
    return accounts_visible_to(user, qs, through="account__")


def audience_accounts(user, *, limit: int = 200) -> QuerySet[Account]:
    """Visible accounts that have a connection or a stored audience, with the latest day."""
    connections = SocialConnection.objects.filter(account=OuterRef("pk"))
    qs = accounts_visible_to(user, Account.objects.all())
    return (
        qs.annotate(
            connected=Exists(connections.filter(status=ConnectionStatus.CONNECTED)),
            ever_connected=Exists(connections),
            latest_audience=Max("audience_snapshots__date"),
        )
        # A disconnected account stays listed (its last audience, and why no new one comes).
        .filter(Q(ever_connected=True) | Q(latest_audience__isnull=False))
        .order_by("platform", "username")[:limit]
    )


def audience_rows(user, *, limit: int = 200) -> list[dict]:
    """Per connected account: its latest audience by dimension, or the reason there is none."""
    accounts = list(audience_accounts(user, limit=limit))
    latest = {a.pk: a.latest_audience for a in accounts if a.latest_audience}
    snapshots = AudienceSnapshot.objects.filter(
        account_id__in=latest, date__in=set(latest.values())
    )
    wanted = [s for s in snapshots if latest.get(s.account_id) == s.date]
    rows_by_snapshot: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for row in AudienceDemographic.objects.filter(snapshot__in=[s.pk for s in wanted]).order_by(
        "snapshot_id", "dimension", "-value"
    ):
        rows_by_snapshot[row.snapshot_id][row.dimension].append(row)
    by_account: dict[int, list] = defaultdict(list)
    for snapshot in wanted:
        by_account[snapshot.account_id].append(
            {
                "snapshot": snapshot,
                "dimensions": {k: v[:8] for k, v in rows_by_snapshot[snapshot.pk].items()},
            }
        )
    answer = []
    for account in accounts:
        if account.platform not in PLATFORMS_WITH_AUDIENCE:
            note = NOTHING_FROM_PLATFORM
        elif not account.connected:
            note = NO_CONNECTION
        elif not by_account.get(account.pk):
            note = NOT_FETCHED
        else:
            note = ""
        answer.append({"account": account, "note": note, "audiences": by_account.get(account.pk)})
    return answer
