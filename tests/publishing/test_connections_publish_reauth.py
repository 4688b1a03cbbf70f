"""A token the platform refuses while publishing (Graph 190): one refresh and one more try,
then needs_reauth. Through the real job, the fake Graph publisher and the fake OAuth server."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.choices import NotificationKind
from notifications.models import Notification
from operations.jobs import publish_due_targets
from publishing.choices import ConnectionStatus, TargetState
from tests.platforms.oauth_fakes import FakeOAuth
from tests.publishing.publish_setup import due_target, fake_platforms, media_asset
from tests.settings_app.factories import UserFactory

pytestmark = pytest.mark.django_db

VIDEO = bytes(range(256)) * 4096


@pytest.fixture
def fakes(settings, tmp_path):
    server = FakeOAuth().start()
    server.point_settings(settings)
    platforms = fake_platforms(settings, tmp_path)
    found = next(platforms)  # points the publishers back at the publishing fakes
    yield {**found, "oauth": server}
    server.stop()
    next(platforms, None)


def test_a_refused_instagram_token_is_refreshed_once_and_the_post_goes_out(fakes):
    graph, server = fakes["instagram"], fakes["oauth"]
    target = due_target("instagram", media_asset(VIDEO), token="old-token")
    server.access["old-token"] = "instagram_login"  # valid for a refresh, refused by Graph
    publish_due_targets()
    target.refresh_from_db()
    connection = target.connection
    connection.refresh_from_db()
    assert target.state == TargetState.SCHEDULED and target.retries == 1
    assert connection.status == ConnectionStatus.CONNECTED
    assert connection.access_token != "old-token" and server.count("ig.refresh") == 1
    graph.token = connection.access_token  # the platform takes the new token
    publish_due_targets(now=timezone.now() + timedelta(minutes=5))
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    assert len(graph.posts) == 1


def test_a_token_refused_again_after_its_refresh_needs_a_reconnect_with_one_notice(
    fakes, django_capture_on_commit_callbacks
):
    manager = UserFactory(roles=["Manager"])
    server = fakes["oauth"]
    target = due_target("instagram", media_asset(VIDEO), token="old-token")
    server.access["old-token"] = "instagram_login"
    with django_capture_on_commit_callbacks(execute=True):
        publish_due_targets()
        publish_due_targets(now=timezone.now() + timedelta(minutes=5))
        publish_due_targets(now=timezone.now() + timedelta(minutes=10))
    target.refresh_from_db()
    target.connection.refresh_from_db()
    assert target.state == TargetState.NEEDS_REAUTH
    assert target.connection.status == ConnectionStatus.NEEDS_REAUTH
    assert server.count("ig.refresh") == 1
    notices = Notification.objects.filter(
        kind=NotificationKind.CONNECTION_NEEDS_REAUTH, user=manager
    )
    assert notices.count() == 1
    assert fakes["instagram"].posts == []
