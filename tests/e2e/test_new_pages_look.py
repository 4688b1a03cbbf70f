"""The new admin pages (AI assistance, brief to tasks, caption suggestions, ask the workspace,
analytics, best time, audience, brand mentions, reports, the operations dashboard's AI usage)
opened in Chromium at 1440 x 900 by each role that uses them, with an agency's data and the
AI not configured, as a fresh deployment has it.

Each page is screenshotted (tests/e2e/artifacts/look-<role>-<page>.png) and checked: it fits
the width, shows no raw exception, and links nothing that answers 403 to the person."""

from urllib.parse import urlparse

import pytest
from django.test import Client as DjangoClient
from django.urls import reverse

from core.ai_usage import ai_usage_record
from tests.analytics.agency import agency_create
from tests.settings_app.factories import UserFactory
from tests.workflow.factories import CampaignFactory, DeliverableFactory, draft_add, task_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORT = {"width": 1440, "height": 900}
PASSWORD = "look-pass-123"
RAW_ERRORS = ("Traceback", "Exception Value", "Server Error (500)", "Error:", "Exception")

OWNER, MANAGER, FINANCE, EDITOR, ANALYST, CREATOR = (
    "Owner",
    "Manager",
    "Finance",
    "Editor",
    "Analyst",
    "Creator",
)
WORKERS = [OWNER, MANAGER, EDITOR, ANALYST]

# (page name, how to reach it from the world, roles that use it)
PAGES = [
    (
        "task",
        lambda w: reverse("admin:workflow_contenttask_change", args=[w["task"].pk]),
        [*WORKERS, CREATOR],
    ),
    (
        "brief",
        lambda w: reverse("admin:workflow_campaign_brief", args=[w["campaign"].pk]),
        [OWNER, MANAGER],
    ),
    ("composer", lambda w: reverse("admin:publishing_composer"), [OWNER, MANAGER, EDITOR]),
    (
        "ask",
        lambda w: reverse("admin:analytics_ask"),
        [OWNER, MANAGER, FINANCE, EDITOR, ANALYST, CREATOR],
    ),
    (
        "analytics",
        lambda w: reverse("admin:analytics_dashboard"),
        [OWNER, MANAGER, FINANCE, EDITOR, ANALYST],
    ),
    (
        "best-time",
        lambda w: reverse("admin:analytics_best_time"),
        [OWNER, MANAGER, FINANCE, EDITOR, ANALYST, CREATOR],
    ),
    ("audience", lambda w: reverse("admin:analytics_audience"), [OWNER, MANAGER, ANALYST]),
    ("mentions", lambda w: reverse("admin:analytics_mentions"), [OWNER, MANAGER, ANALYST]),
    ("reports", lambda w: reverse("admin:analytics_report_changelist"), [*WORKERS, CREATOR]),
    (
        "report-generate",
        lambda w: reverse("admin:analytics_report_generate"),
        [OWNER, MANAGER, EDITOR],
    ),
    (
        "report-schedules",
        lambda w: reverse("admin:analytics_reportschedule_changelist"),
        [OWNER, MANAGER, ANALYST],
    ),
    (
        "operations",
        lambda w: reverse("admin:operations_dashboard"),
        [OWNER, MANAGER, FINANCE, ANALYST],
    ),
]
# The pages that offer AI assistance: each says it is off, and why, before anyone tries it.
AI_PAGES = {"task", "brief", "composer", "ask"}
ROLES = [OWNER, MANAGER, FINANCE, EDITOR, ANALYST, CREATOR]


def fits_the_page(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def world_make() -> dict:
    """The analytics agency, a campaign with a brief for its creator, and a task assigned to
    the editor with a draft handed in; one login per role (the creator's is the agency's)."""
    agency = agency_create()
    creator = agency["creator"]
    users = {
        OWNER: agency["owner"],
        MANAGER: UserFactory(username="mona", roles=[MANAGER], is_staff=True),
        FINANCE: UserFactory(username="fin", roles=[FINANCE], is_staff=True),
        EDITOR: agency["editor"],
        ANALYST: UserFactory(username="ana", roles=[ANALYST], is_staff=True),
        CREATOR: creator.user,
    }
    for user in users.values():
        user.is_staff = True
        user.set_password(PASSWORD)
        user.save()
    campaign = CampaignFactory(
        client=agency["client_a"],
        name="Summer launch",
        brief="Two reels about the new lemon soda, bright and outdoors.",
    )
    DeliverableFactory(campaign=campaign, creator=creator, quantity=1)
    task = task_make(creator=creator, campaign=campaign, assignee=users[EDITOR])
    draft_add(task, user=users[EDITOR], text="Lemon soda by the lake #summer")
    # Yesterday's AI answers, before the key was taken away: the AI usage tables have rows.
    for feature, user in (("caption", users[EDITOR]), ("ask", users[ANALYST])):
        ai_usage_record(
            feature,
            user=user,
            model="gpt-4o-mini",
            prompt_tokens=1_200,
            completion_tokens=300,
            calls=1,
        )
    ai_usage_record("brief_to_tasks", user=users[MANAGER], model="gpt-4o-mini", error="timeout")
    return {**agency, "users": users, "campaign": campaign, "task": task}


def look(browser, live_server, screenshot, role, user, pages, world):
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    http = DjangoClient()
    http.force_login(user)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", user.get_username())
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    problems = []
    for name, url_of, _roles in pages:
        path = url_of(world)
        response = page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        screenshot(page, f"look-{role.lower()}-{name}")
        if response.status != 200:
            problems.append((name, "status", response.status))
            continue
        text = page.inner_text("body")
        for marker in RAW_ERRORS:
            if marker in text:
                problems.append((name, "raw", marker))
        if name in AI_PAGES and not page.locator("#ai-off").is_visible():
            problems.append((name, "no word that the AI is off"))
        if "posts stay pending" in text and name in AI_PAGES:
            problems.append((name, "the classifier's words"))
        if not fits_the_page(page):
            problems.append((name, "wider than 1440"))
        hrefs = page.eval_on_selector_all(
            "a[href]", "links => links.map(a => a.getAttribute('href'))"
        )
        for href in sorted(set(hrefs)):
            target = urlparse(href).path if href.startswith("http") else href
            if not target.startswith("/admin/") or target.startswith("/admin/logout"):
                continue
            if http.get(href).status_code == 403:
                problems.append((name, "403", href))
    context.close()
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_the_new_pages_whole_and_without_dead_links(
    browser, live_server, screenshot, settings, tmp_path, role
):
    settings.OPENAI_API_KEY = ""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    world = world_make()
    pages = [p for p in PAGES if role in p[2]]

    problems = look(browser, live_server, screenshot, role, world["users"][role], pages, world)

    assert problems == []
