"""AI assistance on the task page: captions saved as AI versions, the stored quality check
shown before approval, a summary as messages; a disabled or failing AI says why and the rest
of the page (moves, comments) works."""

import pytest
from django.test import Client
from django.urls import reverse

from core.models import AIUsage
from tests.ai.fake_openai import error
from tests.settings_app.factories import ClientFactory
from tests.workflow.conftest import task_in
from tests.workflow.factories import CampaignFactory, comment_make
from workflow.choices import Column
from workflow.models import CaptionVersion

pytestmark = pytest.mark.django_db
GUIDELINES = "Always write AURORA in capitals\nNo competitor names"


@pytest.fixture
def ai_on(settings, fake_openai):
    settings.OPENAI_API_KEY = "test-key"
    settings.OPENAI_BASE_URL = fake_openai.url + "/v1"
    settings.OPENAI_MODEL = "gpt-4o-mini"
    settings.AI_TIMEOUT_S = 0.5
    return fake_openai


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(task):
    return reverse("admin:workflow_contenttask_change", args=[task.pk])


def act(task):
    return reverse("admin:workflow_task_act", args=[task.pk])


@pytest.fixture
def task(db):
    client = ClientFactory(brand_guidelines=GUIDELINES)
    return task_in(Column.SUBMITTED, campaign=CampaignFactory(client=client))


def test_suggest_captions_adds_ai_versions_shown_with_the_ai_badge(ai_on, staff, task):
    done = _client(staff).post(
        act(task), {"what": "ai_captions", "tone": "casual", "variants": "2"}, follow=True
    )
    html = done.content.decode()
    assert "AI captions saved as v2, v3" in html
    assert list(CaptionVersion.objects.filter(task=task).values_list("number", "ai_generated")) == [
        (3, True),
        (2, True),
        (1, False),
    ]
    assert html.count('<span class="wf-badge">AI</span>') == 2


def test_the_quality_check_is_shown_on_the_page_and_approval_still_works(ai_on, staff, task):
    client = _client(staff)
    client.post(act(task), {"what": "quality_check"})
    html = client.get(page(task)).content.decode()
    assert 'id="ai-check"' in html and "Always write AURORA in capitals" in html
    assert "(guideline)" in html and "Not checked." not in html
    moved = client.post(act(task), {"what": "move", "to": "approved"}, follow=True)
    assert "Moved to Approved" in moved.content.decode()


def test_the_summary_is_shown_with_the_comment_ids(ai_on, staff, task):
    first = comment_make(task, author=staff, body="Use the second hook")
    done = _client(staff).post(act(task), {"what": "summary"}, follow=True)
    html = done.content.decode()
    assert "Decision: Go with the first draft." in html and f"#{first.pk}" in html


def test_without_a_key_the_page_says_why_and_everything_else_works(settings, staff, task):
    settings.OPENAI_API_KEY = ""
    client = _client(staff)
    html = client.get(page(task)).content.decode()
    assert "AI assistance is off" in html and "OPENAI_API_KEY" in html
    assert 'data-to="approved"' in html and 'id="comment-form"' in html
    refused = client.post(act(task), {"what": "ai_captions"}, follow=True).content.decode()
    assert "OPENAI_API_KEY" in refused
    assert client.post(act(task), {"what": "comment", "body": "Still works"}).status_code == 302
    assert task.comments.filter(body="Still works").exists()


def test_a_failing_ai_shows_the_reason_and_records_it(ai_on, staff, task):
    ai_on.script(error(503, "Overloaded"))
    done = _client(staff).post(act(task), {"what": "quality_check"}, follow=True)
    assert done.status_code == 200
    assert "busy or did not answer" in done.content.decode()
    assert AIUsage.objects.get().ok is False


def test_a_creator_login_sees_no_quality_check_button(ai_on, creator_login):
    user, creator = creator_login("maya")
    mine = task_in(Column.IN_PROGRESS, creator=creator)
    html = _client(user).get(page(mine)).content.decode()
    assert 'id="ai-captions-form"' in html and 'id="ai-check-form"' not in html
    refused = _client(user).post(act(mine), {"what": "quality_check"}, follow=True)
    assert "run by staff" in refused.content.decode()


def test_repurposing_the_latest_caption_adds_an_ai_version_for_the_task_platform(
    ai_on, staff, task
):
    html = _client(staff).get(page(task)).content.decode()
    form = html.split('id="ai-repurpose-form"')[1].split("</form>")[0]
    assert "Repurpose latest caption for Instagram</button>" in form
    assert '<option value="tiktok">TikTok</option>' in form and 'value="instagram"' not in form
    done = _client(staff).post(
        act(task),
        {"what": "ai_repurpose", "source_platform": "tiktok", "tone": "witty"},
        follow=True,
    )
    assert "Latest caption repurposed for Instagram, saved as v2" in done.content.decode()
    sent = ai_on.requests[0]
    assert "written for TikTok, for Instagram" in sent.system and "Caption v1" in sent.user
    assert list(
        CaptionVersion.objects.filter(task=task).values_list("number", "ai_generated", "text")
    ) == [(2, True, CaptionVersion.objects.get(task=task, number=2).text), (1, False, "Caption v1")]
    assert CaptionVersion.objects.get(task=task, number=2).text.startswith("Hook 1:")
    usage = AIUsage.objects.get()
    assert (usage.prompt_version, usage.detail["repurposed_from"]) == (
        "caption-repurpose-v1",
        "tiktok",
    )


def test_repurposing_from_the_task_platform_itself_is_refused(ai_on, staff, task):
    done = _client(staff).post(
        act(task), {"what": "ai_repurpose", "source_platform": "instagram"}, follow=True
    )
    assert "Pick the other platform" in done.content.decode() and ai_on.requests == []
    assert CaptionVersion.objects.filter(task=task).count() == 1


def test_without_a_key_the_repurpose_button_is_disabled_and_says_why(settings, staff, task):
    settings.OPENAI_API_KEY = ""
    client = _client(staff)
    html = client.get(page(task)).content.decode()
    form = html.split('id="ai-repurpose-form"')[1].split("</form>")[0]
    assert 'class="button" disabled>Repurpose latest caption for Instagram' in form
    assert "AI assistance is off" in html
    refused = client.post(
        act(task), {"what": "ai_repurpose", "source_platform": "tiktok"}, follow=True
    ).content.decode()
    assert "OPENAI_API_KEY" in refused and CaptionVersion.objects.filter(task=task).count() == 1
