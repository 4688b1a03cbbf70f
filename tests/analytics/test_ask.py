"""Ask the workspace from the API and the admin, against the fake OpenAI server: scoped tools,
cited rows with links, the log of every answer, and the clear errors."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from ai.ask import CANNOT_ANSWER
from analytics.ask.tools import WorkspaceTools
from core.models import AIUsage
from tests.ai.fake_openai import ToolCalls, cite_every_row, error, tool_results
from tests.creators.factories import AccountFactory
from tests.finance.factories import PayoutStatementFactory
from tests.posts.factories import PostFactory, PostSnapshotFactory
from tests.settings_app.factories import CategoryFactory, EditorFactory, UserFactory
from tests.utils import key_client
from tests.workflow.factories import CampaignFactory, DeliverableFactory, task_make

URL = "/api/v1/ai/ask/"


@pytest.fixture
def world(db):
    """An owner, an editor with one TikTok account and post, another editor with the same."""
    editor_user = UserFactory(username="eddie", roles=["Editor"])
    mine, theirs = (
        EditorFactory(user=editor_user),
        EditorFactory(user=UserFactory(roles=["Editor"])),
    )
    now = timezone.now()
    fitness = CategoryFactory(name="Fitness")
    my_account = AccountFactory(
        editor=mine,
        platform="tiktok",
        username="mine_tt",
        followers=1000,
        followers_since_1st_of_month=-50,
    )
    their_account = AccountFactory(
        editor=theirs,
        platform="tiktok",
        username="theirs_tt",
        followers=2000,
        followers_since_1st_of_month=-80,
    )
    my_post = PostFactory(
        editor=mine,
        account=my_account,
        username="mine_tt",
        platform="tiktok",
        views=900,
        post_date=now - timedelta(days=2),
        category=fitness,
    )
    their_post = PostFactory(
        editor=theirs,
        account=their_account,
        username="theirs_tt",
        platform="tiktok",
        views=5000,
        post_date=now - timedelta(days=2),
        category=fitness,
    )
    for post, views in ((my_post, 900), (their_post, 5000)):
        PostSnapshotFactory(post=post, captured_at=now - timedelta(days=1), views=views)
    campaign = CampaignFactory(name="Spring launch")
    DeliverableFactory(campaign=campaign, quantity=2, due=now - timedelta(days=1))
    task = task_make(
        campaign=campaign,
        assignee=editor_user,
        title="Spring reel",
        due_at=now - timedelta(hours=3),
    )
    other_task = task_make(title="Someone else's reel", due_at=now - timedelta(hours=3))
    statement = PayoutStatementFactory(amount_due=Decimal("250.00"))
    return {
        "owner": UserFactory(username="olive", roles=["Owner"]),
        "editor": editor_user,
        "my_account": my_account,
        "their_account": their_account,
        "my_post": my_post,
        "their_post": their_post,
        "campaign": campaign,
        "task": task,
        "other_task": other_task,
        "statement": statement,
    }


def refs(rows):
    return [row.ref for row in rows]


# --- The tools and their scoping --------------------------------------------------------------


def test_the_tools_give_an_owner_every_row_and_an_editor_only_its_own(world):
    owner, editor = WorkspaceTools(world["owner"]), WorkspaceTools(world["editor"])
    down = {"metric": "followers_since_1st_of_month", "direction": "down", "platform": "tiktok"}
    mine, theirs = world["my_account"].pk, world["their_account"].pk

    assert refs(owner("accounts_by_metric", down)) == [f"account:{theirs}", f"account:{mine}"]
    assert refs(editor("accounts_by_metric", down)) == [f"account:{mine}"]
    fitness = {"period": "last_7_days", "category": "fitness"}
    assert refs(owner("posts_by_label", fitness)) == [
        f"post:{world['their_post'].pk}",
        f"post:{world['my_post'].pk}",
    ]
    assert refs(editor("posts_by_label", fitness)) == [f"post:{world['my_post'].pk}"]
    assert refs(editor("top_posts_by_views", {"period": "last_7_days"})) == [
        f"post:{world['my_post'].pk}"
    ]
    assert refs(editor("content_tasks", {"overdue_only": True})) == [f"task:{world['task'].pk}"]
    assert len(owner("content_tasks", {"overdue_only": True})) == 2
    assert refs(editor("campaign_progress", {})) == [f"campaign:{world['campaign'].pk}"]
    assert editor("statements", {}) == []
    assert refs(owner("statements", {"status": "draft"})) == [f"statement:{world['statement'].pk}"]


def test_a_tool_call_for_another_editors_account_comes_back_empty(world):
    editor = WorkspaceTools(world["editor"])
    for tool, args in [
        ("accounts_by_metric", {"metric": "followers", "username": "theirs_tt"}),
        ("posts_by_label", {"period": "last_30_days", "username": "theirs_tt"}),
        ("top_posts_by_views", {"period": "last_30_days", "username": "@theirs_tt"}),
    ]:
        assert editor(tool, args) == [], tool


def test_every_row_links_to_its_admin_page(world, client):
    client.force_login(world["owner"])
    owner = WorkspaceTools(world["owner"])
    rows = [
        *owner("accounts_by_metric", {"metric": "followers"}),
        *owner("posts_by_label", {"period": "last_7_days"}),
        *owner("campaign_progress", {}),
        *owner("statements", {}),
        *owner("content_tasks", {}),
    ]
    assert {row.ref.split(":")[0] for row in rows} == {
        "account",
        "post",
        "campaign",
        "statement",
        "task",
    }
    for row in rows:
        assert row.label
        assert client.get(row.link).status_code == 200, row


def test_a_campaigns_progress_counts_promised_and_overdue_units(world):
    (row,) = WorkspaceTools(world["owner"])("campaign_progress", {"name_contains": "spring"})
    assert row.label == "Spring launch"
    assert row.fields["promised"] == 2 and row.fields["delivered"] == 0
    # The deliverable's 2 units past due, and the campaign's loose task past its own due time.
    assert row.fields["overdue"] == 3


# --- The API ----------------------------------------------------------------------------------


def test_an_answer_comes_with_its_cited_rows_links_and_tool_calls_and_is_logged(world, ask_ai):
    ask_ai.script(
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
        cite_every_row("Two TikTok accounts are down this month."),
    )

    response = key_client(world["owner"]).post(
        URL, {"question": "Which creators are down on TikTok this month?"}, format="json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["answer"] == "Two TikTok accounts are down this month."
    assert [c["label"] for c in body["citations"]] == ["@theirs_tt (tiktok)", "@mine_tt (tiktok)"]
    assert body["citations"][0]["link"] == reverse(
        "admin:creators_account_change", args=[world["their_account"].pk]
    )
    assert body["tool_calls"] == [
        {
            "name": "accounts_by_metric",
            "args": {
                "metric": "followers_since_1st_of_month",
                "direction": "down",
                "platform": "tiktok",
            },
            "rows": 2,
        }
    ]
    log = AIUsage.objects.get(feature="ask")
    assert log.ok and log.user == world["owner"] and log.prompt_tokens > 0 and log.calls == 2
    assert log.detail["question"] == "Which creators are down on TikTok this month?"
    assert log.detail["tool_calls"] == [{**body["tool_calls"][0]}]


def test_an_editor_asking_for_another_editors_account_gets_nothing_of_it(world, ask_ai):
    ask_ai.script(
        ToolCalls([("accounts_by_metric", {"metric": "followers", "username": "theirs_tt"})]),
        cite_every_row("No such account."),
    )

    body = (
        key_client(world["editor"])
        .post(URL, {"question": "How many followers has theirs_tt?"}, format="json")
        .json()
    )

    assert tool_results(ask_ai.requests[1]) == {"call_1": {"row_count": 0, "rows": []}}
    assert body["citations"] == [] and body["tool_calls"][0]["rows"] == 0
    assert "theirs_tt (tiktok)" not in str(body)


def test_a_question_outside_the_tools_gets_the_plain_answer(world, ask_ai):
    ask_ai.script({"answerable": False, "answer": "Sorry.", "cited": []})

    body = key_client(world["owner"]).post(URL, {"question": "Who won the match?"}).json()

    assert body["answer"] == CANNOT_ANSWER and body["answerable"] is False


@pytest.mark.parametrize(
    ("question", "message"), [("", "blank"), ("   ", "blank"), ("x" * 501, "500")]
)
def test_an_empty_or_too_long_question_is_a_400_naming_the_field(world, ask_ai, question, message):
    response = key_client(world["owner"]).post(URL, {"question": question}, format="json")

    assert response.status_code == 400
    assert "question" in response.json()["error"]["fields"]
    assert message in str(response.json()["error"])
    assert ask_ai.requests == []


def test_without_a_key_the_api_says_ai_is_not_configured(world, settings):
    settings.OPENAI_API_KEY = ""

    response = key_client(world["owner"]).post(URL, {"question": "Top posts?"}, format="json")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "ai_not_configured"
    assert "OPENAI_API_KEY" in response.json()["error"]["message"]
    assert AIUsage.objects.get(feature="ask").ok is False


@pytest.mark.parametrize(
    ("reply", "status", "code"),
    [
        (error(429, "Slow down", Retry_After="7"), 503, "ai_unavailable"),
        (error(502, "Bad gateway"), 503, "ai_unavailable"),
    ],
)
def test_rate_limits_and_server_errors_are_clear_errors_not_500(world, ask_ai, reply, status, code):
    ask_ai.script(reply)

    response = key_client(world["owner"]).post(URL, {"question": "Top posts?"}, format="json")

    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    if "Retry-After" in reply.headers:
        assert response["Retry-After"] == "7"


def test_a_timeout_is_a_clear_error(world, ask_ai):
    from tests.ai.fake_openai import Reply

    ask_ai.script(Reply(200, {}, delay=1.5))

    response = key_client(world["owner"]).post(URL, {"question": "Top posts?"}, format="json")

    assert response.status_code == 503
    assert "did not answer within" in response.json()["error"]["message"]


def test_twice_hallucinated_citations_are_a_502(world, ask_ai):
    bad = {
        "answerable": True,
        "answer": "x",
        "cited": [{"tool_call_id": "call_1", "ref": "post:999999"}],
    }
    ask_ai.script(ToolCalls([("top_posts_by_views", {"period": "last_7_days"})]), bad, bad)

    response = key_client(world["owner"]).post(URL, {"question": "Top posts?"}, format="json")

    assert response.status_code == 502
    assert "post:999999" in response.json()["error"]["message"]
    log = AIUsage.objects.get(feature="ask")
    assert not log.ok and log.calls == 3 and log.prompt_tokens > 0
    assert log.detail["tool_calls"] == [
        {"name": "top_posts_by_views", "args": {"period": "last_7_days"}, "rows": 2}
    ]


def test_a_signed_in_session_may_ask_and_anonymous_may_not(world, ask_ai):
    ask_ai.script({"answerable": False, "answer": "-", "cited": []})
    session = APIClient()
    session.force_login(world["editor"])
    assert session.post(URL, {"question": "Hi?"}, format="json").status_code == 200
    assert APIClient().post(URL, {"question": "Hi?"}, format="json").status_code in (401, 403)


# --- The admin page ---------------------------------------------------------------------------


def test_the_admin_page_shows_the_answer_the_cited_rows_as_links_and_the_tools_used(
    world, ask_ai, client
):
    ask_ai.script(
        ToolCalls([("content_tasks", {"overdue_only": True})]),
        cite_every_row("One task is overdue."),
    )
    client.force_login(world["editor"])
    page = reverse("admin:analytics_ask")

    assert client.get(page).status_code == 200
    html = client.post(page, {"question": "Which tasks are overdue?"}).content.decode()

    assert "One task is overdue." in html
    task_link = reverse("admin:workflow_contenttask_change", args=[world["task"].pk])
    assert f'href="{task_link}"' in html and "Spring reel" in html
    assert "Someone else&#x27;s reel" not in html
    assert "content_tasks</strong> — 1 row" in html
    assert "<script" not in html.split("</head>")[1].replace('<script src="', "")


def test_the_admin_page_says_when_ai_is_not_configured_and_when_the_question_is_empty(
    world, settings, client
):
    settings.OPENAI_API_KEY = ""
    client.force_login(world["owner"])
    page = reverse("admin:analytics_ask")

    assert "AI not configured" in client.post(page, {"question": "Top?"}).content.decode()
    assert "Ask a question." in client.post(page, {"question": " "}).content.decode()


def test_the_admin_page_says_before_any_question_that_the_ai_is_off(world, settings, client):
    settings.OPENAI_API_KEY = ""
    client.force_login(world["owner"])

    html = client.get(reverse("admin:analytics_ask")).content.decode()

    assert 'id="ai-off"' in html and "OPENAI_API_KEY is not set on the server" in html
    assert 'value="Ask" class="default" disabled' in html


def test_the_ask_page_is_in_the_menu_of_every_role_that_may_open_it(world, client):
    client.force_login(world["editor"])
    assert reverse("admin:analytics_ask") in client.get(reverse("admin:index")).content.decode()


def test_the_tools_only_read(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    owner = WorkspaceTools(world["owner"])
    with CaptureQueriesContext(connection) as queries:
        owner("accounts_by_metric", {"metric": "followers", "direction": "up"})
        owner("posts_by_label", {"period": "last_90_days", "category": "Fitness"})
        owner("top_posts_by_views", {"period": "last_month"})
        owner("campaign_progress", {"status": "active"})
        owner("statements", {"month": "2026-03"})
        owner("content_tasks", {"column": "backlog", "overdue_only": True})

    statements = [q["sql"].lstrip().split()[0].upper() for q in queries.captured_queries]
    assert statements and set(statements) <= {"SELECT"}


def test_an_unknown_category_or_month_is_an_error_for_the_model(world):
    from ai.ask import ToolArgumentError

    owner = WorkspaceTools(world["owner"])
    with pytest.raises(ToolArgumentError, match="Fitness"):
        owner("posts_by_label", {"period": "this_month", "category": "Knitting"})
    with pytest.raises(ToolArgumentError, match="2026-13"):
        owner("statements", {"month": "2026-13"})


def test_a_creators_login_asks_about_its_own_account_only(world, creator_login):
    user, creator = creator_login("maya")
    own = creator.accounts.get()
    type(own).objects.filter(pk=own.pk).update(followers=10)

    rows = WorkspaceTools(user)("accounts_by_metric", {"metric": "followers"})

    assert refs(rows) == [f"account:{own.pk}"]
    assert WorkspaceTools(user)("statements", {}) == []


def test_asking_is_throttled_like_the_rest_of_the_api_before_any_model_call(
    world, ask_ai, monkeypatch
):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"api_key": "2/minute", "user": "2/minute"}
    )
    ask_ai.route = lambda request: {"answerable": False, "answer": "-", "cited": []}
    client = key_client(world["owner"])

    answers = [client.post(URL, {"question": "Top?"}, format="json") for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert len(ask_ai.requests) == 2


def test_a_user_without_a_role_may_not_ask(db, ask_ai):
    response = key_client(UserFactory(roles=[])).post(URL, {"question": "Top?"}, format="json")

    assert response.status_code == 403
    assert ask_ai.requests == []


def test_a_read_only_key_may_ask_since_asking_writes_nothing(world, ask_ai):
    ask_ai.script({"answerable": False, "answer": "-", "cited": []})
    client = key_client(world["owner"], scopes=["read"])

    assert client.post(URL, {"question": "Top?"}, format="json").status_code == 200
    assert client.post("/api/v1/clients/", {"name": "X"}, format="json").status_code == 403
