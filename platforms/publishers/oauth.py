"""OAuth for the publishing connections (specs/publishing.md §1): authorize URLs, the code
exchange, token refresh and "who am I", for each login method. No app models: plain data in,
dataclasses or typed errors out.

Methods and their quirks:

- ``instagram_login`` (Business Login for Instagram): code → short-lived token at
  api.instagram.com, exchanged at once for a 60-day token (``ig_exchange_token``); refreshed
  with ``ig_refresh_token`` (the token must be unexpired; the new one lasts 60 days again).
- ``facebook_login`` (Facebook Login + a Page linked to the Instagram professional account):
  code → user token, exchanged for a long-lived one (``fb_exchange_token``, ~60 days). It
  cannot be refreshed: the user must log in again before it expires.
- ``tiktok`` (Login Kit v2): PKCE with TikTok's non-standard challenge, the *hex* SHA-256 of
  the verifier (TikTok's Login Kit docs and its own SDK's PKCEUtils), not RFC 7636's
  base64url. Refresh tokens ROTATE: always keep the returned one.
- ``google`` (YouTube): standard PKCE (S256, base64url), ``access_type=offline`` +
  ``prompt=consent`` so a refresh token is issued; a refresh answer carries no refresh token
  (keep the stored one).

Every call goes through ``platforms.http`` (allow-list, timeouts, typed transport errors).
The token/API base URLs come from settings, so tests point them at fakes on 127.0.0.1.
Token calls are POSTs or one-shot GETs that must not be repeated blindly (a TikTok refresh
spends its refresh token), so they are sent as non-idempotent.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.utils import timezone

from platforms import http as shared_http
from platforms.credentials import credential
from platforms.providers.base import ProviderError

INSTAGRAM_LOGIN = "instagram_login"
FACEBOOK_LOGIN = "facebook_login"
TIKTOK = "tiktok"
GOOGLE = "google"
METHODS = (INSTAGRAM_LOGIN, FACEBOOK_LOGIN, TIKTOK, GOOGLE)

#: The scopes each method asks for (publishing + reading the account's own id and handle, and
#: its audience insights for analytics: platforms.audience).
SCOPES: dict[str, tuple[str, ...]] = {
    INSTAGRAM_LOGIN: (
        "instagram_business_basic",
        "instagram_business_content_publish",
        "instagram_business_manage_insights",
    ),
    FACEBOOK_LOGIN: (
        "instagram_basic",
        "instagram_content_publish",
        "instagram_manage_insights",
        "pages_show_list",
        "pages_read_engagement",
        "business_management",
    ),
    TIKTOK: ("user.info.basic", "user.info.profile", "video.publish", "video.upload"),
    GOOGLE: (
        "https://www.googleapis.com/auth/youtube.upload",
        "https://www.googleapis.com/auth/youtube.readonly",
        "https://www.googleapis.com/auth/yt-analytics.readonly",
    ),
}

#: The app credentials (setting names) of each method: (client id, client secret).
APP_CREDENTIALS: dict[str, tuple[str, str]] = {
    INSTAGRAM_LOGIN: ("INSTAGRAM_APP_ID", "INSTAGRAM_APP_SECRET"),
    FACEBOOK_LOGIN: ("FACEBOOK_APP_ID", "FACEBOOK_APP_SECRET"),
    TIKTOK: ("TIKTOK_CLIENT_KEY", "TIKTOK_CLIENT_SECRET"),
    GOOGLE: ("GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"),
}

#: Methods whose tokens can be refreshed (Facebook Login's cannot).
REFRESHABLE = frozenset({INSTAGRAM_LOGIN, TIKTOK, GOOGLE})

_PROVIDER = "oauth"


# --- Errors ------------------------------------------------------------------------------------
class OAuthError(ProviderError):
    """The platform refused an OAuth call; `code` is its error code (e.g. invalid_request)."""

    def __init__(self, message: str, *, code: str = "", method: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.method = method


class ReauthRequired(OAuthError):
    """The grant is gone (invalid_grant, Graph 190, a 401 on the user's token): only the user
    can fix it, by connecting again. Never retried."""


class NotRefreshable(OAuthError):
    """The method's tokens cannot be refreshed (Facebook Login): reconnect before expiry."""


class NotConfigured(OAuthError):
    """The app credentials (client id/secret, redirect base URL) are not set."""


# --- Data --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AppCredentials:
    client_id: str
    client_secret: str
    redirect_uri: str


@dataclass(frozen=True)
class Authorization:
    """Where to send the user, and what to keep server-side until the callback."""

    url: str
    state: str
    code_verifier: str = ""


@dataclass(frozen=True)
class TokenSet:
    """A token answer. `refresh_token` is "" when the platform sent none (keep the stored
    one); expiries are absolute times (None: the platform did not say)."""

    access_token: str
    refresh_token: str = ""
    expires_at: datetime | None = None
    refresh_expires_at: datetime | None = None
    scopes: tuple[str, ...] = ()
    #: The platform's id of the user when the token answer carries it (TikTok open_id,
    #: Instagram user_id).
    user_id: str = ""


@dataclass(frozen=True)
class Identity:
    """The connected account as the platform sees it."""

    account_id: str
    handle: str
    name: str = ""
    profile_url: str = ""
    meta: dict[str, Any] = field(default_factory=dict)


# --- Helpers -----------------------------------------------------------------------------------
def redirect_uri(method: str) -> str:
    """The exact callback URL to register with the platform for `method`."""
    base = (getattr(settings, "OAUTH_REDIRECT_BASE_URL", "") or "").rstrip("/")
    return f"{base}/admin/publishing/socialconnection/oauth/{method}/callback/"


def app_credentials(method: str) -> AppCredentials:
    """The app's client id/secret and redirect URI for `method`; `NotConfigured` if unset."""
    if method not in METHODS:
        raise OAuthError(f"Unknown login method {method!r}.", code="unknown_method")
    id_name, secret_name = APP_CREDENTIALS[method]
    client_id, client_secret = credential(id_name), credential(secret_name)
    if not (client_id and client_secret and getattr(settings, "OAUTH_REDIRECT_BASE_URL", "")):
        raise NotConfigured(
            f"{method}: set {id_name}, {secret_name} and OAUTH_REDIRECT_BASE_URL first.",
            code="not_configured",
            method=method,
        )
    return AppCredentials(client_id, client_secret, redirect_uri(method))


def is_configured(method: str) -> bool:
    try:
        app_credentials(method)
    except NotConfigured:
        return False
    return True


def new_code_verifier() -> str:
    """A PKCE verifier: 64 characters of [A-Za-z0-9-_] (RFC 7636 §4.1 allows 43-128)."""
    return secrets.token_urlsafe(48)


def code_challenge(verifier: str, *, method: str) -> str:
    """The S256 challenge of `verifier`: base64url (RFC 7636), except TikTok's, which is the
    hex-encoded SHA-256 digest."""
    digest = hashlib.sha256(verifier.encode("ascii"))
    if method == TIKTOK:
        return digest.hexdigest()
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")


def _expiry(seconds: Any, now: datetime) -> datetime | None:
    try:
        value = int(seconds)
    except (TypeError, ValueError):
        return None
    return now + timedelta(seconds=value) if value > 0 else None


def _scopes(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(s) for s in value)
    if isinstance(value, str) and value:
        return tuple(s for s in value.replace(",", " ").split() if s)
    return ()


def _error_from(response: requests.Response, payload: Any, method: str) -> OAuthError:
    """The typed error of a refused OAuth or API call."""
    status = response.status_code
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        error = payload["error"]  # Graph ({code, message}) or TikTok's API envelope
        code = str(error.get("code") or "")
        message = str(error.get("message") or error.get("error_user_msg") or code)
        if code in ("190", "access_token_invalid", "scope_not_authorized") or status == 401:
            return ReauthRequired(f"{method}: {message}", code=code, method=method)
        return OAuthError(f"{method}: {message}", code=code, method=method)
    if isinstance(payload, dict) and payload.get("error"):
        code = str(payload["error"])
        message = str(payload.get("error_description") or payload.get("error_message") or code)
        if code == "invalid_grant" or status == 401:
            return ReauthRequired(f"{method}: {message}", code=code, method=method)
        return OAuthError(f"{method}: {code}: {message}", code=code, method=method)
    if status == 401:
        return ReauthRequired(f"{method}: the token was refused (HTTP 401).", method=method)
    return OAuthError(f"{method}: HTTP {status}.", code=str(status), method=method)


def _call(
    method: str,
    verb: str,
    url: str,
    *,
    bearer: str = "",
    params: dict[str, Any] | None = None,
    form: dict[str, Any] | None = None,
    idempotent: bool = False,
) -> dict[str, Any]:
    """One OAuth/API call; the JSON object it answered, or a typed error."""
    headers = {"Accept": "application/json"}
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    data = None
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        data = urlencode(form).encode()
    response = shared_http.request(
        f"{_PROVIDER}_{method}",
        verb,
        url,
        params=params,
        data=data,
        headers=headers,
        idempotent=idempotent,
        error_mapper=lambda r, p: _error_from(r, p, method),
    )
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise OAuthError(f"{method}: the answer is not a JSON object.", method=method)
    # TikTok and some Meta answers say "error" with HTTP 200.
    if body.get("error") and not body.get("access_token") and not _tiktok_ok(body):
        raise _error_from(response, body, method)
    return body


def _tiktok_ok(body: dict[str, Any]) -> bool:
    error = body.get("error")
    return isinstance(error, dict) and error.get("code") == "ok"


def _token_set(body: dict[str, Any], now: datetime, *, user_id: str = "") -> TokenSet:
    if not body.get("access_token"):
        raise OAuthError("The token answer has no access_token.", code="no_access_token")
    return TokenSet(
        access_token=str(body["access_token"]),
        refresh_token=str(body.get("refresh_token") or ""),
        expires_at=_expiry(body.get("expires_in"), now),
        refresh_expires_at=_expiry(body.get("refresh_expires_in"), now),
        scopes=_scopes(body.get("scope") or body.get("permissions")),
        user_id=str(body.get("open_id") or body.get("user_id") or user_id or ""),
    )


# --- The four steps ----------------------------------------------------------------------------
def authorize(method: str, *, state: str | None = None) -> Authorization:
    """The authorize URL for `method` with a fresh `state` (and PKCE verifier where the
    platform takes one). Keep `state` and `code_verifier` server-side for the callback."""
    app = app_credentials(method)
    state = state or secrets.token_urlsafe(32)
    verifier = new_code_verifier() if method in (TIKTOK, GOOGLE) else ""
    scope = SCOPES[method]
    if method == TIKTOK:
        params = {
            "client_key": app.client_id,
            "scope": ",".join(scope),
            "response_type": "code",
            "redirect_uri": app.redirect_uri,
            "state": state,
            "code_challenge": code_challenge(verifier, method=method),
            "code_challenge_method": "S256",
        }
    elif method == GOOGLE:
        params = {
            "client_id": app.client_id,
            "redirect_uri": app.redirect_uri,
            "response_type": "code",
            "scope": " ".join(scope),
            "access_type": "offline",
            "prompt": "consent",
            "include_granted_scopes": "true",
            "state": state,
            "code_challenge": code_challenge(verifier, method=method),
            "code_challenge_method": "S256",
        }
    else:
        params = {
            "client_id": app.client_id,
            "redirect_uri": app.redirect_uri,
            "response_type": "code",
            "scope": ",".join(scope),
            "state": state,
        }
    base = {
        INSTAGRAM_LOGIN: settings.OAUTH_INSTAGRAM_AUTHORIZE_URL,
        FACEBOOK_LOGIN: settings.OAUTH_FACEBOOK_AUTHORIZE_URL,
        TIKTOK: settings.OAUTH_TIKTOK_AUTHORIZE_URL,
        GOOGLE: settings.OAUTH_GOOGLE_AUTHORIZE_URL,
    }[method]
    separator = "&" if "?" in base else "?"
    return Authorization(f"{base}{separator}{urlencode(params)}", state, verifier)


def exchange_code(method: str, *, code: str, code_verifier: str = "") -> TokenSet:
    """Exchange the callback's `code` for tokens. Instagram and Facebook Login get their
    long-lived token in the same step (a short-lived one is of no use to a scheduler)."""
    app = app_credentials(method)
    now = timezone.now()
    if method == INSTAGRAM_LOGIN:
        body = _token_request(
            method,
            app,
            grant_type="authorization_code",
            redirect_uri=app.redirect_uri,
            code=code,
        )
        # Older answers wrap it in {"data": [{...}]}.
        if isinstance(body.get("data"), list) and body["data"]:
            body = body["data"][0]
        short = _token_set(body, now)
        long = _call(
            method,
            "GET",
            f"{_ig_graph()}/access_token",
            params={
                "grant_type": "ig_exchange_token",
                "client_secret": app.client_secret,
                "access_token": short.access_token,
            },
        )
        return _token_set(
            {**long, "scope": body.get("permissions") or body.get("scope")},
            now,
            user_id=short.user_id,
        )
    if method == FACEBOOK_LOGIN:
        short = _call(
            method,
            "GET",
            f"{_fb_graph()}/oauth/access_token",
            params={
                "client_id": app.client_id,
                "client_secret": app.client_secret,
                "redirect_uri": app.redirect_uri,
                "code": code,
            },
        )
        return exchange_facebook_long_lived(_token_set(short, now).access_token)
    # TikTok and Google: the code and its PKCE verifier.
    body = _token_request(
        method,
        app,
        code=code,
        grant_type="authorization_code",
        redirect_uri=app.redirect_uri,
        code_verifier=code_verifier,
    )
    return _token_set(body, now)


def exchange_facebook_long_lived(access_token: str) -> TokenSet:
    """A Facebook Login user token exchanged for a long-lived one (~60 days)."""
    app = app_credentials(FACEBOOK_LOGIN)
    body = _call(
        FACEBOOK_LOGIN,
        "GET",
        f"{_fb_graph()}/oauth/access_token",
        params={
            "grant_type": "fb_exchange_token",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "fb_exchange_token": access_token,
        },
    )
    return _token_set(body, timezone.now())


def refresh(method: str, *, access_token: str = "", refresh_token: str = "") -> TokenSet:
    """A fresh token. Instagram Login refreshes the (unexpired) access token itself; TikTok and
    Google spend `refresh_token` (TikTok returns a NEW one: store it; Google returns none: keep
    the old). `ReauthRequired` when the grant is gone; `NotRefreshable` for Facebook Login."""
    now = timezone.now()
    if method == FACEBOOK_LOGIN:
        raise NotRefreshable(
            "Facebook Login tokens cannot be refreshed: connect the account again.",
            code="not_refreshable",
            method=method,
        )
    app = app_credentials(method)  # NotConfigured: a connection nobody can renew here
    if method == INSTAGRAM_LOGIN:
        if not access_token:
            raise ReauthRequired("instagram_login: no token to refresh.", method=method)
        body = _call(
            method,
            "GET",
            f"{_ig_graph()}/refresh_access_token",
            params={"grant_type": "ig_refresh_token", "access_token": access_token},
        )
        return _token_set(body, now)
    if not refresh_token:
        raise ReauthRequired(f"{method}: no refresh token stored.", method=method)
    body = _token_request(method, app, grant_type="refresh_token", refresh_token=refresh_token)
    return _token_set(body, now)


def _token_request(method: str, app: AppCredentials, **grant: str) -> dict:
    """POST `grant` with the app's credentials to the token endpoint of `method` (Instagram
    Login, TikTok, Google; TikTok calls the app's id `client_key`)."""
    url = {
        INSTAGRAM_LOGIN: settings.OAUTH_INSTAGRAM_TOKEN_URL,
        TIKTOK: f"{settings.TIKTOK_API_BASE_URL.rstrip('/')}/v2/oauth/token/",
        GOOGLE: settings.OAUTH_GOOGLE_TOKEN_URL,
    }[method]
    app_id = "client_key" if method == TIKTOK else "client_id"
    form = {app_id: app.client_id, "client_secret": app.client_secret, **grant}
    return _call(method, "POST", url, form=form)


def whoami(method: str, *, access_token: str, user_id: str = "") -> Identity:
    """The platform's own id and handle of the account `access_token` speaks for."""
    if method == INSTAGRAM_LOGIN:
        body = _call(
            method,
            "GET",
            f"{settings.INSTAGRAM_PUBLISH_BASE_URL.rstrip('/')}/me",
            bearer=access_token,
            params={"fields": "user_id,username,name,account_type"},
            idempotent=True,
        )
        ig_id = str(body.get("user_id") or body.get("id") or user_id)
        handle = str(body.get("username") or "")
        return Identity(
            account_id=ig_id,
            handle=handle,
            name=str(body.get("name") or ""),
            profile_url=f"https://www.instagram.com/{handle}/" if handle else "",
            meta={"ig_user_id": ig_id, "app_scoped_id": str(body.get("id") or "")},
        )
    if method == FACEBOOK_LOGIN:
        body = _call(
            method,
            "GET",
            f"{_fb_graph()}/me/accounts",
            bearer=access_token,
            params={"fields": "id,name,instagram_business_account{id,username,name}"},
            idempotent=True,
        )
        for page in body.get("data") or []:
            ig = page.get("instagram_business_account") or {}
            if ig.get("id"):
                handle = str(ig.get("username") or "")
                return Identity(
                    account_id=str(ig["id"]),
                    handle=handle,
                    name=str(ig.get("name") or page.get("name") or ""),
                    profile_url=f"https://www.instagram.com/{handle}/" if handle else "",
                    meta={"ig_user_id": str(ig["id"]), "page_id": str(page.get("id") or "")},
                )
        raise OAuthError(
            "None of the Facebook Pages you granted has an Instagram professional account "
            "linked: link one to a Page, then connect again.",
            code="no_instagram_account",
            method=method,
        )
    if method == TIKTOK:
        body = _call(
            method,
            "GET",
            f"{settings.TIKTOK_API_BASE_URL.rstrip('/')}/v2/user/info/",
            bearer=access_token,
            params={"fields": "open_id,union_id,avatar_url,display_name,username"},
            idempotent=True,
        )
        user = (body.get("data") or {}).get("user") or {}
        handle = str(user.get("username") or "")
        return Identity(
            account_id=str(user.get("open_id") or user_id),
            handle=handle,
            name=str(user.get("display_name") or ""),
            profile_url=f"https://www.tiktok.com/@{handle}" if handle else "",
            meta={"open_id": str(user.get("open_id") or user_id)},
        )
    body = _call(
        method,
        "GET",
        f"{settings.YOUTUBE_API_BASE_URL.rstrip('/')}/channels",
        bearer=access_token,
        params={"part": "snippet", "mine": "true"},
        idempotent=True,
    )
    items = body.get("items") or []
    if not items:
        raise OAuthError(
            "This Google account has no YouTube channel: create one, then connect again.",
            code="no_channel",
            method=method,
        )
    channel = items[0]
    snippet = channel.get("snippet") or {}
    handle = str(snippet.get("customUrl") or "").lstrip("@")
    return Identity(
        account_id=str(channel.get("id") or ""),
        handle=handle,
        name=str(snippet.get("title") or ""),
        profile_url=(
            f"https://www.youtube.com/@{handle}"
            if handle
            else f"https://www.youtube.com/channel/{channel.get('id')}"
        ),
        meta={"channel_id": str(channel.get("id") or "")},
    )


def _ig_graph() -> str:
    return settings.OAUTH_INSTAGRAM_GRAPH_URL.rstrip("/")


def _fb_graph() -> str:
    return settings.FACEBOOK_PUBLISH_BASE_URL.rstrip("/")
