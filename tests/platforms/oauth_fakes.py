"""A fake OAuth server on 127.0.0.1 for the four login methods: authorize (redirects back
with code + state), token (code exchange, refresh), and "who am I".

Bodies are the recorded samples (shared/samples/publish: tt_29/tt_30/tt_31, google_37/38/39,
ig_16, fb_14, graph_11) with fresh token values, so a test can tell tokens apart. The fake keeps
the real rules that matter: a code is single-use and checked against its PKCE challenge
(TikTok: hex SHA-256; Google: base64url), a TikTok refresh token is spent by its refresh
(rotation; spending it again is `invalid_grant`), Google's refresh answer has no
refresh_token, a revoked grant is `invalid_grant` / Graph 190.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
from typing import Any
from urllib.parse import parse_qs, urlencode

from tests.platforms.conftest import load_sample
from tests.platforms.publish_fakes import Answer, Call, FakePlatform

GRAPH_190 = load_sample("publish/graph_11_error_generic_190_460.json")

IG_USER = {"user_id": "17841407673135339", "username": "fbdevelopers_ig", "id": "2690312"}
FB_PAGE = {"id": "1122334455", "name": "Dev Page"}
FB_IG = {"id": "17841400000000001", "username": "pagelinked_ig", "name": "Page Linked"}
TIKTOK_USER = {
    "open_id": "723f24d7-e717-40f8-a2b6-cb8464cd23b4",
    "union_id": "c9c60f44-a68e-4f5d-84dd-ce22faeb0ba1",
    "avatar_url": "https://p19-sign.tiktokcdn-us.com/avatar.jpeg",
    "display_name": "Tok Creator",
    "username": "tokcreator",
}
YT_CHANNEL = {
    "id": "UC_x5XG1OV2P6uZZ5FSM9Ttw",
    "title": "Google Developers",
    "handle": "googledevs",
}


def _sample(name: str) -> dict[str, Any]:
    return {k: v for k, v in load_sample(f"publish/{name}.json").items() if not k.startswith("_")}


def _form(call: Call) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(call.body.decode()).items()}


def _oauth_error(sample: str, status: int = 400, **override: str) -> Answer:
    return Answer(status, {**_sample(sample), **override})


class FakeOAuth(FakePlatform):
    """All four methods on one server. Paths: /ig/... (Instagram Login), /fb/... (Facebook
    Login, Graph), /tt/... (TikTok), /google/... and /yt/... (Google, YouTube Data API)."""

    def __init__(self) -> None:
        super().__init__()
        self.codes: dict[str, dict[str, str]] = {}  # code -> {method, challenge, redirect_uri}
        self.access: dict[str, str] = {}  # live access token -> method
        self.refresh: dict[str, str] = {}  # unspent refresh token -> method
        self.spent: set[str] = set()
        self.revoked = False  # every refresh/exchange answers invalid_grant / 190
        self._tokens = itertools.count(1)
        #: Answers of the "who am I" calls; tests may change them.
        self.ig_user = dict(IG_USER)
        self.tiktok_user = dict(TIKTOK_USER)
        self.yt_channel = dict(YT_CHANNEL)

    # --- wiring ---
    def point_settings(self, settings: Any) -> None:
        """Point every OAuth URL at this fake; test app credentials; fast retries."""
        from platforms import http

        settings.OAUTH_REDIRECT_BASE_URL = "http://testserver"
        for name in ("INSTAGRAM_APP", "FACEBOOK_APP", "GOOGLE_CLIENT"):
            setattr(settings, f"{name}_ID", f"{name.lower()}-id")
            setattr(settings, f"{name}_SECRET", f"{name.lower()}-secret")
        settings.TIKTOK_CLIENT_KEY = "tiktok-key"
        settings.TIKTOK_CLIENT_SECRET = "tiktok-secret"
        settings.OAUTH_INSTAGRAM_AUTHORIZE_URL = f"{self.url}/ig/authorize"
        settings.OAUTH_INSTAGRAM_TOKEN_URL = f"{self.url}/ig/oauth/access_token"
        settings.OAUTH_INSTAGRAM_GRAPH_URL = f"{self.url}/ig"
        settings.INSTAGRAM_PUBLISH_BASE_URL = f"{self.url}/ig/v21.0"
        settings.OAUTH_FACEBOOK_AUTHORIZE_URL = f"{self.url}/fb/dialog/oauth"
        settings.FACEBOOK_PUBLISH_BASE_URL = f"{self.url}/fb/v21.0"
        settings.OAUTH_TIKTOK_AUTHORIZE_URL = f"{self.url}/tt/authorize/"
        settings.TIKTOK_API_BASE_URL = f"{self.url}/tt"
        settings.OAUTH_GOOGLE_AUTHORIZE_URL = f"{self.url}/google/auth"
        settings.OAUTH_GOOGLE_TOKEN_URL = f"{self.url}/google/token"
        settings.YOUTUBE_API_BASE_URL = f"{self.url}/yt/youtube/v3"
        settings.PROVIDER_RETRY_BACKOFF_S = 0.0
        settings.PROVIDER_RETRIES = 1
        http._sessions.clear()

    # --- helpers for tests ---
    def issue(self, method: str, *, refresh: bool = True) -> tuple[str, str]:
        """A live (access, refresh) pair as if a connection had been made."""
        n = next(self._tokens)
        access = {"tiktok": "act.", "google": "ya29."}.get(method, "IG") + f"{method}-{n}"
        self.access[access] = method
        refresh_token = ""
        if refresh and method in ("tiktok", "google"):
            refresh_token = {"tiktok": "rft.", "google": "1//"}[method] + f"{method}-{n}"
            self.refresh[refresh_token] = method
        return access, refresh_token

    def authorize_code(self, method: str, query: dict[str, str]) -> str:
        code = f"code-{method}-{next(self._tokens)}"
        self.codes[code] = {
            "method": method,
            "challenge": query.get("code_challenge", ""),
            "redirect_uri": query.get("redirect_uri", ""),
        }
        return code

    # --- routing ---
    def route(self, call: Call) -> tuple[str, Any]:
        p = call.path
        table = {
            ("GET", "/ig/authorize"): ("ig.authorize", lambda c: self._authorize(c, "ig")),
            ("POST", "/ig/oauth/access_token"): ("ig.code", self._ig_code),
            ("GET", "/ig/access_token"): ("ig.exchange", self._ig_exchange),
            ("GET", "/ig/refresh_access_token"): ("ig.refresh", self._ig_refresh),
            ("GET", "/ig/v21.0/me"): ("ig.me", self._ig_me),
            ("GET", "/fb/dialog/oauth"): ("fb.authorize", lambda c: self._authorize(c, "fb")),
            ("GET", "/fb/v21.0/oauth/access_token"): ("fb.token", self._fb_token),
            ("GET", "/fb/v21.0/me/accounts"): ("fb.accounts", self._fb_accounts),
            ("GET", "/tt/authorize/"): ("tt.authorize", lambda c: self._authorize(c, "tt")),
            ("POST", "/tt/v2/oauth/token/"): ("tt.token", self._tt_token),
            ("GET", "/tt/v2/user/info/"): ("tt.me", self._tt_me),
            ("GET", "/google/auth"): ("google.authorize", lambda c: self._authorize(c, "g")),
            ("POST", "/google/token"): ("google.token", self._google_token),
            ("GET", "/yt/youtube/v3/channels"): ("yt.channels", self._yt_channels),
        }
        return table.get((call.method, p), ("unknown", lambda c: Answer(404, {"error": "nf"})))

    def _authorized(self, call: Call) -> bool:
        if call.operation in ("ig.me", "fb.accounts", "tt.me", "yt.channels"):
            token = call.headers.get("authorization", "").removeprefix("Bearer ")
            return token in self.access
        return True

    def unauthorized(self) -> Answer:
        return Answer(401, GRAPH_190)

    # --- authorize: straight back to the redirect URI with code + state ---
    def _authorize(self, call: Call, short: str) -> Answer:
        method = {"ig": "instagram_login", "fb": "facebook_login", "tt": "tiktok", "g": "google"}[
            short
        ]
        q = call.query
        code = self.authorize_code(method, q)
        target = f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q.get('state', '')})}"
        return Answer(302, b"", {"Location": target})

    def _take_code(self, code: str, method: str) -> dict[str, str] | None:
        grant = self.codes.pop(code, None)
        return grant if grant and grant["method"] == method else None

    # --- Instagram Login ---
    def _ig_code(self, call: Call) -> Answer:
        form = _form(call)
        if self.revoked or not self._take_code(form.get("code", ""), "instagram_login"):
            return Answer(
                400,
                {
                    "error_type": "OAuthException",
                    "code": 400,
                    "error_message": "Invalid authorization code",
                    "error": "invalid_grant",
                },
            )
        short, _ = self.issue("instagram_login")
        return Answer(
            200,
            {
                "access_token": short,
                "user_id": self.ig_user["user_id"],
                "permissions": "instagram_business_basic,instagram_business_content_publish",
            },
        )

    def _ig_exchange(self, call: Call) -> Answer:
        if call.query.get("access_token") not in self.access:
            return Answer(400, GRAPH_190)
        long, _ = self.issue("instagram_login")
        return Answer(200, {**_sample("fb_15_long_lived_token_pyfacebook"), "access_token": long})

    def _ig_refresh(self, call: Call) -> Answer:
        old = call.query.get("access_token", "")
        if (
            self.revoked
            or old not in self.access
            or call.query.get("grant_type") != ("ig_refresh_token")
        ):
            return Answer(400, GRAPH_190)
        new, _ = self.issue("instagram_login")
        body = _sample("ig_16_refresh_access_token")
        return Answer(200, {**body, "access_token": new, "expires_in": 5184000})

    def _ig_me(self, call: Call) -> Answer:
        return Answer(200, dict(self.ig_user))

    # --- Facebook Login ---
    def _fb_token(self, call: Call) -> Answer:
        q = call.query
        if self.revoked:
            return Answer(400, GRAPH_190)
        if q.get("grant_type") == "fb_exchange_token":
            if q.get("fb_exchange_token") not in self.access:
                return Answer(400, GRAPH_190)
            long, _ = self.issue("facebook_login")
            return Answer(200, {**_sample("fb_14_long_lived_token_exchange"), "access_token": long})
        if not self._take_code(q.get("code", ""), "facebook_login"):
            return Answer(400, GRAPH_190)
        short, _ = self.issue("facebook_login")
        return Answer(200, {"access_token": short, "token_type": "bearer", "expires_in": 5400})

    def _fb_accounts(self, call: Call) -> Answer:
        page_without = {"id": "999", "name": "Other page"}
        return Answer(
            200, {"data": [page_without, {**FB_PAGE, "instagram_business_account": FB_IG}]}
        )

    # --- TikTok ---
    def _tt_token(self, call: Call) -> Answer:
        form = _form(call)
        if form.get("grant_type") == "authorization_code":
            grant = self._take_code(form.get("code", ""), "tiktok")
            verifier = form.get("code_verifier", "")
            if grant is None:
                return _oauth_error("tt_31_oauth_error", error="invalid_grant")
            if hashlib.sha256(verifier.encode()).hexdigest() != grant["challenge"]:
                return _oauth_error(
                    "tt_31_oauth_error",
                    error_description="Code verifier or code challenge is invalid.",
                )
            access, refresh = self.issue("tiktok")
            return Answer(
                200,
                {
                    **_sample("tt_29_oauth_token_code_exchange"),
                    "access_token": access,
                    "refresh_token": refresh,
                    "open_id": self.tiktok_user["open_id"],
                },
            )
        if form.get("grant_type") == "refresh_token":
            old = form.get("refresh_token", "")
            if self.revoked or old not in self.refresh:
                return _oauth_error(
                    "tt_31_oauth_error",
                    error="invalid_grant",
                    error_description="Refresh token is invalid or expired.",
                )
            # Rotation: the old refresh token is spent by this refresh.
            del self.refresh[old]
            self.spent.add(old)
            access, refresh = self.issue("tiktok")
            return Answer(
                200,
                {
                    **_sample("tt_30_oauth_token_refresh"),
                    "access_token": access,
                    "refresh_token": refresh,
                    "open_id": self.tiktok_user["open_id"],
                },
            )
        return _oauth_error("tt_31_oauth_error")

    def _tt_me(self, call: Call) -> Answer:
        return Answer(
            200,
            {
                "data": {"user": dict(self.tiktok_user)},
                "error": {"code": "ok", "message": "", "log_id": "20220829194722CBE87ED59D524E7"},
            },
        )

    # --- Google / YouTube ---
    def _google_token(self, call: Call) -> Answer:
        form = _form(call)
        if form.get("grant_type") == "authorization_code":
            grant = self._take_code(form.get("code", ""), "google")
            verifier = form.get("code_verifier", "")
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                .rstrip(b"=")
                .decode()
            )
            if grant is None or challenge != grant["challenge"]:
                return _oauth_error("google_39_oauth_invalid_grant")
            access, refresh = self.issue("google")
            return Answer(
                200,
                {
                    **_sample("google_38_oauth_code_exchange"),
                    "access_token": access,
                    "refresh_token": refresh,
                },
            )
        if form.get("grant_type") == "refresh_token":
            if self.revoked or form.get("refresh_token") not in self.refresh:
                return _oauth_error("google_39_oauth_invalid_grant")
            access, _ = self.issue("google", refresh=False)
            # No refresh_token in a refresh answer: the client keeps its stored one.
            return Answer(200, {**_sample("google_37_oauth_refresh"), "access_token": access})
        return _oauth_error("google_39_oauth_invalid_grant", error="unsupported_grant_type")

    def _yt_channels(self, call: Call) -> Answer:
        channel = self.yt_channel
        return Answer(
            200,
            {
                "kind": "youtube#channelListResponse",
                "items": [
                    {
                        "kind": "youtube#channel",
                        "id": channel["id"],
                        "snippet": {
                            "title": channel["title"],
                            "customUrl": f"@{channel['handle']}",
                        },
                    }
                ],
            },
        )
