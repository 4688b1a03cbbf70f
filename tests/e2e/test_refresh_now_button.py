"""The post page's Refresh now button, in a real browser (the CSP allows no inline script): it
posts, and the page says the refresh is queued."""

import pytest
from django.utils import timezone

from tests.posts.factories import PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pressing_refresh_now_on_a_post_page_says_it_is_queued(
    page, live_server, admin_login, screenshot, role_user
):
    manager = role_user("Manager")
    post = PostFactory(views=1200, likes=80, last_updated=timezone.now())
    page.set_viewport_size({"width": 1440, "height": 900})
    admin_login(page, live_server, manager)

    page.goto(f"{live_server.url}/admin/posts/post/{post.pk}/change/")
    page.get_by_role("button", name="Refresh now").click()

    page.wait_for_selector("ul.messagelist li.success")
    assert "Refresh queued for 1 post" in page.inner_text("ul.messagelist")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
    screenshot(page, "post-refresh-now")
