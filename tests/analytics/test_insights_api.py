"""`GET /api/v1/analytics/insights/`: the "top 3 posts and why" card of a client, a creator or a
campaign, with the AI's explanation from the facts only (the fake OpenAI server), else the
facts alone and why; stored once and reused by the report; role-scoped; 400s naming the
parameter."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from analytics.insights import NOT_CONFIGURED, REJECTED, UNAVAILABLE
from analytics.models import InsightExplanation
from analytics.reports.render import report_context
from analytics.reports.scope import scope_get
from core.models import AIUsage
from tests.ai.fake_openai import Reply
from tests.analytics.reporting import MARCH, agency, march_report
from tests.settings_app.factories import EditorFactory, UserFactory
from tests.workflow.factories import CampaignFactory, task_make

URL = "/api/v1/analytics/insights/"
PERIOD = {"start_date": MARCH[0].isoformat(), "end_date": MARCH[1].isoformat()}
GOOD = (
    "All 3 top posts were Talking Head Finance reels of 15–30 s posted at 18:00. "
    "The best one gained 50000 views, 45.5 times its account's median."
)


@pytest.fixture
def world(db):
    return agency()


@pytest.fixture
def owner(db):
    return UserFactory(roles=["Owner"], is_staff=True)


@pytest.fixture(autouse=True)
def fresh_cache(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ai_on(settings, fake_openai):
    settings.OPENAI_API_KEY = "test-key"
    settings.OPENAI_BASE_URL = fake_openai.url + "/v1"
    settings.OPENAI_MODEL = "gpt-4o-mini"
    settings.AI_TIMEOUT_S = 1.0
    return fake_openai


def get(user, **params):
    client = APIClient()
    client.force_login(user)
    return client.get(URL, params)


def test_a_clients_card_gives_its_top_posts_their_shared_facts_and_the_ais_explanation(
    world, owner, ai_on
):
    ai_on.script({"explanation": GOOD})

    response = get(owner, client=world["client"].pk, **PERIOD)

    assert response.status_code == 200, response.content
    card = response.json()
    assert card["scope"] == {"kind": "client", "id": world["client"].pk, "name": "Acme Foods"}
    assert card["period"]["start_date"] == "2026-03-01" and card["period"]["days"] == 31
    assert [p["id"] for p in card["posts"]] == [star.pk for star in world["stars"]]
    assert [p["url"] for p in card["posts"]] == [star.url for star in world["stars"]]
    assert [p["views_gained"] for p in card["posts"]] == [50_000, 30_000, 24_000]
    assert [p["times_median"] for p in card["posts"]] == [45.5, 10.0, 8.0]
    assert card["posts"][1]["account_median"] == 3_000.0
    assert card["posts"][0]["reel_style"] == "Talking Head"
    assert card["posts"][0]["posting_hour"] == 18
    assert "3 of 3: category Finance" in card["shared"]
    assert card["explanation"] == GOOD and card["note"] == ""
    assert "Talking Head" in ai_on.requests[0].user
    assert AIUsage.objects.get().feature == "insight"


def test_an_answer_with_a_number_not_in_the_facts_is_rejected_and_the_facts_come_alone(
    world, owner, ai_on
):
    ai_on.script(
        {"explanation": "These posts gained 73% more views. Viewers love Finance."},
        {"explanation": "They brought 999 new followers. Finance works."},
    )

    card = get(owner, client=world["client"].pk, **PERIOD).json()

    assert len(ai_on.requests) == 2  # the answer, then the one retry
    assert "73" in ai_on.requests[1].messages[-1]["content"]
    assert card["explanation"] is None and card["note"] == REJECTED
    assert len(card["posts"]) == 3 and card["shared"]


def test_without_ai_the_card_is_the_facts_alone_saying_ai_is_not_configured(world, owner, settings):
    settings.OPENAI_API_KEY = ""

    response = get(owner, client=world["client"].pk, **PERIOD)

    assert response.status_code == 200
    card = response.json()
    assert card["explanation"] is None and card["note"] == NOT_CONFIGURED
    assert len(card["posts"]) == 3
    assert not InsightExplanation.objects.exists()


def test_an_ai_server_in_error_never_fails_the_card(world, owner, ai_on):
    ai_on.route = lambda request: Reply(500, {"error": {"message": "down", "code": None}})

    response = get(owner, client=world["client"].pk, **PERIOD)

    assert response.status_code == 200
    assert response.json()["note"] == UNAVAILABLE
    assert len(response.json()["posts"]) == 3
    assert not InsightExplanation.objects.exists()


def test_after_an_ai_server_error_views_do_not_ask_again_for_a_while_then_do(world, owner, ai_on):
    ai_on.script(Reply(500, {"error": {"message": "down", "code": None}}))

    first = get(owner, client=world["client"].pk, **PERIOD).json()
    asked = len(ai_on.requests)
    second = get(owner, client=world["client"].pk, **PERIOD).json()
    assert len(ai_on.requests) == asked  # the back-off: no wait on a server that just failed
    assert first["note"] == second["note"] == UNAVAILABLE

    cache.clear()  # the back-off over
    ai_on.script({"explanation": GOOD})
    third = get(owner, client=world["client"].pk, **PERIOD).json()

    assert third["explanation"] == GOOD and len(ai_on.requests) == asked + 1


def test_the_explanation_is_asked_once_then_reused_by_the_api_and_the_report(world, owner, ai_on):
    ai_on.script({"explanation": GOOD})

    first = get(owner, client=world["client"].pk, **PERIOD).json()
    second = get(owner, client=world["client"].pk, **PERIOD).json()
    report = march_report(world["client"])
    context = report_context(report, scope_get("client", world["client"].pk))

    assert first["explanation"] == second["explanation"] == GOOD
    assert context["card"].explanation == GOOD
    assert len(ai_on.requests) == 1
    assert AIUsage.objects.count() == 1


def test_an_editor_gets_the_card_of_its_own_accounts_only(world, ai_on):
    editor = EditorFactory(user=UserFactory(roles=["Editor"], is_staff=True))
    world["insta"].editor = editor
    world["insta"].save(update_fields=["editor"])
    ai_on.script({"explanation": "The best post was a Talking Head reel posted at 18:00."})

    card = get(editor.user, client=world["client"].pk, **PERIOD).json()

    assert card["posts"], card
    assert {p["account"] for p in card["posts"]} == {world["insta"].pk}
    assert card["posts"][0]["id"] == world["stars"][0].pk
    assert str(30_000) not in ai_on.requests[0].user  # the TikTok stars were not shown to it


def test_a_campaigns_card_is_made_of_the_posts_its_tasks_published(world, owner, settings):
    settings.OPENAI_API_KEY = ""
    campaign = CampaignFactory(client=world["client"], name="Spring launch")
    task = task_make(campaign=campaign, title="Launch reel")
    task.published_posts.add(world["stars"][1], world["stars"][2])

    card = get(owner, campaign=campaign.pk, **PERIOD).json()

    assert card["scope"]["name"] == "Spring launch"
    assert [p["id"] for p in card["posts"]] == [world["stars"][1].pk, world["stars"][2].pk]
    assert card["note"] == NOT_CONFIGURED


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "client"),
        ({"account": "ACCOUNT"}, "account"),
        ({"client": "999999"}, "client"),
        ({"campaign": "abc"}, "campaign"),
        ({"client": "CLIENT", "creator": "1"}, "creator"),
        ({"client": "CLIENT", "start_date": "2026-03-10", "end_date": "2026-03-01"}, "end_date"),
    ],
)
def test_a_missing_or_bad_parameter_is_a_400_naming_it(world, owner, params, field):
    ids = {"ACCOUNT": str(world["insta"].pk), "CLIENT": str(world["client"].pk)}
    params = {key: ids.get(value, value) for key, value in params.items()}

    response = get(owner, **params)

    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
