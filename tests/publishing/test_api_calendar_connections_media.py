"""The calendar's compact rows over a bounded range, connections listed without tokens and
disconnected softly, and the media library whose unused items may be deleted."""

from datetime import UTC, datetime

import pytest

from publishing.choices import ConnectionStatus, TargetState
from publishing.models import MediaAsset
from tests.publishing.factories import (
    MediaAssetFactory,
    PublishTargetFactory,
    ScheduledPostFactory,
    SocialConnectionFactory,
)

pytestmark = pytest.mark.django_db


def test_the_calendar_answers_compact_rows_in_local_time_for_the_range(api):
    post = ScheduledPostFactory(scheduled_at=datetime(2030, 7, 1, 7, tzinfo=UTC))
    PublishTargetFactory(post=post)
    PublishTargetFactory(post=post, connection__platform="tiktok", connection__method="tiktok")
    ScheduledPostFactory(scheduled_at=datetime(2030, 9, 1, 7, tzinfo=UTC))

    answer = api.get("/api/v1/calendar/?start=2030-07-01T00:00:00Z&end=2030-08-01T00:00:00Z")

    assert answer.status_code == 200, answer.json()
    assert answer.json()["results"] == [
        {
            "id": post.pk,
            "local_time": "2030-07-01T09:00",
            "timezone": "Europe/Berlin",
            "scheduled_at": "2030-07-01T07:00:00Z",
            "platforms": ["instagram", "tiktok"],
            "status": "scheduled",
        }
    ]


def test_the_calendar_refuses_a_range_over_62_days_or_without_bounds(api):
    too_long = api.get("/api/v1/calendar/?start=2030-01-01T00:00:00Z&end=2030-04-01T00:00:00Z")
    missing = api.get("/api/v1/calendar/?start=2030-01-01T00:00:00Z")

    assert too_long.status_code == 400
    assert too_long.json()["error"]["code"] == "range_too_long"
    assert missing.status_code == 400 and "end" in missing.json()["error"]["fields"]


def test_connections_are_listed_without_their_tokens(api):
    connection = SocialConnectionFactory(access_token="secret-a", refresh_token="secret-r")

    answer = api.get("/api/v1/connections/")

    assert answer.status_code == 200
    assert [row["id"] for row in answer.json()["results"]] == [connection.pk]
    assert "secret" not in answer.content.decode()


def test_disconnecting_clears_the_tokens_keeps_the_history_and_holds_the_targets(api):
    target = PublishTargetFactory(connection__refresh_token="r")
    published = PublishTargetFactory(connection=target.connection, state=TargetState.FAILED)

    answer = api.post(f"/api/v1/connections/{target.connection_id}/disconnect/")

    assert answer.status_code == 200 and answer.json()["status"] == "disconnected"
    connection = target.connection
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.DISCONNECTED
    assert connection.access_token == "" and connection.refresh_token == ""
    target.refresh_from_db()
    published.refresh_from_db()
    assert target.state == TargetState.NEEDS_REAUTH
    assert published.state == TargetState.FAILED


def test_media_list_and_only_unused_media_may_be_deleted(api):
    unused, used = MediaAssetFactory(), MediaAssetFactory()
    ScheduledPostFactory().media_items.create(asset=used, position=0)

    listed = api.get("/api/v1/media/")
    in_use = api.delete(f"/api/v1/media/{used.pk}/")
    deleted = api.delete(f"/api/v1/media/{unused.pk}/")

    assert {row["id"] for row in listed.json()["results"]} == {unused.pk, used.pk}
    assert in_use.status_code == 409 and in_use.json()["error"]["code"] == "media_in_use"
    assert deleted.status_code == 204
    assert list(MediaAsset.objects.values_list("pk", flat=True)) == [used.pk]
