"""Insight cards: the top 3 posts relative to their account's median, the facts they share, and
the AI's two sentences when configured (checked against the facts), else the facts alone."""

import json
from datetime import UTC, date, datetime

import pytest

from analytics.insights import NOT_CONFIGURED, REJECTED, insight_card
from analytics.models import DailyPostMetric
from analytics.reports.scope import scope_get
from core.models import AIUsage
from settings_app.models import Client
from tests.analytics.reporting import MARCH, agency
from tests.creators.factories import AccountFactory
from tests.posts.factories import PostFactory


@pytest.fixture
def world(db):
    return agency()


@pytest.fixture
def ai_on(settings, fake_openai):
    settings.OPENAI_API_KEY = "test-key"
    settings.OPENAI_BASE_URL = fake_openai.url + "/v1"
    settings.OPENAI_MODEL = "gpt-4o-mini"
    settings.AI_TIMEOUT_S = 1.0
    return fake_openai


def answer(text: str) -> dict:
    return {"explanation": text}


def test_the_top_posts_are_ranked_against_their_own_accounts_median(world):
    card = insight_card(scope_get("client", world["client"].pk), *MARCH, explain=False)

    assert [top.post for top in card.posts] == world["stars"]
    # Instagram's median is 1 100 (900 … 1 200 and the star); TikTok's is 3 000.
    assert [top.views_gained for top in card.posts] == [50_000, 30_000, 24_000]
    assert [top.times_median for top in card.posts] == [45.5, 10.0, 8.0]


def test_the_card_names_what_the_top_posts_share(world):
    card = insight_card(scope_get("client", world["client"].pk), *MARCH, explain=False)

    assert "3 of 3: category Finance" in card.shared
    assert "3 of 3: sub-category Investing" in card.shared
    assert "3 of 3: reel style Talking Head" in card.shared
    assert "3 of 3: length 15–30 s" in card.shared
    assert "3 of 3: posted at 18:00" in card.shared


def test_without_ai_the_card_shows_the_facts_and_says_ai_is_not_configured(world, settings):
    settings.OPENAI_API_KEY = ""
    card = insight_card(scope_get("client", world["client"].pk), *MARCH)

    assert card.explanation == ""
    assert card.note == NOT_CONFIGURED
    assert len(card.posts) == 3 and card.shared
    assert not AIUsage.objects.exists()


def test_the_ai_explains_from_the_facts_and_its_usage_is_recorded(world, ai_on):
    text = (
        "All 3 top posts were Talking Head Finance reels of 15–30 s posted at 18:00. "
        "The best one gained 50000 views, 45.5 times its account's median."
    )
    ai_on.script(answer(text))

    card = insight_card(scope_get("client", world["client"].pk), *MARCH)

    assert card.explanation == text
    assert "Talking Head" in ai_on.requests[0].user
    usage = AIUsage.objects.get()
    assert (usage.feature, usage.ok, usage.calls) == ("insight", True, 1)
    assert usage.prompt_tokens > 0


def test_a_number_not_among_the_facts_is_rejected_and_retried_once(world, ai_on):
    ai_on.script(
        answer("These posts gained 73% more views. Viewers love Finance."),
        answer("All 3 were Talking Head Finance reels. They were posted at 18:00."),
    )

    card = insight_card(scope_get("client", world["client"].pk), *MARCH)

    assert card.explanation == "All 3 were Talking Head Finance reels. They were posted at 18:00."
    retry = ai_on.requests[1].messages[-1]["content"]
    assert "73" in retry and "not among the facts" in retry
    assert AIUsage.objects.get().calls == 2


def test_two_bad_answers_leave_the_facts_alone_and_record_the_failure(world, ai_on):
    ai_on.script(answer("They grew 999 followers."), answer("One. Two. Three sentences."))

    card = insight_card(scope_get("client", world["client"].pk), *MARCH)

    assert card.explanation == ""
    assert card.note == REJECTED
    assert len(card.posts) == 3
    usage = AIUsage.objects.get()
    assert usage.feature == "insight" and not usage.ok and "sentences" in usage.error
    assert json.loads(json.dumps(usage.detail)) == {}


