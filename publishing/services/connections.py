"""Connections (specs/publishing.md §1): disconnecting; the platform's own quota reading."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..choices import ConnectionStatus, TargetState
from ..models import PublishTarget, SocialConnection


@transaction.atomic
def connection_disconnect(connection: SocialConnection) -> SocialConnection:
    """Disconnect softly: the tokens are cleared, the row, its targets and their log stay. Its
    scheduled targets wait for a reconnect (needs_reauth) instead of failing."""
    connection = SocialConnection.objects.select_for_update().get(pk=connection.pk)
    connection.access_token = ""
    connection.refresh_token = ""
    connection.token_expires_at = None
    connection.refresh_expires_at = None
    connection.status = ConnectionStatus.DISCONNECTED
    connection.save(
        update_fields=[
            "access_token",
            "refresh_token",
            "token_expires_at",
            "refresh_expires_at",
            "status",
            "updated_at",
        ]
    )
    PublishTarget.objects.filter(
        connection=connection, state__in=(TargetState.SCHEDULED, TargetState.DEFERRED)
    ).update(state=TargetState.NEEDS_REAUTH, updated_at=timezone.now())
    return connection


#: The connection's meta key of Instagram's last `content_publishing_limit` answer.
PUBLISHING_LIMIT_KEY = "content_publishing_limit"


def connection_remember_publishing_limit(
    connection_id: int, *, quota_usage: int, quota_total: int, quota_duration: int, at: datetime
) -> None:
    """Keep Instagram's last `content_publishing_limit` answer (posts in its rolling window, the
    cap, the window) in the connection's meta with the time it was read, for the connections
    page and the daily budgets. Only that key changes: the row is locked, re-read, written."""
    with transaction.atomic():
        meta = (
            SocialConnection.objects.select_for_update()
            .filter(pk=connection_id)
            .values_list("meta", flat=True)
            .first()
        )
        if meta is None:  # the connection is gone
            return
        meta = dict(meta)
        meta[PUBLISHING_LIMIT_KEY] = {
            "quota_usage": quota_usage,
            "quota_total": quota_total,
            "quota_duration": quota_duration,
            "read_at": at.isoformat(),
        }
        SocialConnection.objects.filter(pk=connection_id).update(meta=meta, updated_at=at)
