"""AI assistance through the API, against the fake OpenAI server: captions saved as new
AI-generated versions, the stored quality check, thread summaries scoped to what the viewer
may see, brief to tasks (proposal, then confirm), composer captions; a disabled or failing AI
answers 503 with the reason, bad input 400 naming the field; usage recorded per feature."""

import pytest

from core.models import AIUsage
from tests.ai.fake_openai import Reply, caption_answer, error, summary_answer
from tests.creators.factories import CreatorFactory
from tests.publishing.factories import MediaAssetFactory
from tests.settings_app.factories import ClientFactory, UserFactory
from tests.utils import key_client
from tests.workflow.conftest import task_in
from tests.workflow.factories import CampaignFactory, comment_make, draft_add, task_make
from workflow.choices import Column
from workflow.models import CaptionVersion, ContentTask, Deliverable

pytestmark = pytest.mark.django_db
API = "/api/v1"
GUIDELINES = "Always write AURORA in capitals\nNo competitor names"


@pytest.fixture
def ai_on(settings, fake_openai):
    settings.OPENAI_API_KEY = "test-key"
    settings.OPENAI_BASE_URL = fake_openai.url + "/v1"
    settings.OPENAI_MODEL = "gpt-4o-mini"
    settings.AI_TIMEOUT_S = 0.5
    return fake_openai


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", roles=["Manager"], is_staff=True)


@pytest.fixture
def brand_task(db):
    client = ClientFactory(brand_voice="Calm, expert", brand_guidelines=GUIDELINES)
    campaign = CampaignFactory(client=client, name="Aurora launch", brief="Launch the shoe.")
    task = task_make(title="Aurora unboxing reel", campaign=campaign, description="Unboxing.")
    draft_add(task, text="my own caption, written by hand")
    return task


def test_ai_captions_are_new_versions_and_never_change_the_human_one(ai_on, manager, brand_task):
    answer = key_client(manager).post(
        f"{API}/tasks/{brand_task.pk}/ai-captions/", {"tone": "witty", "variants": 2}, format="json"
    )
    assert answer.status_code == 201, answer.content
    assert [v["number"] for v in answer.json()["versions"]] == [2, 3]
    assert all(v["ai_generated"] for v in answer.json()["versions"])
    human = CaptionVersion.objects.get(task=brand_task, number=1)
    assert (human.text, human.ai_generated) == ("my own caption, written by hand", False)
    sent = ai_on.requests[0]
    assert "Always write AURORA in capitals" in sent.user and "Aurora unboxing reel" in sent.user
    assert "2200 characters, with at most 30 hashtags" in sent.system  # Instagram's limits
    usage = AIUsage.objects.get()
    assert (usage.feature, usage.ok, usage.calls, usage.prompt_version) == (
        "caption",
        True,
        1,
        "caption-v1",
    )
    assert usage.prompt_tokens > 0 and usage.user == manager


def test_a_caption_over_the_limit_twice_is_saved_trimmed_and_flagged(ai_on, manager, brand_task):
    over = lambda r: caption_answer(r, length=2400, tags=35)  # noqa: E731
    ai_on.script(over, over)
    answer = key_client(manager).post(
        f"{API}/tasks/{brand_task.pk}/ai-captions/", {}, format="json"
    )
    assert answer.status_code == 201, answer.content
    suggestion = answer.json()["suggestions"][0]
    assert suggestion["trimmed"] and "first 30 of 35 hashtags" in suggestion["flags"][0]
    saved = answer.json()["versions"][0]
    assert len(saved["hashtags"]) == 30
    assert len(saved["text"]) + len(" ".join(f"#{t}" for t in saved["hashtags"])) + 2 <= 2200
    assert AIUsage.objects.get().calls == 2


@pytest.mark.parametrize(
    ("body", "field"), [({"tone": "angry"}, "tone"), ({"variants": 9}, "variants")]
)
def test_bad_caption_input_is_a_400_naming_the_field(ai_on, manager, brand_task, body, field):
    answer = key_client(manager).post(
        f"{API}/tasks/{brand_task.pk}/ai-captions/", body, format="json"
    )
    assert answer.status_code == 400 and field in answer.json()["error"]["fields"]
    assert ai_on.requests == []