def test_an_even_number_of_posts_takes_the_mean_of_the_two_middle_ones(db):
    from tests.analytics.reporting import post_gaining
    from tests.creators.factories import AccountFactory, CreatorFactory

    creator = CreatorFactory(display_name="Maya")
    account = AccountFactory(creator=creator)
    for gained in (100, 200, 300, 5_000):
        post_gaining(account, gained)

    card = insight_card(scope_get("creator", creator.pk), *MARCH, explain=False)

    # Median of 100, 200, 300, 5 000 is 250.
    assert [(top.views_gained, top.median) for top in card.posts] == [
        (5_000, 250.0),
        (300, 250.0),
        (200, 250.0),
    ]
    assert card.posts[0].times_median == 20.0


def test_a_post_that_gained_nothing_counts_as_0_in_its_accounts_median(db):
    from datetime import UTC, date, datetime

    from analytics.models import DailyPostMetric
    from tests.analytics.reporting import post_gaining
    from tests.creators.factories import AccountFactory, CreatorFactory
    from tests.posts.factories import PostFactory

    creator = CreatorFactory(display_name="Maya")
    account = AccountFactory(creator=creator)
    for gained in (100, 200, 5_000):
        post_gaining(account, gained)
    # Tracked, but it did not move in March: no rollup row there.
    still = PostFactory(account=account, post_date=datetime(2026, 2, 3, tzinfo=UTC), views=700)
    DailyPostMetric.objects.create(
        post=still, account=account, date=date(2026, 2, 3), views_gained=700
    )
    # Published after the period: not among the account's posts of March.
    PostFactory(account=account, post_date=datetime(2026, 4, 2, tzinfo=UTC), views=10)

    card = insight_card(scope_get("creator", creator.pk), *MARCH, explain=False)

    # Median of 0, 100, 200, 5 000 is 150 (it would be 200 without the post that stood still).
    assert [(top.views_gained, top.median) for top in card.posts] == [
        (5_000, 150.0),
        (200, 150.0),
        (100, 150.0),
    ]
    assert card.posts[0].times_median == 33.3


def _post_with_days(account, march_gains, **fields):
    """A counted post published in February whose March rollup rows gained `march_gains` views
    (one row a day; none: it did not move in March)."""
    post = PostFactory(
        account=account,
        username=account.username,
        post_date=datetime(2026, 2, 20, 12, tzinfo=UTC),
        views=fields.pop("views", 5000),
        **fields,
    )
    DailyPostMetric.objects.bulk_create(
        DailyPostMetric(post=post, account=account, date=date(2026, 3, 2 + n), views_gained=g)
        for n, g in enumerate(march_gains)
    )
    return post


def test_the_median_counts_posts_that_lost_views_did_not_move_or_evened_out(db):
    client = Client.objects.create(name="Medians")
    odd = AccountFactory(client=client, username="odd")
    even = AccountFactory(client=client, username="even", url="https://www.instagram.com/even/")
    # `odd`: -300, -200 (two days), -100, 0 (no March row), 5 000: the median is -100.
    for gains in ([-300], [-250, 50], [-100], [], [5000]):
        _post_with_days(odd, gains)
    # Not in any median: hidden views in March, a trial, a post whose views are not shown.
    _post_with_days(odd, [None])
    _post_with_days(odd, [9000], is_trial=True, trial_status="pending")
    _post_with_days(odd, [9000], views=None)
    # `even`: -40, 0 (no March row), 0 (+100 then -100), 20, 60, 900: the median is 10.
    for gains in ([-40], [], [100, -100], [20], [60], [900]):
        _post_with_days(even, gains)

    card = insight_card(scope_get("client", client.pk), *MARCH, explain=False)

    assert [(top.views_gained, top.median, top.times_median) for top in card.posts] == [
        (5000, -100.0, 5000.0),
        (900, 10.0, 90.0),
        (60, 10.0, 6.0),
    ]
