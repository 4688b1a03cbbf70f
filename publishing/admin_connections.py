"""The connections page of the admin (specs/publishing.md §1): every publishing connection with
its status, token countdown, Facebook Login day-50 warning, daily quota and last error; Connect
buttons per login method; Reconnect, Refresh and Disconnect. OAuth start (POST) and callback
(GET) pages sit beside it. Rules live in publishing/services/oauth.py."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.timesince import timeuntil

from core.admin.pages import AdminPage
from core.errors import DomainError
from platforms import ratelimit
from platforms.publishers import oauth as oauth_client
from settings_app.access import accounts_visible_to

from .choices import ConnectionMethod, ConnectionStatus, TargetState
from .models import SocialConnection
from .queries import QuotaReading, connection_quota_readings
from .services.connections import connection_disconnect
from .services.oauth import (
    connection_oauth_complete,
    connection_oauth_start,
    connection_refresh_now,
    facebook_login_warning,
)

VIEW = "publishing.view_socialconnection"
ADD = "publishing.add_socialconnection"
CHANGE = "publishing.change_socialconnection"

CONNECT_BUTTONS = (
    (ConnectionMethod.INSTAGRAM_LOGIN, "Connect Instagram"),
    (ConnectionMethod.FACEBOOK_LOGIN, "Connect via Facebook"),
    (ConnectionMethod.TIKTOK, "Connect TikTok"),
    (ConnectionMethod.GOOGLE, "Connect YouTube"),
)


def connect_form_policy() -> str:
    """The site's CSP with `form-action` widened to the platforms' authorize pages: a Connect
    button's POST is answered with a redirect there, which browsers check against
    form-action. Only this page gets it."""
    policy = settings.CONTENT_SECURITY_POLICY
    if not policy or "form-action" not in policy:
        return policy
    origins = sorted(
        {
            f"{parts.scheme}://{parts.netloc}"
            for parts in (
                urlsplit(getattr(settings, name))
                for name in (
                    "OAUTH_INSTAGRAM_AUTHORIZE_URL",
                    "OAUTH_FACEBOOK_AUTHORIZE_URL",
                    "OAUTH_TIKTOK_AUTHORIZE_URL",
                    "OAUTH_GOOGLE_AUTHORIZE_URL",
                )
            )
            if parts.scheme in ("http", "https") and parts.netloc
        }
    )
    return re.sub(
        r"form-action ([^;]*)",
        lambda m: f"form-action {m.group(1)} {' '.join(origins)}",
        policy,
        count=1,
    )


def _expiry(connection: SocialConnection, now) -> tuple[str, bool]:
    """The token countdown in words, and whether it is urgent (red)."""
    if connection.status == ConnectionStatus.NEEDS_REAUTH:
        return "needs reconnecting", True
    if connection.status == ConnectionStatus.DISCONNECTED:
        return "disconnected", False
    expires = connection.token_expires_at
    if expires is None:
        return "no expiry given", False
    if expires <= now:
        return "expired", True
    refreshable = connection.method in oauth_client.REFRESHABLE and connection.refresh_token
    text = "expires in " + timeuntil(expires, now, depth=1).replace("\xa0", " ")
    if refreshable or connection.method == ConnectionMethod.INSTAGRAM_LOGIN:
        text += " (renewed automatically)"
    return text, expires - now < timedelta(days=1) and not refreshable


def _quota(
    connection: SocialConnection,
    published_24h: int,
    youtube_left: int | None,
    reading: QuotaReading | None = None,
) -> str:
    """What we honestly know of today's publishing quota: for Instagram its own last count
    (content_publishing_limit, read before each publish) when it knows of at least as many
    posts as we do (posts made outside CreatorOps count too), else our count."""
    if connection.platform == "instagram":
        if reading is not None and reading.used >= published_24h:
            return reading.describe()
        return f"{published_24h} posted in 24 h; remaining unknown"
    if connection.platform == "youtube":
        if youtube_left is None:
            return f"{published_24h} uploaded today; remaining unknown"
        return f"{youtube_left} upload units left today"
    return f"{published_24h} posted in 24 h; TikTok gives no quota figure"


class ConnectionsPage(AdminPage):
    route = "board/"
    url_name = "publishing_connections"
    title = "Connections"
    template = "admin/publishing/connections.html"
    permissions = (VIEW,)

    def get_context(self, **kwargs: Any) -> dict:
        now = timezone.now()
        user = self.request.user
        since = now - timedelta(hours=24)
        rows = (
            accounts_visible_to(
                user, SocialConnection.objects.select_related("account"), through="account__"
            )
            .annotate(
                published_24h=Count(
                    "targets",
                    filter=Q(
                        targets__state=TargetState.PUBLISHED, targets__published_at__gte=since
                    ),
                ),
                waiting=Count("targets", filter=Q(targets__state=TargetState.NEEDS_REAUTH)),
            )
            .order_by("account__username", "method")
        )
        youtube_left = next(
            (
                s["quota_left"]
                for s in ratelimit.provider_states()
                if s["provider"] == "youtube.uploads"
            ),
            None,
        )
        rows = list(rows[:500])  # one row per connected account: a small table
        readings = connection_quota_readings(rows, now=now)
        connections = []
        for connection in rows:
            expiry, urgent = _expiry(connection, now)
            connections.append(
                {
                    "obj": connection,
                    "expiry": expiry,
                    "urgent": urgent,
                    "fb_warning": facebook_login_warning(connection, now=now),
                    "quota": _quota(
                        connection,
                        connection.published_24h,
                        youtube_left,
                        readings.get(connection.pk),
                    ),
                    "handle": (connection.meta or {}).get("handle") or connection.account.username,
                }
            )
        return {
            "connections": connections,
            "buttons": [
                {
                    "method": method,
                    "label": label,
                    "configured": oauth_client.is_configured(method),
                    "settings": ", ".join(oauth_client.APP_CREDENTIALS[method]),
                }
                for method, label in CONNECT_BUTTONS
            ],
            "can_add": user.has_perm(ADD),
            "can_change": user.has_perm(CHANGE),
        }

    def get(self, **kwargs: Any) -> HttpResponse:
        response = super().get(**kwargs)
        policy = connect_form_policy()
        if policy:
            response["Content-Security-Policy"] = policy
        return response

    def post(self, **kwargs: Any) -> HttpResponse:
        if not self.request.user.has_perm(CHANGE):
            messages.error(self.request, "You may not change connections.")
            return HttpResponseRedirect(self.url())
        action = self.request.POST.get("action")
        visible = accounts_visible_to(
            self.request.user, SocialConnection.objects.all(), through="account__"
        )
        connection = visible.filter(pk=self.request.POST.get("connection") or 0).first()
        if connection is None or action not in ("disconnect", "refresh"):
            messages.error(self.request, "Choose a connection and an action.")
            return HttpResponseRedirect(self.url())
        try:
            if action == "disconnect":
                connection_disconnect(connection)
                messages.success(self.request, f"Disconnected {connection.account}.")
            else:
                connection_refresh_now(connection)
                messages.success(self.request, f"Refreshed the token of {connection.account}.")
        except DomainError as error:
            messages.error(self.request, error.message)
        return HttpResponseRedirect(self.url())


class OAuthStartPage(AdminPage):
    """POST: start connecting (or reconnecting one connection's account); redirects to the
    platform's authorize page."""

    route = "oauth/<str:method>/start/"
    url_name = "publishing_connection_oauth_start"
    title = "Connect an account"
    template = "admin/publishing/connections.html"
    permissions = (ADD,)

    def get(self, **kwargs: Any) -> HttpResponse:
        return HttpResponseRedirect(self._board())

    def _board(self) -> str:
        return ConnectionsPage(self.model_admin, self.request).url()

    def post(self, *, method: str, **kwargs: Any) -> HttpResponse:
        account = None
        reconnect = self.request.POST.get("connection")
        if reconnect:
            visible = accounts_visible_to(
                self.request.user,
                SocialConnection.objects.select_related("account"),
                through="account__",
            )
            connection = visible.filter(pk=reconnect, method=method).first()
            if connection is None:
                messages.error(self.request, "That connection does not exist.")
                return HttpResponseRedirect(self._board())
            account = connection.account
        try:
            start = connection_oauth_start(
                request_user=self.request.user,
                method=method,
                account=account,
                session=self.request.session,
            )
        except DomainError as error:
            messages.error(self.request, error.message)
            return HttpResponseRedirect(self._board())
        return HttpResponseRedirect(start.url)


class OAuthCallbackPage(AdminPage):
    """GET: the platform sends the user back here with code and state (or an error)."""

    route = "oauth/<str:method>/callback/"
    url_name = "publishing_connection_oauth_callback"
    title = "Connect an account"
    template = "admin/publishing/connections.html"
    permissions = (ADD,)

    def get(self, *, method: str, **kwargs: Any) -> HttpResponse:
        query = self.request.GET
        board = ConnectionsPage(self.model_admin, self.request).url()
        try:
            connection = connection_oauth_complete(
                request_user=self.request.user,
                method=method,
                state=query.get("state", ""),
                code=query.get("code", ""),
                error=query.get("error", ""),
                error_description=query.get("error_description", ""),
                session=self.request.session,
            )
        except DomainError as error:
            messages.error(self.request, error.message)
            return HttpResponseRedirect(board)
        messages.success(
            self.request,
            f"Connected {connection.account} ({connection.get_method_display()}).",
        )
        return HttpResponseRedirect(board)
