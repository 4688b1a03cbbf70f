"""The connections page in a real browser at 1440 x 900, as a manager: Connect TikTok runs the
whole OAuth flow against the fake OAuth server on 127.0.0.1 (its authorize page sends the
browser straight back with code and state), and the new connection is listed, page fitting
without sideways scrolling. Screenshot: /tmp/shots/connections.png."""

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from publishing.choices import ConnectionMethod, ConnectionStatus
from publishing.models import SocialConnection
from tests.platforms.oauth_fakes import TIKTOK_USER, FakeOAuth
from tests.publishing.factories import SocialConnectionFactory
from tests.settings_app.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")


@pytest.fixture
def fake(settings, live_server):
    server = FakeOAuth().start()
    server.point_settings(settings)
    settings.OAUTH_REDIRECT_BASE_URL = live_server.url
    yield server
    server.stop()


def test_a_manager_connects_tiktok_end_to_end(page, live_server, admin_login, screenshot, fake):
    manager = UserFactory(username="manager", is_staff=True, roles=["Manager"])
    SocialConnectionFactory(
        method=ConnectionMethod.FACEBOOK_LOGIN,
        token_expires_at=timezone.now() + timedelta(hours=20),
        last_refreshed_at=timezone.now() - timedelta(days=58),
    )
    SocialConnectionFactory(
        status=ConnectionStatus.NEEDS_REAUTH,
        last_error="Error validating access token: the user changed their password (190/460).",
    )
    page.set_viewport_size({"width": 1440, "height": 900})
    admin_login(page, live_server, manager)
    page.goto(f"{live_server.url}/admin/publishing/socialconnection/board/")
    assert page.locator("#connect-tiktok").is_visible()

    with page.expect_navigation(url=f"{live_server.url}/admin/publishing/socialconnection/board/"):
        page.click("#connect-tiktok")
    assert "Connected @" in page.locator(".messagelist").inner_text()
    connection = SocialConnection.objects.get(method=ConnectionMethod.TIKTOK)
    assert connection.account.username == TIKTOK_USER["username"]
    row = page.locator(f"#connection-{connection.pk}")
    assert "Connected" in row.inner_text()
    assert "expires in 23 hours" in row.inner_text()
    assert page.locator(".co-warn").is_visible()  # the Facebook Login day-50 warning
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Disconnect asks first.
    row.locator("summary", has_text="Disconnect").click()
    assert row.locator("button", has_text="Yes, disconnect").is_visible()

    path = screenshot(page, "connections")
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / "connections.png")
