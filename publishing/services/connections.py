"""Connections (specs/publishing.md §1): disconnecting."""

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