def test_without_a_key_the_api_says_ai_is_not_configured(settings, manager, brand_task):
    settings.OPENAI_API_KEY = ""
    answer = key_client(manager).post(
        f"{API}/tasks/{brand_task.pk}/ai-captions/", {}, format="json"
    )
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "ai_not_configured"
    assert "OPENAI_API_KEY" in answer.json()["error"]["message"]
    assert CaptionVersion.objects.filter(task=brand_task).count() == 1


@pytest.mark.parametrize(
    ("replies", "code"),
    [
        ((error(429, "Rate limit", Retry_After="2"),), "ai_unavailable"),
        ((error(502, "Bad gateway"),), "ai_unavailable"),
        ((Reply(delay=1.0),), "ai_unavailable"),
        (("not json", "still not json"), "ai_invalid_answer"),
    ],
)
def test_a_failing_ai_is_a_503_with_the_reason_and_its_usage_recorded(
    ai_on, manager, brand_task, replies, code
):
    comment_make(brand_task, body="Please shorten the intro.")
    ai_on.script(*replies)
    answer = key_client(manager).post(f"{API}/tasks/{brand_task.pk}/summary/", format="json")
    assert answer.status_code == 503, answer.content
    assert answer.json()["error"]["code"] == code
    usage = AIUsage.objects.get(feature="thread_summary")
    assert not usage.ok and usage.error


def test_quality_check_is_stored_cites_guidelines_and_never_blocks_approval(
    ai_on, manager, creator_login
):
    user, creator = creator_login("maya")
    client = ClientFactory(brand_guidelines=GUIDELINES)
    task = task_in(Column.SUBMITTED, creator=creator, campaign=CampaignFactory(client=client))
    api = key_client(manager)
    assert api.get(f"{API}/tasks/{task.pk}/quality-check/").status_code == 404
    checked = api.post(f"{API}/tasks/{task.pk}/quality-check/")
    assert checked.status_code == 201, checked.content
    assert checked.json()["flags"][0]["rule"] == "Always write AURORA in capitals"
    assert checked.json()["flags"][0]["source"] == "guideline"
    assert key_client(user).get(f"{API}/tasks/{task.pk}/quality-check/").json()["flags"]
    assert key_client(user).post(f"{API}/tasks/{task.pk}/quality-check/").status_code == 403
    moved = api.post(f"{API}/tasks/{task.pk}/move/", {"to": "approved"}, format="json")
    assert moved.status_code == 200, moved.content
    assert AIUsage.objects.filter(feature="quality_check", ok=True).count() == 1


def test_the_summary_sees_only_what_the_viewer_may_see(ai_on, manager, creator_login):
    user, creator = creator_login("maya")
    task = task_make(creator=creator)
    shared = comment_make(task, body="Please shorten the intro.")
    internal = comment_make(task, body="Client is difficult", visibility="internal")
    staff = key_client(manager).post(f"{API}/tasks/{task.pk}/summary/")
    assert staff.status_code == 200, staff.content
    assert staff.json()["comments_used"] == 2
    mine = key_client(user).post(f"{API}/tasks/{task.pk}/summary/")
    assert mine.status_code == 200 and mine.json()["comments_used"] == 1
    assert "Client is difficult" not in ai_on.requests[-1].user
    cited = {i for line in mine.json()["decisions"] for i in line["comment_ids"]}
    assert cited == {shared.pk}

    # The model citing the internal comment (which exists) to the creator is refused.
    leak = lambda r: summary_answer(r, extra_ids=(internal.pk,))  # noqa: E731
    ai_on.script(leak, leak)
    refused = key_client(user).post(f"{API}/tasks/{task.pk}/summary/")
    assert refused.status_code == 503
    assert refused.json()["error"]["code"] == "ai_invalid_answer"
    assert str(internal.pk) in refused.json()["error"]["message"]


def test_another_creators_task_is_not_summarised(ai_on, creator_login):
    user, _ = creator_login("maya")
    other = task_make(creator=CreatorFactory())
    comment_make(other, body="secret")
    assert key_client(user).post(f"{API}/tasks/{other.pk}/summary/").status_code == 404
    assert ai_on.requests == []


