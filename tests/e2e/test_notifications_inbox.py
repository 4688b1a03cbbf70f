"""The notifications inbox in a real browser at 1440 x 900, as an editor: the header shows the
unread count (fetched by a static script under the CSP), opening a notification marks it read
and leads to its object, and the preferences page fits."""

import pytest

from notifications.choices import NotificationKind
from notifications.models import Notification
from notifications.services import notify
from tests.settings_app.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_page(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_editor_reads_a_notification_from_the_header(page, live_server, admin_login, screenshot):
    editor = UserFactory(username="editor", is_staff=True, roles=["Editor"])
    for n in range(3):
        notify(
            [editor],
            kind=NotificationKind.NEEDS_CHANGES,
            text=f"Changes requested on “Summer reel {n}”: shorter hook, please",
            key=f"e2e:{n}",
            url="/admin/notifications/notification/preferences/",
        )
    page.set_viewport_size({"width": 1440, "height": 900})
    admin_login(page, live_server, editor)

    badge = page.locator("#notifications-unread")
    badge.wait_for(state="visible")
    assert badge.inner_text() == "3"

    page.click("#notifications-link")
    page.get_by_text("Summer reel 0").click()
    page.wait_for_url("**/notifications/notification/preferences/")
    assert fits_the_page(page)
    screenshot(page, "notification-preferences")
    read = Notification.objects.filter(user=editor, read_at__isnull=False)
    assert [n.key for n in read] == ["e2e:0"]

    page.goto(f"{live_server.url}/admin/notifications/notification/")
    badge.wait_for(state="visible")  # the count arrives after the page loads
    assert badge.inner_text() == "2"
    assert fits_the_page(page)
    screenshot(page, "notification-inbox")
