"""Issue 16 in a real browser: a failing post and account show why on their pages, the posts
list names the platform without a working provider, and the dashboard lists the problems."""

import pytest
from django.core.management import call_command

from operations import jobs
from operations.alerts import heartbeat_beat
from platforms.providers.base import TemporaryError
from tests.creators.factories import AccountFactory
from tests.operations import fakes
from tests.posts.factories import PostFactory
from tests.settings_app.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/shots-16"


def test_an_operator_sees_why_refreshes_fail(page, live_server, admin_login, settings, monkeypatch):
    fake = fakes.install(settings, monkeypatch)
    call_command("sync_schedules")
    heartbeat_beat()
    post = PostFactory(post_id="BAD1")
    fake.posts["BAD1"] = TemporaryError("Instagram answered 503 Service Unavailable")
    account = AccountFactory(username="alice")
    fake.profiles["alice"] = TemporaryError("Apify run failed: actor timed out")
    jobs.refresh_post_stats()
    jobs.refresh_account_stats()
    user = UserFactory(username="operator", is_staff=True, is_superuser=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    admin_login(page, live_server, user)

    page.goto(f"{live_server.url}/admin/posts/post/{post.pk}/change/")
    assert "Failing: 1 attempt in a row" in page.inner_text("body")
    page.locator(".co-refresh-failing").scroll_into_view_if_needed()
    page.screenshot(path=f"{SHOTS}/post-change-refresh-failing.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440

    page.goto(f"{live_server.url}/admin/creators/account/{account.pk}/change/")
    page.locator(".co-refresh-failing").first.scroll_into_view_if_needed()
    page.screenshot(path=f"{SHOTS}/account-change-refresh-failing.png")
    assert "Apify run failed: actor timed out" in page.inner_text("body")

    page.goto(f"{live_server.url}/admin/posts/post/?refresh_failing=true")
    page.screenshot(path=f"{SHOTS}/posts-changelist-refresh-failing.png")

    page.goto(f"{live_server.url}/admin/operations/jobrun/dashboard/")
    text = page.inner_text("body")
    assert "Job refresh_post_stats failed: 1 item failed" in text
    assert "Instagram answered 503 Service Unavailable" in page.inner_text("#failed-urls")
    page.screenshot(path=f"{SHOTS}/operations-dashboard.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
