"""Instagram's own quota count: the publisher keeps its last `content_publishing_limit` answer
in the connection's meta, and the connections page and the daily budgets show it (posts made
outside CreatorOps count too) when it knows of at least as many posts as we do."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from operations.jobs import publish_due_targets
from publishing.choices import MediaKind, TargetState
from publishing.models import SocialConnection
from publishing.queries import connection_budgets, platform_quota_day
from tests.publishing.factories import PublishTargetFactory, ScheduledPostFactory
from tests.publishing.media_samples import image_bytes
from tests.publishing.publish_setup import due_target, fake_platforms, media_asset

pytestmark = pytest.mark.django_db

BOARD = "admin:publishing_connections"


@pytest.fixture
def fakes(settings, tmp_path):
    yield from fake_platforms(settings, tmp_path)


@pytest.fixture
def graph(fakes):
    graph = fakes["instagram"]
    graph.quota_total = 50
    # Eleven posts the creator made from the phone today: only Instagram knows of them.
    for n in range(11):
        graph.create_post(caption=f"from the phone {n}", token="someone")
    return graph


@pytest.fixture
def manager_client(client, role_user):
    client.force_login(role_user("Manager"))
    return client


def image_target():
    return due_target(
        "instagram", media_asset(image_bytes(), kind=MediaKind.IMAGE, mime="image/jpeg")
    )


def test_publishing_keeps_instagrams_last_quota_answer_in_the_connection(graph):
    target = image_target()
    before = timezone.now()
    publish_due_targets()
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    known = SocialConnection.objects.get(pk=target.connection_id).meta["content_publishing_limit"]
    assert (known["quota_usage"], known["quota_total"], known["quota_duration"]) == (11, 50, 86400)
    assert before <= timezone.datetime.fromisoformat(known["read_at"]) <= timezone.now()
    assert target.connection.meta.get("ig_user_id") == SocialConnection.objects.get(
        pk=target.connection_id
    ).meta.get("ig_user_id")  # the other keys of meta are kept


def test_the_connections_page_shows_instagrams_count_with_our_post_since(graph, manager_client):
    image_target()
    publish_due_targets()
    read_at = timezone.localtime(
        timezone.datetime.fromisoformat(
            SocialConnection.objects.get().meta["content_publishing_limit"]["read_at"]
        )
    )
    page = manager_client.get(reverse(BOARD)).content.decode()
    assert (
        f"12 of 50 posts used in the last 24 h: 11 as Instagram reported at "
        f"{read_at:%H:%M}, 1 since"
    ) in page
    assert "1 posted in 24 h" not in page


def test_a_reading_with_nothing_published_since_is_shown_as_instagram_said_it(manager_client):
    at = timezone.now() - timedelta(hours=2)
    connection = due_target("instagram").connection
    connection.meta = {
        "content_publishing_limit": {
            "quota_usage": 12,
            "quota_total": 50,
            "quota_duration": 86400,
            "read_at": at.isoformat(),
        }
    }
    connection.save(update_fields=["meta"])
    page = manager_client.get(reverse(BOARD)).content.decode()
    expected = (
        f"12 of 50 posts used in the last 24 h, as Instagram reported at "
        f"{timezone.localtime(at):%H:%M}"
    )
    assert expected in page


def test_a_reading_older_than_its_window_gives_way_to_our_own_count(manager_client):
    connection = due_target("instagram").connection
    connection.meta = {
        "content_publishing_limit": {
            "quota_usage": 12,
            "quota_total": 50,
            "quota_duration": 86400,
            "read_at": (timezone.now() - timedelta(hours=25)).isoformat(),
        }
    }
    connection.save(update_fields=["meta"])
    page = manager_client.get(reverse(BOARD)).content.decode()
    assert "0 posted in 24 h; remaining unknown" in page
    assert "as Instagram reported" not in page


def test_todays_budget_counts_instagrams_posts_and_what_is_still_to_go_out(graph, api):
    target = image_target()
    publish_due_targets()
    connection = SocialConnection.objects.get(pk=target.connection_id)
    later = ScheduledPostFactory(scheduled_at=timezone.now() + timedelta(minutes=5))
    PublishTargetFactory(post=later, connection=connection)
    today = platform_quota_day("instagram", timezone.now())

    budget = connection_budgets(connections=[connection], days=[today])[(connection.pk, today)]
    # 11 from the phone + ours published + the one still to go out today.
    assert (budget.limit, budget.used, budget.remaining) == (50, 13, 37)
    answer = api.get(f"/api/v1/connections/{connection.pk}/budget/").json()
    assert answer["used"] == 13 and answer["remaining"] == 37
    assert answer["platform_reading"]["reported"] == 11
    assert answer["platform_reading"]["since"] == 1
    assert answer["platform_reading"]["total"] == 50


def test_another_days_budget_is_our_own_count(graph, api):
    target = image_target()
    publish_due_targets()
    connection = SocialConnection.objects.get(pk=target.connection_id)
    tomorrow = platform_quota_day("instagram", timezone.now()) + timedelta(days=1)
    budget = connection_budgets(connections=[connection], days=[tomorrow])[
        (connection.pk, tomorrow)
    ]
    assert (budget.used, budget.reported) == (0, None)
