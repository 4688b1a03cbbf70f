"""Publishing's read-only admin pages in a real browser at 1440 x 900, as a manager: the
scheduled posts list and a target's page with its publishing log fit without sideways
scrolling, long error messages included."""

import shutil
from pathlib import Path

import pytest

from tests.publishing.factories import PublishAttemptFactory, PublishTargetFactory
from tests.settings_app.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-16")
LONG_ERROR = (
    "(#9007) The media is not ready for publishing, please wait for a moment. "
    "error_subcode=2207027 fbtrace_id=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 " * 4
)


def fits_the_page(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("path", ["publishtarget", "scheduledpost"])
def test_publishing_pages_fit_1440_px_for_a_manager(
    page, live_server, admin_login, screenshot, path
):
    manager = UserFactory(username="manager", is_staff=True, roles=["Manager"])
    target = PublishTargetFactory(state="failed", error_class="ig_2207027", error=LONG_ERROR)
    for n in range(1, 4):
        PublishAttemptFactory(
            target=target,
            number=n,
            error_class="ig_2207027",
            error=LONG_ERROR,
            remote_handle={"container_id": "17895695668004550", "status_code": "IN_PROGRESS"},
        )
    page.set_viewport_size({"width": 1440, "height": 900})
    admin_login(page, live_server, manager)

    obj = target if path == "publishtarget" else target.post
    for name, url in [
        (f"publishing-{path}-list", f"/admin/publishing/{path}/"),
        (f"publishing-{path}-page", f"/admin/publishing/{path}/{obj.pk}/change/"),
    ]:
        page.goto(f"{live_server.url}{url}")
        assert page.locator("#content").is_visible()
        assert "Traceback" not in page.content()
        SHOTS.mkdir(exist_ok=True)
        shutil.copy(screenshot(page, name), SHOTS / f"{name}.png")
        assert fits_the_page(page), name