def test_brief_to_tasks_proposes_then_staff_confirm(ai_on, manager, creator_login):
    user, creator = creator_login("maya")
    campaign = CampaignFactory(brief="Two reels for the Aurora launch.", platforms=["instagram"])
    api = key_client(manager)
    proposal = api.post(
        f"{API}/campaigns/{campaign.pk}/brief-to-tasks/", {"creators": [creator.pk]}, format="json"
    )
    assert proposal.status_code == 200, proposal.content
    items = proposal.json()["deliverables"]
    assert items[0]["creator"] == creator.pk and items[0]["quantity"] == 2
    assert not Deliverable.objects.exists() and not ContentTask.objects.exists()

    kept = [
        {k: v for k, v in items[0].items() if k not in ("creator_name", "quantity")}
        | {"task_titles": ["Teaser reel"]}
    ]
    created = api.post(
        f"{API}/campaigns/{campaign.pk}/brief-to-tasks/confirm/",
        {"deliverables": kept},
        format="json",
    )
    assert created.status_code == 201, created.content
    task = ContentTask.objects.get(pk=created.json()["tasks"][0])
    assert (task.title, task.column, task.campaign, task.creator) == (
        "Teaser reel",
        Column.BACKLOG,
        campaign,
        creator,
    )
    assert task.deliverable.quantity == 1
    assert key_client(user).post(
        f"{API}/campaigns/{campaign.pk}/brief-to-tasks/", {}, format="json"
    ).status_code in (403, 404)


def test_a_bad_confirmation_is_a_400_naming_the_field(ai_on, manager):
    campaign = CampaignFactory(brief="x")
    answer = key_client(manager).post(
        f"{API}/campaigns/{campaign.pk}/brief-to-tasks/confirm/",
        {
            "deliverables": [
                {"creator": 999999, "platform": "myspace", "kind": "reel", "task_titles": ["A"]}
            ]
        },
        format="json",
    )
    assert answer.status_code == 400 and "deliverables" in answer.json()["error"]["fields"]
    assert not ContentTask.objects.exists()


def test_composer_captions_follow_the_platform_and_know_the_media(ai_on, manager):
    video = MediaAssetFactory(created_by=manager)
    answer = key_client(manager).post(
        f"{API}/composer/captions/",
        {
            "brief": "Aurora launch",
            "platform": "tiktok",
            "variants": 2,
            "media": [video.pk],
            "client": ClientFactory(brand_guidelines=GUIDELINES).pk,
        },
        format="json",
    )
    assert answer.status_code == 200, answer.content
    assert len(answer.json()["captions"]) == 2
    assert "TikTok" in ai_on.requests[0].system and '"media"' in ai_on.requests[0].user
    assert AIUsage.objects.get().detail["where"] == "composer"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"brief": "x", "platform": "myspace"}, "platform"),
        ({"brief": "x", "platform": "tiktok", "media": [999999]}, "media"),
        ({"platform": "tiktok"}, "brief"),
    ],
)
def test_bad_composer_input_is_a_400_naming_the_field(ai_on, manager, body, field):
    answer = key_client(manager).post(f"{API}/composer/captions/", body, format="json")
    assert answer.status_code == 400 and field in answer.json()["error"]["fields"]


def test_the_composer_repurposes_a_caption_for_another_platform(ai_on, manager):
    answer = key_client(manager).post(
        f"{API}/composer/captions/",
        {
            "platform": "tiktok",
            "repurpose": {
                "caption": "New AURORA, out now",
                "hashtags": ["AuroraRun"],
                "platform": "instagram",
            },
        },
        format="json",
    )
    assert answer.status_code == 200, answer.content
    sent = ai_on.requests[0]
    assert "written for Instagram, for TikTok" in sent.system
    assert "New AURORA, out now\\n\\n#AuroraRun" in sent.user
    usage = AIUsage.objects.get()
    assert (usage.prompt_version, usage.detail["repurposed_from"]) == (
        "caption-repurpose-v1",
        "instagram",
    )
