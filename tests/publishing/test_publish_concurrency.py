"""One worker publishes the targets of different connections at once (PUBLISH_CONCURRENCY
threads, each with its own database connection), never two of one connection at once, and each
connection's in due order; against the fake Graph answering every call after a delay, as a real
platform does."""

from datetime import timedelta

import pytest
from django.utils import timezone

from operations.jobs import publish_due_targets
from publishing.choices import MediaKind, TargetState
from publishing.models import PublishTarget
from tests.creators.factories import AccountFactory
from tests.publishing.factories import (
    PublishTargetFactory,
    ScheduledPostFactory,
    SocialConnectionFactory,
)
from tests.publishing.media_samples import image_bytes
from tests.publishing.publish_setup import METHODS, fake_platforms, media_asset

# Threads see only committed rows: these tests commit, like the worker does.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fakes(settings, tmp_path):
    yield from fake_platforms(settings, tmp_path)


@pytest.fixture
def graph(fakes):
    graph = fakes["instagram"]
    graph.latency_s = 0.05
    return graph


def instagram_targets(graph, *, connections: int, each: int) -> dict[str, list[PublishTarget]]:
    """`each` due Instagram image targets on each of `connections` connections (one token per
    connection); the first of a connection is due earliest. Returns {token: targets}."""
    image = media_asset(image_bytes(), kind=MediaKind.IMAGE, mime="image/jpeg")
    now = timezone.now()
    by_token = {}
    for c in range(connections):
        token = f"token-of-connection-{c}"
        graph.tokens.add(token)
        connection = SocialConnectionFactory(
            account=AccountFactory(platform="instagram"),
            platform="instagram",
            method=METHODS["instagram"],
            access_token=token,
        )
        by_token[token] = []
        for n in range(each):
            post = ScheduledPostFactory(
                scheduled_at=now - timedelta(minutes=10 - n), caption=f"c{c} post {n}", hashtags=[]
            )
            post.media_items.create(asset=image, position=0)
            by_token[token].append(PublishTargetFactory(post=post, connection=connection))
    return by_token


def test_targets_of_different_connections_are_published_at_once_within_the_bound(graph, settings):
    settings.PUBLISH_CONCURRENCY = 3
    by_token = instagram_targets(graph, connections=6, each=1)
    publish_due_targets()
    targets = [t for ts in by_token.values() for t in ts]
    assert set(PublishTarget.objects.values_list("state", flat=True)) == {TargetState.PUBLISHED}
    assert len(graph.posts) == len(targets) == 6
    assert 2 <= graph.most_in_flight <= 3


def test_one_connections_targets_never_overlap_and_go_out_oldest_due_first(graph, settings):
    settings.PUBLISH_CONCURRENCY = 4
    by_token = instagram_targets(graph, connections=2, each=3)
    publish_due_targets()
    assert len(graph.posts) == 6
    assert graph.most_in_flight >= 2  # the two connections went out side by side
    assert graph.most_in_flight_per_token == 1
    for token, targets in by_token.items():
        posted = [p["caption"] for p in graph.posts if p["token"] == token]
        assert posted == [t.post.caption for t in targets]


def test_with_a_concurrency_of_one_targets_go_out_one_after_another(graph, settings):
    settings.PUBLISH_CONCURRENCY = 1
    instagram_targets(graph, connections=3, each=1)
    publish_due_targets()
    assert len(graph.posts) == 3
    assert graph.most_in_flight == 1
