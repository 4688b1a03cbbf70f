"""The analytics page in a real browser: an owner opens it from the admin index, picks a
client and a period, and reads the figures, charts, platforms, posts and the insight card at
1440x900."""

import pytest

from tests.analytics.agency import MARCH, agency_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_page(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def owner_signed_in(page, live_server, admin_login) -> dict:
    """The demo agency, its owner signed in to the admin at 1440x900."""
    agency = agency_create()
    page.set_viewport_size({"width": 1440, "height": 900})
    owner = agency["owner"]
    owner.is_staff = True
    owner.save(update_fields=["is_staff"])
    admin_login(page, live_server, owner)
    return agency


def test_an_owner_picks_a_client_and_a_period_and_reads_its_figures(
    page, live_server, admin_login, screenshot
):
    agency = owner_signed_in(page, live_server, admin_login)

    page.click("a[href='/admin/analytics/dailyaccountmetric/dashboard/']")
    page.wait_for_selector("#analytics-picker")
    assert page.is_visible("#insight-card #insight-hint")  # no client, creator or campaign yet
    page.select_option("#an-scope", f"client:{agency['client_a'].pk}")
    page.fill("#an-start", MARCH["start_date"])
    page.fill("#an-end", MARCH["end_date"])
    page.click("#analytics-picker input[type=submit]")
    page.wait_for_selector("#headlines")

    assert page.get_attribute("[data-figure='views_gained']", "data-value") == "2010"
    assert "+101.0%" in page.inner_text("[data-figure='views_gained']")
    assert page.locator("#growth-chart").count() == 1
    assert page.locator("#views-chart").count() == 1
    assert page.locator("#platforms tr[data-platform]").count() == 2
    assert page.locator(f"#top-posts tr[data-post='{agency['hit'].pk}']").count() == 1
    assert page.is_visible("#insight-card")  # "top 3 posts and why" of the client
    assert page.locator(f"#insight-card tr[data-insight-post='{agency['hit'].pk}']").count() == 1
    assert page.locator("#insight-card #insight-hint").count() == 0
    assert page.locator("#best-time-slot #best-time").count() == 1  # the heat map's block
    growth, views = (
        page.locator("#growth-chart").bounding_box(),
        page.locator("#views-chart").bounding_box(),
    )
    assert growth["y"] == views["y"]  # the two charts side by side
    assert fits_the_page(page)
    screenshot(page, "analytics_page")


def test_an_owner_picks_a_creator_and_reads_that_creators_figures(
    page, live_server, admin_login, screenshot
):
    agency = owner_signed_in(page, live_server, admin_login)

    page.goto(f"{live_server.url}/admin/analytics/dailyaccountmetric/dashboard/")
    page.wait_for_selector("#analytics-picker")
    labels = page.eval_on_selector_all("#an-scope optgroup", "gs => gs.map(g => g.label)")
    assert {"Clients", "Creators", f"Accounts · {agency['client_a'].name}"} <= set(labels)
    page.select_option("#an-scope", f"creator:{agency['creator'].pk}")
    page.fill("#an-start", MARCH["start_date"])
    page.fill("#an-end", MARCH["end_date"])
    page.click("#analytics-picker input[type=submit]")
    page.wait_for_selector("#headlines")

    # The creator's one account, the Instagram one of client A: 2 000 views in March.
    assert page.get_attribute("[data-figure='views_gained']", "data-value") == "2000"
    assert page.input_value("#an-scope") == f"creator:{agency['creator'].pk}"
    assert page.locator("#platforms tr[data-platform]").count() == 1
    assert fits_the_page(page)
    screenshot(page, "analytics_page_creator")
