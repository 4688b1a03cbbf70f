"""Connections' OAuth (specs/publishing.md §1): connect and reconnect, tokens kept fresh,
needs_reauth with one notification.

- `connection_oauth_start` / `connection_oauth_complete`: the authorization-code flow. The
  state is single-use (an `OAuthState` row claimed by compare-and-set), bound to the user and
  the session that started it, and expires; the PKCE verifier stays on the server.
- `connection_token_fresh`: the access token to use now, refreshed first when it is close to
  expiry. The refresh locks the connection row, re-reads it, refreshes and saves the new pair
  in the same transaction, so two workers never both spend one TikTok refresh token.
- `connection_token_rejected`: the platform refused a token (Graph 190, HTTP 401): one forced
  refresh, else `needs_reauth`.
- `connection_mark_needs_reauth`: the connection waits for a reconnect, its pending targets
  wait with it (never failed), and its people get ONE notification.
- `connection_refresh_expiring`: the daily job.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.errors import DomainError
from core.jobs import WorkReport, error_text
from creators.models import Account
from creators.services.adding import account_add
from notifications.choices import NotificationKind
from notifications.services import notify
from platforms.providers.base import AccountToken, ProviderError
from platforms.publishers import oauth

from ..choices import METHOD_PLATFORM, ConnectionMethod, ConnectionStatus, TargetState
from ..models import OAuthState, PublishTarget, SocialConnection
from ..queries import TRACKING_METHODS
from .scheduling import connection_targets_resume
from .steps import Outcome, PublishError

logger = logging.getLogger(__name__)

#: Refresh before use when the access token expires within this (spec §1).
REFRESH_BEFORE = {
    ConnectionMethod.TIKTOK: timedelta(minutes=10),
    ConnectionMethod.GOOGLE: timedelta(minutes=5),
    ConnectionMethod.INSTAGRAM_LOGIN: timedelta(days=7),
}
#: Facebook Login tokens live ~60 days and cannot be refreshed: warn from day 50.
FACEBOOK_WARN_AFTER = timedelta(days=50)
#: The daily job refreshes what would otherwise expire before its next run.
JOB_HORIZON = timedelta(hours=26)
JOB_RERUN_GAP = timedelta(hours=12)
#: A token refreshed this recently and still refused is not refreshed again: reconnect.
_JUST_REFRESHED = timedelta(minutes=2)
_SESSION_KEY = "publishing_oauth_states"
_PENDING = (TargetState.SCHEDULED, TargetState.DEFERRED)


class ConnectionNeedsReauth(PublishError, DomainError):
    """The connection cannot be used until someone connects it again. A `PublishError` with
    the needs_reauth outcome for the publisher (the target waits), a `DomainError` for the
    API and the admin."""

    code = "needs_reauth"

    def __init__(self, message: str) -> None:
        PublishError.__init__(
            self, message, outcome=Outcome.NEEDS_REAUTH, error_class="connection_needs_reauth"
        )
        self.message = message
        self.fields = {}


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _domain_error(error: Exception, *, code: str = "oauth_failed") -> DomainError:
    if isinstance(error, oauth.NotConfigured):
        return DomainError(str(error), code="not_configured")
    return DomainError(f"The platform refused the connection: {error}", code=code)


# --- Connect and reconnect ---------------------------------------------------------------------
def connection_oauth_start(
    *,
    request_user,
    method: str,
    account: Account | None = None,
    session: Any = None,
    now: datetime | None = None,
) -> oauth.Authorization:
    """Start connecting (or reconnecting `account`) with `method`; returns where to send the
    user. The state is bound to `request_user` and, when given, the browser `session`."""
    if method not in ConnectionMethod.values:
        raise DomainError(
            f"Unknown login method “{method}”.",
            code="invalid_method",
            fields={"method": [f"One of: {', '.join(ConnectionMethod.values)}."]},
        )
    if account is not None and account.platform != METHOD_PLATFORM[ConnectionMethod(method)]:
        raise DomainError(
            f"{ConnectionMethod(method).label} does not publish to a {account.platform} account.",
            code="method_platform_mismatch",
            fields={"method": ["Does not fit the account's platform."]},
        )
    try:
        authorization = oauth.authorize(method)
    except oauth.OAuthError as error:
        raise _domain_error(error) from error
    now = now or timezone.now()
    OAuthState.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()
    session_hash = ""
    if session is not None:
        if not session.session_key:
            session.save()
        session_hash = _hash(session.session_key)
        states = [*session.get(_SESSION_KEY, [])[-9:], _hash(authorization.state)]
        session[_SESSION_KEY] = states
    OAuthState.objects.create(
        state_hash=_hash(authorization.state),
        method=method,
        account=account,
        user=request_user,
        session_hash=session_hash,
        code_verifier=authorization.code_verifier,
        expires_at=now + timedelta(seconds=settings.OAUTH_STATE_TTL_SECONDS),
    )
    return authorization


def _claim_state(*, request_user, method: str, state: str, session: Any, now) -> OAuthState:
    invalid = DomainError(
        "This connection attempt is unknown, expired or already used: start it again.",
        code="oauth_state_invalid",
    )
    row = OAuthState.objects.filter(state_hash=_hash(state or ""), method=method).first()
    if row is None or row.user_id != getattr(request_user, "pk", None):
        raise invalid
    if row.session_hash:
        key = getattr(session, "session_key", None) or ""
        if _hash(key) != row.session_hash or row.state_hash not in session.get(_SESSION_KEY, []):
            raise invalid
    # Single use: only one callback may claim it.
    claimed = OAuthState.objects.filter(pk=row.pk, used_at__isnull=True, expires_at__gt=now)
    if claimed.update(used_at=now) != 1:
        raise invalid
    if session is not None and row.state_hash in session.get(_SESSION_KEY, []):
        session[_SESSION_KEY] = [h for h in session[_SESSION_KEY] if h != row.state_hash]
    return row


def connection_oauth_complete(
    *,
    request_user,
    method: str,
    state: str,
    code: str = "",
    error: str = "",
    error_description: str = "",
    session: Any = None,
    now: datetime | None = None,
) -> SocialConnection:
    """The callback: check the state, exchange the code, read the account's id and handle,
    link (or add) the tracked account, store the tokens and resume the waiting targets. A
    reconnect updates the same connection row; a stored refresh token is never erased."""
    now = now or timezone.now()
    started = _claim_state(
        request_user=request_user, method=method, state=state, session=session, now=now
    )
    label = ConnectionMethod(method).label
    if error or not code:
        raise DomainError(
            f"{label}: the authorization was not granted ({error_description or error or 'no code'}).",
            code="oauth_denied",
        )
    try:
        tokens = oauth.exchange_code(method, code=code, code_verifier=started.code_verifier)
        identity = oauth.whoami(method, access_token=tokens.access_token, user_id=tokens.user_id)
    except ProviderError as failure:
        raise _domain_error(failure) from failure
    account = _account_for(identity, method=method, wanted=started.account)
    return _connection_store(account=account, method=method, tokens=tokens, identity=identity)


def _same_account(account: Account, identity: oauth.Identity) -> bool:
    if account.external_id and account.external_id == identity.account_id:
        return True
    handle = identity.handle.lower().lstrip("@")
    return bool(handle) and account.username.lower().lstrip("@") == handle


def _account_for(identity: oauth.Identity, *, method: str, wanted: Account | None) -> Account:
    """The tracked account the platform's identity is: the one asked for (a reconnect must be
    the same account), else one found by id or handle, else a new one added by its URL."""
    platform = METHOD_PLATFORM[ConnectionMethod(method)]
    if wanted is not None:
        existing = wanted.social_connections.filter(method=method).first()
        known = (existing.meta or {}).get("account_id") if existing else None
        if known == identity.account_id or _same_account(wanted, identity):
            return wanted
        raise DomainError(
            f"You authorized @{identity.handle or identity.account_id}, but this connection is "
            f"for @{wanted.username}: log in to the platform as @{wanted.username} and try "
            "again.",
            code="oauth_wrong_account",
        )
    found = SocialConnection.objects.filter(
        method=method, meta__account_id=identity.account_id
    ).first()
    if found is not None:
        return found.account
    match = Q(external_id=identity.account_id) if identity.account_id else Q(pk__in=[])
    if identity.handle:
        match |= Q(username__iexact=identity.handle.lstrip("@"))
    account = Account.objects.filter(match, platform=platform).order_by("pk").first()
    if account is not None:
        return account
    if not identity.profile_url:
        raise DomainError(
            "The platform did not tell the account's handle: add the account first, then "
            "connect it from its row.",
            code="oauth_no_handle",
        )
    account, _ = account_add(url=identity.profile_url)
    return account


@transaction.atomic
def _connection_store(
    *, account: Account, method: str, tokens: oauth.TokenSet, identity: oauth.Identity
) -> SocialConnection:
    now = timezone.now()
    connection = (
        SocialConnection.objects.select_for_update().filter(account=account, method=method).first()
    )
    if connection is None:
        connection = SocialConnection(
            account=account, method=method, platform=METHOD_PLATFORM[ConnectionMethod(method)]
        )
    connection.access_token = tokens.access_token
    if tokens.refresh_token:  # never erase a stored one (Google sends none on a reconnect)
        connection.refresh_token = tokens.refresh_token
    if tokens.refresh_expires_at or tokens.refresh_token:
        connection.refresh_expires_at = tokens.refresh_expires_at
    connection.token_expires_at = tokens.expires_at
    connection.scopes = list(tokens.scopes) or list(oauth.SCOPES[method])
    connection.status = ConnectionStatus.CONNECTED
    connection.last_refreshed_at = now
    connection.last_error = ""
    connection.meta = {
        **(connection.meta or {}),
        **identity.meta,
        "account_id": identity.account_id,
        "handle": identity.handle,
        "name": identity.name,
        "connected_at": now.isoformat(),
    }
    connection.full_clean(validate_unique=False)
    connection.save()
    if not account.external_id and identity.account_id and method != ConnectionMethod.TIKTOK:
        # TikTok's open_id is per app, not the account's public id.
        Account.objects.filter(pk=account.pk, external_id="").update(
            external_id=identity.account_id
        )
    connection_targets_resume(connection, now=now)
    return connection


# --- Fresh tokens ------------------------------------------------------------------------------
def _expires_soon(connection: SocialConnection, now: datetime, within: timedelta | None) -> bool:
    if within is None or connection.token_expires_at is None:
        return False
    return connection.token_expires_at - now <= within


def _refresh_window(method: str) -> timedelta | None:
    return REFRESH_BEFORE.get(ConnectionMethod(method))


def _unusable(connection: SocialConnection) -> ConnectionNeedsReauth:
    return ConnectionNeedsReauth(
        f"The {connection.get_method_display()} connection of {connection.account} is "
        f"{connection.get_status_display().lower()}: connect it again."
    )


def connection_token_fresh(
    connection: SocialConnection,
    *,
    force: bool = False,
    within: timedelta | None = None,
    now: datetime | None = None,
) -> str:
    """The access token to use now. Refreshed first when it expires within the method's
    window (TikTok 10 min, Google 5 min, Instagram Login 7 days; `within` overrides it), or
    when `force`d. Raises `ConnectionNeedsReauth` if the connection cannot be used."""
    now = now or timezone.now()
    window = within or _refresh_window(connection.method)
    if connection.status != ConnectionStatus.CONNECTED:
        raise _unusable(connection)
    if connection.method == ConnectionMethod.FACEBOOK_LOGIN:
        if connection.token_expires_at and connection.token_expires_at <= now:
            connection_mark_needs_reauth(
                connection.pk, error="The Facebook Login token expired (they last 60 days)."
            )
            raise _unusable(SocialConnection.objects.get(pk=connection.pk))
        return connection.access_token
    if not force and not _expires_soon(connection, now, window):
        return connection.access_token
    return _refresh_locked(connection.pk, force=force, window=window, now=now)


def _refresh_locked(pk: int, *, force: bool, window: timedelta | None, now: datetime) -> str:
    failure: Exception | None = None
    transient: ProviderError | None = None
    with transaction.atomic():
        # Lock, then re-read: another worker may have refreshed it while we waited.
        row = SocialConnection.objects.select_for_update().select_related("account").get(pk=pk)
        if row.status != ConnectionStatus.CONNECTED:
            raise _unusable(row)
        refreshed_since = row.last_refreshed_at and row.last_refreshed_at >= now
        if refreshed_since or (not force and not _expires_soon(row, timezone.now(), window)):
            return row.access_token
        try:
            tokens = oauth.refresh(
                row.method, access_token=row.access_token, refresh_token=row.refresh_token
            )
        except oauth.ReauthRequired as error:
            failure = error
        except ProviderError as error:
            # Network, 5xx, an odd answer, or no app credentials to refresh with.
            transient = error
        else:
            _tokens_save(row, tokens)
            return row.access_token
    if transient is not None:
        SocialConnection.objects.filter(pk=pk).update(
            last_error=f"Refresh failed: {error_text(transient)}"[:2000]
        )
        unexpired = row.token_expires_at is None or row.token_expires_at > timezone.now()
        if unexpired and not force:
            return row.access_token  # still good for now; the next use or run tries again
        if not isinstance(transient, oauth.NotConfigured):
            raise transient
        failure = transient
    connection_mark_needs_reauth(pk, error=str(failure))
    raise _unusable(SocialConnection.objects.select_related("account").get(pk=pk))


def _tokens_save(row: SocialConnection, tokens: oauth.TokenSet) -> None:
    """Both tokens in one UPDATE (inside the lock): a rotated refresh token is never lost."""
    row.access_token = tokens.access_token
    fields = ["access_token", "token_expires_at", "last_refreshed_at", "last_error", "updated_at"]
    if tokens.refresh_token:
        row.refresh_token = tokens.refresh_token
        row.refresh_expires_at = tokens.refresh_expires_at or row.refresh_expires_at
        fields += ["refresh_token", "refresh_expires_at"]
    row.token_expires_at = tokens.expires_at or row.token_expires_at
    row.last_refreshed_at = timezone.now()
    row.last_error = ""
    row.save(update_fields=fields)


def connection_token_rejected(connection_id: int, *, error: str) -> bool:
    """The platform refused the connection's token (Graph 190, HTTP 401). Refresh it once: True
    when a new token is there (try again), False when the connection now needs a reconnect."""
    connection = SocialConnection.objects.select_related("account").get(pk=connection_id)
    if connection.status != ConnectionStatus.CONNECTED:
        return False
    now = timezone.now()
    just = connection.last_refreshed_at and now - connection.last_refreshed_at < _JUST_REFRESHED
    if connection.method not in oauth.REFRESHABLE or just:
        connection_mark_needs_reauth(connection_id, error=error)
        return False
    try:
        token = connection_token_fresh(connection, force=True, now=now)
    except ConnectionNeedsReauth:
        return False
    except ProviderError:
        return True  # the refresh itself failed for a passing reason: the retry will tell
    if token == connection.access_token:
        connection_mark_needs_reauth(connection_id, error=error)
        return False
    return True


# --- needs_reauth ------------------------------------------------------------------------------
def connection_mark_needs_reauth(connection_id: int, *, error: str) -> bool:
    """The connection waits for a reconnect: status needs_reauth, its pending targets wait too
    (needs_reauth, never failed), and its people get one notification. Only the call that
    changes the status notifies; returns whether this one did."""
    now = timezone.now()
    with transaction.atomic():
        changed = SocialConnection.objects.filter(
            pk=connection_id, status=ConnectionStatus.CONNECTED
        ).update(
            status=ConnectionStatus.NEEDS_REAUTH, last_error=(error or "")[:2000], updated_at=now
        )
        PublishTarget.objects.filter(connection_id=connection_id, state__in=_PENDING).update(
            state=TargetState.NEEDS_REAUTH, updated_at=now
        )
        if changed:
            key = f"connection_needs_reauth:{connection_id}:{now.isoformat()}"
            transaction.on_commit(lambda: connection_reauth_notify(connection_id, key=key))
    return bool(changed)


def connection_reauth_recipients(connection: SocialConnection):
    """Who hears that a connection needs a reconnect: the account's editor's user, and the
    active users who may change connections (by group or directly, or superusers)."""
    User = get_user_model()
    perm = Permission.objects.filter(
        content_type__app_label="publishing", codename="change_socialconnection"
    )
    editor_user = Account.objects.filter(pk=connection.account_id).values("editor__user_id")
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(pk__in=editor_user)
            | Q(is_superuser=True)
            | Q(groups__permissions__in=perm)
            | Q(user_permissions__in=perm)
        )
        .distinct()
    )


def connection_reauth_notify(connection_id: int, *, key: str) -> None:
    """Tell the connection's people it needs a reconnect (one notification per episode)."""
    connection = SocialConnection.objects.select_related("account").get(pk=connection_id)
    text = (
        f"{connection.account} ({connection.get_method_display()}) needs to be connected again: "
        f"its scheduled posts wait until then. {connection.last_error}".strip()
    )
    _deliver(list(connection_reauth_recipients(connection)), text=text, obj=connection, key=key)


