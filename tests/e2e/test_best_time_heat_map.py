"""The best-time heat map in a real browser at 1440x900: numbers from the posts created here,
a too-few cell, and no sideways scrolling."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.creators.factories import AccountFactory
from tests.posts.factories import PostFactory, PostSnapshotFactory
from tests.settings_app.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UTC = ZoneInfo("UTC")


def fits_the_page(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def post_at(account, when, views):
    post = PostFactory(account=account, post_date=when)
    PostSnapshotFactory(post=post, captured_at=when + timedelta(hours=22), views=views)


def test_the_heat_map_fits_1440_and_shows_counts(
    page, live_server, admin_login, screenshot, settings
):
    settings.TIME_ZONE = "UTC"
    user = UserFactory(username="owner", roles=["Owner"], is_staff=True)
    account = AccountFactory(username="heatmap")
    for week in range(4):
        base = datetime(2026, 2, 2, tzinfo=UTC) + timedelta(weeks=week)
        post_at(account, base.replace(hour=18), 4000 + week * 1000)  # Monday 18:00
        post_at(account, base + timedelta(days=3, hours=9), 800)  # Thursday 09:00
    post_at(account, datetime(2026, 2, 7, 12, 0, tzinfo=UTC), 99_000)  # Saturday, alone

    page.set_viewport_size({"width": 1440, "height": 900})
    admin_login(page, live_server, user)
    page.goto(f"{live_server.url}/admin/analytics/mention/best-time/?account={account.pk}")

    monday_18 = page.locator('tr[data-weekday="0"] td[data-hour="18"]')
    assert monday_18.get_attribute("data-posts") == "4"
    assert monday_18.get_attribute("data-value") == "5500"
    assert "5.5k" in monday_18.inner_text()
    saturday = page.locator('tr[data-weekday="5"] td[data-hour="12"]')
    assert "too few" in saturday.inner_text()
    assert "Mon 18:00" in page.locator("#best-time-best").inner_text()
    assert page.locator("#best-time-grid").is_visible()
    assert fits_the_page(page)
    screenshot(page, "best-time-heat-map")
