"""The admin index in a real browser at 1440 x 900, as an editor and as an owner: the menu
lists the workspace pages each may open (an editor: the trial board only), every menu link
opens without a 403, and nothing scrolls sideways."""

import pytest

from tests.settings_app.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORKSPACE = ("Trial reels board", "Boards", "Payments board", "Operations dashboard")


@pytest.fixture
def desk(page):
    page.set_viewport_size({"width": 1440, "height": 900})
    return page


def fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def workspace_links(page) -> dict[str, str]:
    links = {}
    rows = ", ".join(f"#content-main .app-{app} tr" for app in ("posts", "finance", "operations"))
    for row in page.locator(rows).all():
        anchor = row.locator("th a")
        if anchor.count() and anchor.first.inner_text().strip() in WORKSPACE:
            links[anchor.first.inner_text().strip()] = anchor.first.get_attribute("href")
    return links


@pytest.mark.parametrize(
    ("role", "pages"),
    [("Editor", {"Trial reels board"}), ("Owner", set(WORKSPACE))],
)
def test_the_index_lists_the_pages_the_role_may_open(
    desk, live_server, admin_login, screenshot, role, pages
):
    admin_login(desk, live_server, UserFactory(username=role.lower(), roles=[role]))

    links = workspace_links(desk)
    assert set(links) == pages
    assert fits_the_width(desk)
    screenshot(desk, f"admin-index-{role.lower()}")
    for href in links.values():
        response = desk.goto(f"{live_server.url}{href}")
        assert response.status == 200, href
