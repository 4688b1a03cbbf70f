"""platforms.publishers.oauth against the fake OAuth server (tests/platforms/oauth_fakes.py),
whose answers are the samples publish/tt_29_oauth_token_code_exchange,
tt_30_oauth_token_refresh, tt_31_oauth_error, google_37_oauth_refresh,
google_38_oauth_code_exchange, google_39_oauth_invalid_grant, ig_16_refresh_access_token,
fb_14_long_lived_token_exchange, fb_15_long_lived_token_pyfacebook and
graph_11_error_generic_190_460."""

import base64
import hashlib
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from platforms.publishers import oauth
from tests.platforms.oauth_fakes import FB_IG, IG_USER, TIKTOK_USER, YT_CHANNEL, FakeOAuth

# App credentials may come from the credential rows (platforms.credentials): the DB is read.
pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings):
    server = FakeOAuth().start()
    server.point_settings(settings)
    yield server
    server.stop()


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def _code_for(fake: FakeOAuth, method: str, start: oauth.Authorization) -> str:
    return fake.authorize_code(method, _query(start.url))


def test_tiktok_authorize_url_carries_the_hex_sha256_of_the_verifier(fake):
    start = oauth.authorize("tiktok")
    query = _query(start.url)
    assert query["code_challenge"] == hashlib.sha256(start.code_verifier.encode()).hexdigest()
    assert len(query["code_challenge"]) == 64
    assert query["code_challenge_method"] == "S256"
    assert query["client_key"] == "tiktok-key"
    assert query["state"] == start.state
    assert query["scope"] == "user.info.basic,user.info.profile,video.publish,video.upload"
    assert query["redirect_uri"] == (
        "http://testserver/admin/publishing/socialconnection/oauth/tiktok/callback/"
    )


