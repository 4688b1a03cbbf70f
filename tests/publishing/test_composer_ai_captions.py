"""AI caption suggestions in the composer: the first fills the caption and hashtags, the others
are listed, nothing is scheduled; without a key or with a failing AI the page says why and
keeps working."""

import pytest

from core.models import AIUsage
from publishing.models import ScheduledPost
from tests.ai.fake_openai import error
from tests.publishing.factories import SocialConnectionFactory
from tests.settings_app.factories import ClientFactory

pytestmark = pytest.mark.django_db
COMPOSER = "/admin/publishing/scheduledpost/composer/"


@pytest.fixture
def manager(client, role_user):
    user = role_user("Manager")
    client.force_login(user)
    return user


@pytest.fixture
def ai_on(settings, fake_openai):
    settings.OPENAI_API_KEY = "test-key"
    settings.OPENAI_BASE_URL = fake_openai.url + "/v1"
    settings.OPENAI_MODEL = "gpt-4o-mini"
    settings.AI_TIMEOUT_S = 0.5
    return fake_openai


def suggest(client, **fields):
    data = {
        "caption": "",
        "timezone": "Europe/Berlin",
        "action": "ai_captions",
        "ai_brief": "Aurora running shoe launch",
        "ai_platform": "tiktok",
        "ai_tone": "urgent",
        "ai_variants": "2",
        **fields,
    }
    return client.post(COMPOSER, data)


def test_suggestions_fill_the_caption_and_list_the_others(client, manager, ai_on):
    brand = ClientFactory(brand_guidelines="Always write AURORA in capitals")
    html = suggest(client, ai_client=str(brand.pk)).content.decode()
    assert 'id="ai-suggestions"' in html and html.count("<li>") >= 2
    assert "Hook 1: Aurora running shoe launch" in html.split('id="id_caption"')[1][:300]
    assert 'value="tag10 tag11 tag12"' in html
    request = ai_on.requests[0]
    assert "TikTok" in request.system and "short sentences" in request.system
    assert "Always write AURORA in capitals" in request.user
    assert not ScheduledPost.objects.exists()
    assert AIUsage.objects.get().feature == "caption"


def test_without_a_key_the_composer_says_why_and_still_previews(client, manager, settings):
    settings.OPENAI_API_KEY = ""
    html = client.get(COMPOSER).content.decode()
    assert "AI assistance is off" in html and 'id="action-ai-captions" disabled' in html
    answer = suggest(client, caption="keep me").content.decode()
    assert "OPENAI_API_KEY" in answer and ">keep me</textarea>" in answer
    preview = client.post(
        COMPOSER, {"caption": "hello", "timezone": "Europe/Berlin", "action": "preview"}
    )
    assert preview.status_code == 200 and 'data-preview="instagram"' in preview.content.decode()


def test_a_failing_ai_shows_the_reason_in_the_composer(client, manager, ai_on):
    ai_on.script(error(429, "Rate limit"))
    html = suggest(client).content.decode()
    assert 'id="ai-error"' in html and "busy or did not answer" in html


def test_a_bad_tone_is_named(client, manager, ai_on):
    html = suggest(client, ai_tone="angry").content.decode()
    assert "is not a tone" in html and ai_on.requests == []


def rewrite(client, to, **fields):
    data = {
        "caption": "New AURORA, out now",
        "hashtags": "AuroraRun",
        "timezone": "Europe/Berlin",
        "action": f"ai_rewrite:{to}",
        "ai_platform": "instagram",
        "ai_tone": "casual",
        **fields,
    }
    return client.post(COMPOSER, data)


def test_rewrite_for_another_platform_fills_the_caption_and_saves_nothing(client, manager, ai_on):
    html = rewrite(client, "tiktok").content.decode()
    sent = ai_on.requests[0]
    assert "written for Instagram, for TikTok" in sent.system
    assert "New AURORA, out now\\n\\n#AuroraRun" in sent.user
    caption = html.split('id="id_caption"')[1][:300]
    assert "Hook 1: New AURORA, out now" in caption and 'id="ai-suggestions"' in html
    assert 'value="tag10 tag11 tag12"' in html
    # The rewritten caption is now TikTok's: the next rewrite is from TikTok.
    assert '<option value="tiktok" selected>' in html
    assert 'value="ai_rewrite:instagram"' in html and 'value="ai_rewrite:tiktok"' not in html
    assert not ScheduledPost.objects.exists()
    assert AIUsage.objects.get().detail["repurposed_from"] == "instagram"


def test_rewrite_buttons_follow_the_chosen_accounts(client, manager, ai_on):
    html = client.get(COMPOSER).content.decode()
    assert "Rewrite for TikTok</button>" in html and "Rewrite for YouTube</button>" in html
    assert "Rewrite for Instagram</button>" not in html
    tiktok = SocialConnectionFactory(platform="tiktok", method="tiktok", account__platform="tiktok")
    chosen = client.post(
        COMPOSER,
        {
            "caption": "hi",
            "timezone": "Europe/Berlin",
            "action": "preview",
            "connections": [str(tiktok.pk)],
            "ai_platform": "instagram",
        },
    ).content.decode()
    assert "Rewrite for TikTok</button>" in chosen and "Rewrite for YouTube" not in chosen


def test_rewrite_needs_a_caption_and_another_platform(client, manager, ai_on):
    empty = rewrite(client, "tiktok", caption="").content.decode()
    assert "Write or suggest a caption above" in empty
    same = rewrite(client, "instagram").content.decode()
    assert "already for that platform" in same and ai_on.requests == []


def test_without_a_key_the_rewrite_buttons_are_disabled(client, manager, settings):
    settings.OPENAI_API_KEY = ""
    html = client.get(COMPOSER).content.decode()
    assert 'id="action-ai-rewrite-tiktok" title=' in html
    button = html.split('id="action-ai-rewrite-tiktok"')[1].split(">")[0]
    assert button.endswith(" disabled") and "AI assistance is off" in html
    answer = rewrite(client, "tiktok").content.decode()
    assert "OPENAI_API_KEY" in answer and ">New AURORA, out now</textarea>" in answer
