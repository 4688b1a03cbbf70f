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


def _find_mentions_job():
    from operations.jobs import find_mentions

    return find_mentions()


def _age(*posts):
    # Written an hour ago: outside the overlap the job gives a slow transaction.
    from datetime import timedelta

    from django.utils import timezone

    from posts.models import Post

    Post.objects.filter(pk__in=[p.pk for p in posts]).update(
        updated_at=timezone.now() - timedelta(hours=1)
    )


def _captions_scanned(captured) -> int:
    """How many scanning statements of the job read captions (the regular-expression ones)."""
    return sum(
        1
        for q in captured.captured_queries
        if "posts_post" in q["sql"] and ("REGEXP" in q["sql"] or "~*" in q["sql"])
    )


def test_the_hourly_job_finds_a_post_added_after_its_first_run(acme):
    old = PostFactory(caption="acme cola at the beach")
    _find_mentions_job()
    _age(old)

    new = PostFactory(caption="more #acmesummer please")
    _find_mentions_job()

    assert set(Mention.objects.values_list("post_id", "term")) == {
        (old.pk, "acme cola"),
        (new.pk, "#acmesummer"),
    }


def test_a_post_already_scanned_is_not_read_again(acme):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from posts.models import Post

    old = PostFactory(caption="nothing about the brand")
    _find_mentions_job()
    _age(old)
    # Were the old post read again, this caption (changed behind the job's back, as a raw
    # UPDATE would) would be found.
    Post.objects.filter(pk=old.pk).update(caption="acme cola after all")

    with CaptureQueriesContext(connection) as captured:
        _find_mentions_job()

    assert not Mention.objects.exists()
    assert _captions_scanned(captured) == 3  # one per term, each over the new posts only


def test_an_edited_caption_is_scanned_again(acme):
    post = PostFactory(caption="nothing yet")
    _find_mentions_job()
    _age(post)

    post.caption = "now with @acme_official"
    post.save()
    _find_mentions_job()

    assert list(Mention.objects.values_list("post_id", "term")) == [(post.pk, "@acme_official")]


def test_a_brand_term_added_later_finds_the_old_posts(acme):
    old = PostFactory(caption="the acme sparkle edition")
    _find_mentions_job()
    _age(old)
    assert not Mention.objects.exists()

    acme.brand_terms += "\nAcme Sparkle"
    acme.save()
    _find_mentions_job()
    _find_mentions_job()

    assert list(Mention.objects.values_list("post_id", "term")) == [(old.pk, "acme sparkle")]


def test_a_scan_cut_short_goes_on_from_its_last_batch(acme, monkeypatch):
    from analytics import mentions

    monkeypatch.setattr(mentions, "BATCH", 2)
    posts = [PostFactory(caption=f"acme cola no. {i}") for i in range(5)]
    calls = {"n": 0}
    real_insert = mentions._insert

    def insert_then_crash(batch):
        calls["n"] += bool(batch)
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        real_insert(batch)

    monkeypatch.setattr(mentions, "_insert", insert_then_crash)
    with pytest.raises(RuntimeError):
        mentions_find()
    assert Mention.objects.count() == 2  # the first batch and its marker were committed

    monkeypatch.setattr(mentions, "_insert", real_insert)
    mentions_find()

    assert set(Mention.objects.values_list("post_id", flat=True)) == {p.pk for p in posts}