def test_google_authorize_url_uses_standard_pkce_and_asks_for_offline_access(fake):
    start = oauth.authorize("google")
    query = _query(start.url)
    digest = hashlib.sha256(start.code_verifier.encode()).digest()
    assert query["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert query["access_type"] == "offline"
    assert query["prompt"] == "consent"
    assert "youtube.upload" in query["scope"]


def test_meta_authorize_urls_have_state_and_no_pkce(fake):
    for method in ("instagram_login", "facebook_login"):
        start = oauth.authorize(method)
        query = _query(start.url)
        assert query["state"] == start.state and start.code_verifier == ""
        assert "code_challenge" not in query


def test_every_start_gets_a_new_state_and_verifier(fake):
    first, second = oauth.authorize("tiktok"), oauth.authorize("tiktok")
    assert first.state != second.state and first.code_verifier != second.code_verifier


def test_an_unconfigured_method_says_which_settings_to_set(settings, fake):
    settings.TIKTOK_CLIENT_SECRET = ""
    with pytest.raises(oauth.NotConfigured, match="TIKTOK_CLIENT_SECRET"):
        oauth.authorize("tiktok")


def test_tiktok_code_exchange_gives_both_tokens_and_their_expiries(fake):
    start = oauth.authorize("tiktok")
    tokens = oauth.exchange_code(
        "tiktok", code=_code_for(fake, "tiktok", start), code_verifier=start.code_verifier
    )
    assert tokens.access_token.startswith("act.") and tokens.refresh_token.startswith("rft.")
    assert tokens.user_id == TIKTOK_USER["open_id"]
    soon = timezone.now() + timedelta(seconds=86400)
    assert abs((tokens.expires_at - soon).total_seconds()) < 60
    assert tokens.refresh_expires_at > timezone.now() + timedelta(days=364)
    assert tokens.scopes == ("user.info.basic", "video.list")


def test_tiktok_code_exchange_with_the_wrong_verifier_is_refused_but_not_a_reauth(fake):
    start = oauth.authorize("tiktok")
    code = _code_for(fake, "tiktok", start)
    with pytest.raises(oauth.OAuthError, match="Code verifier") as caught:
        oauth.exchange_code("tiktok", code=code, code_verifier="not-the-verifier" * 4)
    assert not isinstance(caught.value, oauth.ReauthRequired)
    assert caught.value.code == "invalid_request"


def test_tiktok_refresh_rotates_and_the_old_refresh_token_is_spent(fake):
    access, refresh = fake.issue("tiktok")
    tokens = oauth.refresh("tiktok", access_token=access, refresh_token=refresh)
    assert tokens.refresh_token and tokens.refresh_token != refresh
    with pytest.raises(oauth.ReauthRequired) as caught:
        oauth.refresh("tiktok", access_token=access, refresh_token=refresh)
    assert caught.value.code == "invalid_grant"


def test_google_code_exchange_then_refresh_without_a_new_refresh_token(fake):
    start = oauth.authorize("google")
    tokens = oauth.exchange_code(
        "google", code=_code_for(fake, "google", start), code_verifier=start.code_verifier
    )
    assert tokens.refresh_token.startswith("1//")
    again = oauth.refresh("google", refresh_token=tokens.refresh_token)
    assert again.access_token != tokens.access_token
    assert again.refresh_token == ""  # keep the stored one


def test_a_revoked_google_grant_is_reauth_required(fake):
    _, refresh = fake.issue("google")
    fake.revoked = True
    with pytest.raises(oauth.ReauthRequired, match="expired or revoked"):
        oauth.refresh("google", refresh_token=refresh)


def test_instagram_login_code_exchange_returns_the_long_lived_token(fake):
    start = oauth.authorize("instagram_login")
    tokens = oauth.exchange_code("instagram_login", code=_code_for(fake, "instagram_login", start))
    exchanges = [c for c in fake.calls if c.operation == "ig.exchange"]
    assert len(exchanges) == 1 and exchanges[0].query["grant_type"] == "ig_exchange_token"
    assert tokens.access_token != exchanges[0].query["access_token"]  # not the short-lived one
    assert tokens.expires_at > timezone.now() + timedelta(days=59)
    assert tokens.user_id == IG_USER["user_id"]
    assert "instagram_business_content_publish" in tokens.scopes


def test_instagram_login_refresh_uses_the_ig_refresh_token_grant(fake):
    access, _ = fake.issue("instagram_login")
    tokens = oauth.refresh("instagram_login", access_token=access)
    (call,) = [c for c in fake.calls if c.operation == "ig.refresh"]
    assert call.query == {"grant_type": "ig_refresh_token", "access_token": access}
    assert tokens.access_token != access
    assert tokens.expires_at > timezone.now() + timedelta(days=59)


def test_a_revoked_instagram_token_answers_graph_190_which_is_reauth_required(fake):
    access, _ = fake.issue("instagram_login")
    fake.revoked = True
    with pytest.raises(oauth.ReauthRequired) as caught:
        oauth.refresh("instagram_login", access_token=access)
    assert caught.value.code == "190"


def test_facebook_login_exchanges_for_a_long_lived_token_and_cannot_be_refreshed(fake):
    start = oauth.authorize("facebook_login")
    tokens = oauth.exchange_code("facebook_login", code=_code_for(fake, "facebook_login", start))
    (exchange,) = [
        c
        for c in fake.calls
        if c.operation == "fb.token" and c.query.get("grant_type") == "fb_exchange_token"
    ]
    assert exchange.query["client_secret"] == "facebook_app-secret"
    assert tokens.expires_at > timezone.now() + timedelta(days=59)
    with pytest.raises(oauth.NotRefreshable):
        oauth.refresh("facebook_login", access_token=tokens.access_token)


def test_whoami_gives_each_platforms_account_id_and_handle(fake):
    ig = oauth.whoami("instagram_login", access_token=fake.issue("instagram_login")[0])
    assert (ig.account_id, ig.handle) == (IG_USER["user_id"], IG_USER["username"])
    assert ig.meta["ig_user_id"] == IG_USER["user_id"]
    fb = oauth.whoami("facebook_login", access_token=fake.issue("facebook_login")[0])
    assert (fb.account_id, fb.handle, fb.meta["page_id"]) == (
        FB_IG["id"],
        FB_IG["username"],
        "1122334455",
    )
    tt = oauth.whoami("tiktok", access_token=fake.issue("tiktok")[0])
    assert (tt.account_id, tt.handle) == (TIKTOK_USER["open_id"], TIKTOK_USER["username"])
    assert tt.profile_url == "https://www.tiktok.com/@tokcreator"
    yt = oauth.whoami("google", access_token=fake.issue("google")[0])
    assert (yt.account_id, yt.handle) == (YT_CHANNEL["id"], YT_CHANNEL["handle"])
    assert yt.profile_url == "https://www.youtube.com/@googledevs"


def test_whoami_with_a_dead_token_is_reauth_required(fake):
    with pytest.raises(oauth.ReauthRequired):
        oauth.whoami("google", access_token="ya29.dead")
