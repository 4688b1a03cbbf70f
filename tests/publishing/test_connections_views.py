"""The connections page, the OAuth start/callback admin URLs and the API's `refresh` and
`oauth-start` actions, against the fake OAuth server."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from publishing.choices import ConnectionMethod, ConnectionStatus, TargetState
from publishing.models import SocialConnection
from tests.creators.factories import AccountFactory
from tests.platforms.oauth_fakes import TIKTOK_USER, FakeOAuth
from tests.publishing.factories import PublishTargetFactory, SocialConnectionFactory

pytestmark = pytest.mark.django_db

BOARD = "admin:publishing_connections"


@pytest.fixture
def fake(settings):
    server = FakeOAuth().start()
    server.point_settings(settings)
    yield server
    server.stop()


@pytest.fixture
def manager_client(client, role_user):
    client.force_login(role_user("Manager"))
    return client


def _follow_authorize(url: str) -> str:
    """The browser at the platform: it redirects back to our callback with code and state."""
    answer = requests.get(url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["Location"])
    return f"{back.path}?{back.query}"


def test_a_manager_connects_tiktok_from_the_page(fake, manager_client):
    page = manager_client.get(reverse(BOARD))
    assert b"Connect TikTok" in page.content and b"No connections yet" in page.content
    start = manager_client.post(reverse("admin:publishing_connection_oauth_start", args=["tiktok"]))
    assert start.status_code == 302 and start["Location"].startswith(fake.url)
    callback = _follow_authorize(start["Location"])
    assert callback.startswith("/admin/publishing/socialconnection/oauth/tiktok/callback/")
    done = manager_client.get(callback, follow=True)
    assert b"Connected @" in done.content
    connection = SocialConnection.objects.get()
    assert connection.status == ConnectionStatus.CONNECTED
    assert f"@{TIKTOK_USER['username']}".encode() in done.content
    assert b"expires in 23 hours (renewed automatically)" in done.content  # TikTok: 24 h


def test_a_forged_callback_connects_nothing_and_says_so(fake, manager_client):
    url = reverse("admin:publishing_connection_oauth_callback", args=["tiktok"])
    page = manager_client.get(url, {"code": "stolen", "state": "forged"}, follow=True)
    assert b"start it again" in page.content
    assert not SocialConnection.objects.exists()


def test_the_page_shows_countdowns_warnings_waiting_posts_and_errors(fake, manager_client):
    now = timezone.now()
    urgent = SocialConnectionFactory(
        method=ConnectionMethod.FACEBOOK_LOGIN,
        token_expires_at=now + timedelta(hours=5, minutes=30),
        last_refreshed_at=now - timedelta(days=59),
    )
    broken = SocialConnectionFactory(
        status=ConnectionStatus.NEEDS_REAUTH, last_error="Error validating access token (190)"
    )
    PublishTargetFactory(connection=broken, state=TargetState.NEEDS_REAUTH)
    page = manager_client.get(reverse(BOARD)).content.decode()
    row = page.split(f'id="connection-{urgent.pk}"')[1].split("</tr>")[0]
    assert "co-urgent" in row and "50+ days old" in row and "expires in 5 hours" in row
    row = page.split(f'id="connection-{broken.pk}"')[1].split("</tr>")[0]
    assert "needs reconnecting" in row and "1 post waiting" in row
    assert "Error validating access token (190)" in row
    assert "remaining unknown" in row  # Instagram's quota is not guessed


def test_disconnect_asks_for_confirmation_and_keeps_the_row(fake, manager_client):
    connection = SocialConnectionFactory()
    page = manager_client.get(reverse(BOARD)).content.decode()
    assert "<summary>Disconnect…</summary>" in page
    manager_client.post(reverse(BOARD), {"connection": connection.pk, "action": "disconnect"})
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.DISCONNECTED and connection.access_token == ""


def test_a_reader_sees_the_page_without_buttons_and_cannot_start(fake, client, role_user):
    client.force_login(role_user("Analyst"))
    page = client.get(reverse(BOARD))
    assert page.status_code == 200 and b"Connect TikTok" not in page.content
    start = client.post(reverse("admin:publishing_connection_oauth_start", args=["tiktok"]))
    assert start.status_code == 403


def test_an_unconfigured_platform_says_which_settings_are_missing(fake, manager_client, settings):
    settings.GOOGLE_CLIENT_SECRET = ""
    page = manager_client.get(reverse(BOARD))
    assert b"Set GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET" in page.content
    start = manager_client.post(
        reverse("admin:publishing_connection_oauth_start", args=["google"]), follow=True
    )
    assert b"GOOGLE_CLIENT_SECRET" in start.content


# --- API ----------------------------------------------------------------------------------------
def test_the_api_gives_the_authorize_url_and_the_callback(fake, api):
    answer = api.post("/api/v1/connections/oauth-start/", {"method": "google"}, format="json")
    assert answer.status_code == 200
    body = answer.json()
    assert body["authorize_url"].startswith(fake.url + "/google/auth?")
    assert body["callback_url"].endswith(
        "/admin/publishing/socialconnection/oauth/google/callback/"
    )


def test_the_api_refuses_an_unknown_method_with_a_clear_error(fake, api):
    answer = api.post("/api/v1/connections/oauth-start/", {"method": "myspace"}, format="json")
    assert answer.status_code == 400
    assert "method" in answer.json()["error"]["fields"]


def test_the_api_refreshes_a_token_now(fake, api):
    access, refresh = fake.issue("tiktok")
    connection = SocialConnectionFactory(
        account=AccountFactory(platform="tiktok"),
        platform="tiktok",
        method=ConnectionMethod.TIKTOK,
        access_token=access,
        refresh_token=refresh,
    )
    answer = api.post(f"/api/v1/connections/{connection.pk}/refresh/")
    assert answer.status_code == 200 and answer.json()["last_refreshed_at"]
    connection.refresh_from_db()
    assert connection.access_token != access and "access_token" not in answer.json()


def test_the_api_says_facebook_login_cannot_be_refreshed(fake, api):
    connection = SocialConnectionFactory(method=ConnectionMethod.FACEBOOK_LOGIN)
    answer = api.post(f"/api/v1/connections/{connection.pk}/refresh/")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "not_refreshable"


def test_only_the_connections_page_lets_its_forms_lead_to_the_authorize_pages(fake, manager_client):
    board = manager_client.get(reverse(BOARD))["Content-Security-Policy"]
    form_action = next(p for p in board.split(";") if "form-action" in p)
    assert "'self'" in form_action and fake.url in form_action
    assert "script-src 'self'" in board  # the rest of the policy is unchanged
    other = manager_client.get(reverse("admin:index"))["Content-Security-Policy"]
    assert fake.url not in other
