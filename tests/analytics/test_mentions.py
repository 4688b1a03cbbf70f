"""Brand mentions: whole-word, case-insensitive matches of a client's brand terms in tracked
posts' captions and hashtags; an idempotent job; sentiment from the AI when configured."""

import pytest
from rest_framework.test import APIClient

from ai.config import AIConfig
from analytics.mentions import mentions_find, mentions_judge
from analytics.models import Mention
from core.models import AIUsage
from tests.posts.factories import PostFactory
from tests.settings_app.factories import ClientFactory, EditorFactory, UserFactory


@pytest.fixture
def acme(db):
    return ClientFactory(name="Acme", brand_terms="@acme_official\n#AcmeSummer\nacme cola\n")


def test_posts_naming_a_brand_term_become_mentions_whole_word_any_case(acme):
    handle = PostFactory(caption="Thanks @ACME_official for the drinks!")
    tag = PostFactory(caption="sun is out #acmesummer #beach")
    keyword = PostFactory(caption="Trying Acme Cola today.")
    PostFactory(caption="@acme_officially not ours")  # a longer handle
    PostFactory(caption="#AcmeSummerCamp is someone else")  # a longer hashtag
    PostFactory(caption="acmecola without the space")

    report = mentions_find()

    found = set(Mention.objects.values_list("post_id", "term"))
    assert found == {
        (handle.pk, "@acme_official"),
        (tag.pk, "#acmesummer"),
        (keyword.pk, "acme cola"),
    }
    assert report.created == 3
    assert Mention.objects.filter(client=acme, sentiment__isnull=True).count() == 3


def test_running_the_job_twice_creates_no_duplicates(acme):
    PostFactory(caption="@acme_official #acmesummer")
    mentions_find()
    first = Mention.objects.count()

    again = mentions_find()

    assert first == 2
    assert Mention.objects.count() == 2
    assert again.created == 0


def test_without_ai_the_sentiment_stays_empty(acme):
    PostFactory(caption="love acme cola")
    mentions_find()

    report = mentions_judge(config=AIConfig(api_key="", base_url="", model="m"))

    assert report.ok == 0
    assert Mention.objects.get().sentiment is None
    assert not AIUsage.objects.exists()


def test_with_ai_each_mention_gets_a_sentiment_recorded_as_usage(acme, fake_openai):
    PostFactory(caption="I hate acme cola, flat again")
    mentions_find()
    fake_openai.script({"sentiment": "negative"})
    config = AIConfig(
        api_key="k", base_url=fake_openai.url + "/v1", model="gpt-4o-mini", timeout_s=2.0
    )

    report = mentions_judge(config=config)

    mention = Mention.objects.get()
    assert report.ok == 1
    assert mention.sentiment == "negative"
    assert mention.sentiment_model
    usage = AIUsage.objects.get()
    assert usage.feature == "mention_sentiment" and usage.ok
    assert "acme cola" in fake_openai.requests[0].user


def test_the_api_lists_mentions_an_editor_may_see(acme):
    user = UserFactory(roles=["Editor"], is_staff=True)
    mine = PostFactory(caption="acme cola!", editor=EditorFactory(user=user))
    PostFactory(caption="acme cola?", editor=EditorFactory())
    mentions_find()
    owner = UserFactory(roles=["Owner"], is_staff=True)
    api = APIClient()

    api.force_login(owner)
    everything = api.get("/api/v1/analytics/mentions/", {"client": acme.pk}).json()
    api.force_login(user)
    theirs = api.get("/api/v1/analytics/mentions/")

    assert everything["count"] == 2
    assert everything["results"][0]["term"] == "acme cola"
    assert theirs.status_code == 403  # editors have no analytics permission
    assert (
        api.get("/api/v1/analytics/mentions/", {"client": "x"}).status_code == 403
    )  # refused before validation
    api.force_login(owner)
    bad = api.get("/api/v1/analytics/mentions/", {"client": "x"})
    assert bad.status_code == 400 and "client" in bad.json()["error"]["fields"]
    assert mine.pk in {r["post"] for r in everything["results"]}


def test_the_scheduled_job_records_its_run_and_stays_idempotent(acme, settings):
    from operations.jobs import find_mentions
    from operations.models import JobRun
    from operations.schedules import SCHEDULES

    settings.OPENAI_API_KEY = ""
    PostFactory(caption="#AcmeSummer vibes")

    find_mentions()
    find_mentions()

    runs = JobRun.objects.filter(job="find_mentions")
    assert runs.count() == 2 and all(r.status == "succeeded" for r in runs)
    assert sorted(runs.values_list("items_ok", flat=True)) == [0, 1]
    assert Mention.objects.count() == 1
    assert SCHEDULES["find_mentions"]["func"] == "operations.jobs.find_mentions"
    assert SCHEDULES["fetch_audiences"]["func"] == "operations.jobs.fetch_audiences"
