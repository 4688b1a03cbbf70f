"""The connections API's OAuth actions (specs/publishing.md §6): `refresh` a token now, and
`oauth-start` (the platform's authorize URL to send the user to; the platform then sends the
browser back to the admin callback, which finishes the connection)."""

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.errors import DomainError
from creators.models import Account
from platforms.publishers import oauth as oauth_client
from publishing.choices import ConnectionMethod
from publishing.services.oauth import connection_oauth_start, connection_refresh_now
from settings_app.access import accounts_visible_to


class OAuthStartSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=ConnectionMethod.choices)
    account = serializers.IntegerField(
        required=False, allow_null=True, help_text="Reconnect this tracked account."
    )


_START_ANSWER = inline_serializer(
    "OAuthStartAnswer",
    {
        "authorize_url": serializers.URLField(),
        "callback_url": serializers.URLField(),
        "expires_in": serializers.IntegerField(),
    },
)


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied(f"This needs the permission {perm}.")


class ConnectionOAuthActions:
    """Mixed into the connections viewset."""

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def refresh(self, request, pk=None):
        """Refresh the connection's token now (TikTok, Google, Instagram Login)."""
        _require(request, "publishing.change_socialconnection")
        connection = connection_refresh_now(self.get_object())
        return Response(self.serializer_class(self.get_queryset().get(pk=connection.pk)).data)

    @extend_schema(request=OAuthStartSerializer, responses=_START_ANSWER)
    @action(detail=False, methods=["post"], url_path="oauth-start", url_name="oauth-start")
    def oauth_start(self, request):
        """Start connecting an account: returns the platform's authorize URL. The platform
        sends the browser back to `callback_url` (the admin), where the signed-in user who
        started it finishes the connection."""
        _require(request, "publishing.add_socialconnection")
        form = OAuthStartSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        account = None
        if form.validated_data.get("account"):
            visible = accounts_visible_to(request.user, Account.objects.all())
            account = visible.filter(pk=form.validated_data["account"]).first()
            if account is None:
                raise DomainError(
                    "No such account.", code="not_found", fields={"account": ["Unknown."]}
                )
        session = request.session if getattr(request.session, "session_key", None) else None
        method = form.validated_data["method"]
        start = connection_oauth_start(
            request_user=request.user, method=method, account=account, session=session
        )
        return Response(
            {
                "authorize_url": start.url,
                "callback_url": oauth_client.redirect_uri(method),
                "expires_in": settings.OAUTH_STATE_TTL_SECONDS,
            }
        )