def _deliver(users: list, *, text: str, obj: Any, key: str) -> None:
    notify(users, kind=NotificationKind.CONNECTION_NEEDS_REAUTH, text=text, obj=obj, key=key)


# --- The daily job -----------------------------------------------------------------------------
def connection_refresh_expiring(*, now: datetime | None = None) -> WorkReport:
    """Refresh every connected, refreshable token that expires within its window or before the
    next daily run; expired Facebook Login tokens go to needs_reauth. Idempotent: a rerun
    finds nothing due (the lock re-reads each row)."""
    now = now or timezone.now()
    report = WorkReport(kind="social_connections")
    due = Q()
    for method, window in REFRESH_BEFORE.items():
        due |= Q(method=method, token_expires_at__lte=now + max(window, JOB_HORIZON))
    connected = SocialConnection.objects.filter(status=ConnectionStatus.CONNECTED)
    expired_fb = connected.filter(
        method=ConnectionMethod.FACEBOOK_LOGIN, token_expires_at__lte=now
    ).values_list("pk", flat=True)
    for pk in list(expired_fb):
        connection_mark_needs_reauth(pk, error="The Facebook Login token expired.")
        report.failed += 1
        report.note_errors("Facebook Login token expired: reconnect")
    # One refresh (an HTTP call) per due connection: bounded by the connected accounts.
    # Refreshed within the day already (by use or an earlier run): left alone, so a rerun
    # of the job refreshes nothing twice.
    recent = Q(last_refreshed_at__gte=now - JOB_RERUN_GAP)
    for connection in (
        connected.filter(due).exclude(recent).select_related("account").order_by("pk")
    ):
        try:
            connection_token_fresh(
                connection, within=max(_refresh_window(connection.method), JOB_HORIZON), now=now
            )
        except ConnectionNeedsReauth as error:
            report.item_failed(connection, error=str(error), attempts=1)
        except ProviderError as error:
            report.item_failed(connection, error=error_text(error), attempts=1)
        else:
            report.item_ok(connection)
    return report


