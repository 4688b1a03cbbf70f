"""Ask the workspace in a real browser: a question typed in the box, the answer with its cited
rows as links and the tools used, on a page that fits 1440x900 (no script, strict CSP)."""

import pytest
from django.utils import timezone

from tests.ai.fake_openai import ToolCalls, cite_every_row
from tests.creators.factories import AccountFactory
from tests.settings_app.factories import EditorFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_editor_asks_and_follows_a_cited_row(
    page, live_server, admin_login, screenshot, settings, fake_openai
):
    settings.OPENAI_API_KEY = "test-key"
    settings.OPENAI_BASE_URL = fake_openai.url + "/v1"
    user = UserFactory(username="eddie", roles=["Editor"])
    mine = AccountFactory(
        editor=EditorFactory(user=user),
        platform="tiktok",
        username="eddies_tt",
        followers=1200,
        followers_since_1st_of_month=-40,
        last_tracked_at=timezone.now(),
    )
    AccountFactory(
        editor=EditorFactory(),
        platform="tiktok",
        username="someone_else",
        followers=900,
        followers_since_1st_of_month=-90,
    )
    fake_openai.script(
        ToolCalls(
            [
                (
                    "accounts_by_metric",
                    {
                        "metric": "followers_since_1st_of_month",
                        "direction": "down",
                        "platform": "tiktok",
                    },
                )
            ]
        ),
        cite_every_row("One of your TikTok accounts is down this month."),
    )
    page.set_viewport_size({"width": 1440, "height": 900})
    admin_login(page, live_server, user)

    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="Ask the workspace").first.click()
    page.fill("#id_question", "Which creators are down on TikTok this month?")
    page.click("#ask-form input[type=submit]")

    assert page.inner_text("#ask-answer") == "One of your TikTok accounts is down this month."
    assert page.inner_text("#ask-citations") == "@eddies_tt (tiktok)"
    assert "accounts_by_metric — 1 row" in page.inner_text("#ask-tools")
    assert "someone_else" not in page.inner_text("body")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
    screenshot(page, "ask-page-answer")

    page.click("#ask-citations a")
    page.wait_for_url(f"**/admin/creators/account/{mine.pk}/change/")
