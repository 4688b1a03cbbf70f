"""The scheduled-posts API: schedule in a local time and zone, list by status, time and account,
edit and cancel until a target is claimed, retry only failed targets, publish now, and the
Idempotency-Key that makes a retried create answer the first post instead of a second one."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.api.idempotency import idempotency_records_purge
from core.models import IdempotencyRecord
from publishing.choices import TargetState
from publishing.models import MediaAsset, PublishTarget, ScheduledPost
from tests.publishing.factories import (
    MediaAssetFactory,
    PublishTargetFactory,
    ScheduledPostFactory,
    SocialConnectionFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/scheduled-posts/"


def an_image():
    # Every platform needs media (publishing.validation); one image, the same for the test.
    return MediaAsset.objects.order_by("pk").first() or MediaAssetFactory()


def body(connections, media=None, **extra):
    media = [an_image()] if media is None else media
    return {
        "caption": "Summer drop",
        "hashtags": ["summer"],
        "media": [m.pk for m in media],
        "connections": [c.pk for c in connections],
        "local_time": "2030-04-02T09:00",
        "timezone": "Europe/Berlin",
        **extra,
    }


def test_a_post_scheduled_at_0900_berlin_is_stored_in_utc_and_shown_in_local_time(api):
    ig, tiktok = (
        SocialConnectionFactory(),
        SocialConnectionFactory(platform="tiktok", method="tiktok"),
    )
    media = [MediaAssetFactory(), MediaAssetFactory()]

    answer = api.post(URL, body([ig, tiktok], media), format="json")

    assert answer.status_code == 201, answer.json()
    data = answer.json()
    assert data["scheduled_at"] == "2030-04-02T07:00:00Z"  # CEST
    assert data["local_time"] == "2030-04-02T09:00" and data["timezone"] == "Europe/Berlin"
    assert data["status"] == "scheduled"
    assert data["media"] == [m.pk for m in media]
    assert sorted(t["platform"] for t in data["targets"]) == ["instagram", "tiktok"]
    assert "access_token" not in str(data)


def test_a_time_skipped_by_daylight_saving_is_refused_with_the_reason(api):
    answer = api.post(
        URL, body([SocialConnectionFactory()], local_time="2030-03-31T02:30"), format="json"
    )

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "nonexistent_local_time"
    assert "local_time" in answer.json()["error"]["fields"]


def test_a_local_time_with_an_offset_or_unknown_ids_are_refused(api):
    connection = SocialConnectionFactory()
    offset = api.post(URL, body([connection], local_time="2030-04-02T09:00+02:00"), format="json")
    unknown = api.post(URL, {**body([connection]), "connections": [999_999]}, format="json")

    assert offset.status_code == 400 and "local_time" in offset.json()["error"]["fields"]
    assert unknown.status_code == 400 and "connections" in unknown.json()["error"]["fields"]
    assert not ScheduledPost.objects.exists()


def test_the_same_idempotency_key_and_body_return_the_first_answer_and_create_one_post(api):
    payload = body([SocialConnectionFactory()])

    first = api.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert ScheduledPost.objects.count() == 1


def test_the_same_idempotency_key_with_another_body_is_refused(api):
    connection = SocialConnectionFactory()
    api.post(URL, body([connection]), format="json", HTTP_IDEMPOTENCY_KEY="k-2")

    other = api.post(
        URL, body([connection], caption="Else"), format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )

    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert ScheduledPost.objects.count() == 1


def test_a_refused_create_does_not_spend_its_idempotency_key(api):
    connection = SocialConnectionFactory()
    bad = api.post(
        URL,
        body([connection], local_time="2030-03-31T02:30"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-3",
    )
    fixed = api.post(URL, body([connection]), format="json", HTTP_IDEMPOTENCY_KEY="k-3")

    assert bad.status_code == 400 and fixed.status_code == 201


def test_the_list_filters_by_status_time_and_account(api):
    soon = ScheduledPostFactory(scheduled_at=datetime(2030, 5, 1, 9, tzinfo=UTC))
    later = ScheduledPostFactory(scheduled_at=datetime(2030, 6, 1, 9, tzinfo=UTC))
    target = PublishTargetFactory(post=soon)
    PublishTargetFactory(post=later, state=TargetState.FAILED)
    PublishTargetFactory(post=soon)  # a second destination: the post stays one row

    def ids(query):
        answer = api.get(URL + query)
        assert answer.status_code == 200, answer.json()
        return [row["id"] for row in answer.json()["results"]]

    assert ids("?status=failed") == [later.pk]
    assert ids("?start=2030-04-01T00:00:00Z&end=2030-05-15T00:00:00Z") == [soon.pk]
    assert ids(f"?account={target.connection.account_id}") == [soon.pk]
    assert api.get(URL + "?status=nonsense").status_code == 400


def test_editing_and_cancelling_stop_once_a_target_is_claimed(api):
    waiting = PublishTargetFactory(post__scheduled_at=timezone.now() + timedelta(days=2))
    claimed = PublishTargetFactory(state=TargetState.PUBLISHING)

    edited = api.patch(
        f"{URL}{waiting.post_id}/",
        {"caption": "New", "local_time": "2030-01-10T18:30"},
        format="json",
    )
    refused = api.patch(f"{URL}{claimed.post_id}/", {"caption": "New"}, format="json")
    cancelled = api.post(f"{URL}{waiting.post_id}/cancel/")
    too_late = api.post(f"{URL}{claimed.post_id}/cancel/")

    assert edited.status_code == 200, edited.json()
    assert edited.json()["caption"] == "New" and edited.json()["local_time"] == "2030-01-10T18:30"
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "conflict"
    assert cancelled.status_code == 200 and cancelled.json()["post"]["status"] == "cancelled"
    assert too_late.status_code == 409
    claimed.refresh_from_db()
    assert claimed.state == TargetState.PUBLISHING


def test_delete_cancels_and_keeps_the_post(api):
    target = PublishTargetFactory()

    assert api.delete(f"{URL}{target.post_id}/").status_code == 204

    target.refresh_from_db()
    assert target.state == TargetState.CANCELLED


def test_retry_schedules_again_only_the_failed_targets(api):
    post = ScheduledPostFactory()
    published = PublishTargetFactory(
        post=post, state=TargetState.PUBLISHED, published_at=timezone.now()
    )
    failed = PublishTargetFactory(post=post, state=TargetState.FAILED, error="Bad media")

    answer = api.post(f"{URL}{post.pk}/retry/")

    assert answer.status_code == 200 and answer.json()["count"] == 1
    states = dict(PublishTarget.objects.values_list("pk", "state"))
    assert states == {published.pk: TargetState.PUBLISHED, failed.pk: TargetState.SCHEDULED}


def test_publish_now_makes_the_targets_due_now(api):
    target = PublishTargetFactory(post__scheduled_at=timezone.now() + timedelta(days=3))
    before = timezone.now()

    answer = api.post(f"{URL}{target.post_id}/publish-now/")

    assert answer.status_code == 200 and answer.json()["count"] == 1
    target.refresh_from_db()
    assert before <= target.next_attempt_at <= timezone.now()
    claimed = PublishTargetFactory(state=TargetState.PUBLISHING)
    assert api.post(f"{URL}{claimed.post_id}/publish-now/").status_code == 409


def test_an_idempotency_key_is_per_user_and_forgotten_after_24_hours(api, role_user):
    payload = body([SocialConnectionFactory()])
    api.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    manager = APIClient()
    manager.force_login(role_user("Manager"))

    theirs = manager.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="shared")

    assert theirs.status_code == 201 and ScheduledPost.objects.count() == 2
    assert idempotency_records_purge(now=timezone.now() + timedelta(hours=25)) == 2
    assert not IdempotencyRecord.objects.exists()


def test_the_schema_documents_the_publishing_endpoints_and_the_idempotency_header(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]

    for path in (
        "/api/v1/scheduled-posts/{id}/retry/",
        "/api/v1/scheduled-posts/{id}/publish-now/",
        "/api/v1/calendar/",
        "/api/v1/connections/{id}/disconnect/",
        "/api/v1/media/{id}/",
    ):
        assert path in paths
    headers = [p["name"] for p in paths[URL]["post"]["parameters"] if p["in"] == "header"]
    assert headers == ["Idempotency-Key"]