# --- What the admin page shows -----------------------------------------------------------------
def facebook_login_warning(connection: SocialConnection, *, now: datetime | None = None) -> bool:
    """A Facebook Login token 50 days old or more (they last 60 days and cannot be
    refreshed): time to reconnect."""
    if connection.method != ConnectionMethod.FACEBOOK_LOGIN:
        return False
    now = now or timezone.now()
    issued = connection.last_refreshed_at or connection.created_at
    return bool(issued and now - issued >= FACEBOOK_WARN_AFTER)


def connection_refresh_now(connection: SocialConnection) -> SocialConnection:
    """Refresh the connection's token now (the API's and the admin's "refresh")."""
    if connection.method == ConnectionMethod.FACEBOOK_LOGIN:
        raise DomainError(
            "Facebook Login tokens cannot be refreshed: connect the account again.",
            code="not_refreshable",
        )
    if not oauth.is_configured(connection.method):
        id_name, secret_name = oauth.APP_CREDENTIALS[connection.method]
        raise DomainError(
            f"Set {id_name}, {secret_name} and OAUTH_REDIRECT_BASE_URL to refresh this token.",
            code="not_configured",
        )
    try:
        connection_token_fresh(connection, force=True)
    except ProviderError as error:
        raise DomainError(
            f"The refresh failed: {error_text(error)}", code="refresh_failed"
        ) from error
    return SocialConnection.objects.select_related("account").get(pk=connection.pk)


# --- Own tokens for the tracking providers (posts.hooks.account_tokens) ------------------------


def connection_tokens_for_accounts(account_ids) -> dict[int, AccountToken]:
    """The fresh own token of each of these accounts that has a live connection the tracking
    providers can use (Instagram Graph, YouTube Data API), by account id. A connection that
    cannot give one now is left out: the refresh falls back to public data."""
    tokens: dict[int, AccountToken] = {}
    rows = SocialConnection.objects.filter(
        account_id__in=list(account_ids),
        status=ConnectionStatus.CONNECTED,
        method__in=TRACKING_METHODS,
    ).order_by("account_id", "method")
    for row in rows:  # one refresh job batch of accounts at most
        if row.account_id in tokens:
            continue
        try:
            token = connection_token_fresh(row)
        except ProviderError as error:  # ConnectionNeedsReauth included
            logger.info("No own token for account %s: %s", row.account_id, error)
            continue
        meta = row.meta or {}
        if row.method == ConnectionMethod.GOOGLE:
            tokens[row.account_id] = AccountToken(token, user_id=str(meta.get("channel_id", "")))
            continue
        base = (
            settings.FACEBOOK_PUBLISH_BASE_URL
            if row.method == ConnectionMethod.FACEBOOK_LOGIN
            else settings.INSTAGRAM_PUBLISH_BASE_URL
        )
        user_id = meta.get("ig_user_id") or meta.get("user_id")
        if not user_id and row.method == ConnectionMethod.INSTAGRAM_LOGIN:
            user_id = "me"  # an Instagram Login token's own node, as the publisher reads it
        tokens[row.account_id] = AccountToken(token, user_id=str(user_id or ""), api_base=base)
    return tokens
