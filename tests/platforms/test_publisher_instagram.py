"""The Instagram publisher against the fake Graph server: containers, status polling,
media_publish (the commit call), limits, permalinks, and each error mapped to its action."""

import pytest

from platforms.publishers.errors import (
    Defer,
    Final,
    NewContainer,
    OutcomeUnknown,
    Reauth,
    Retry,
)
from platforms.publishers.instagram import InstagramPublisher
from tests.platforms.publish_fakes import TOKEN, FakeGraph, Fault, point_settings_at

USER = "17841405822304914"


@pytest.fixture
def graph(settings):
    fake = FakeGraph().start()
    point_settings_at(settings, fake)
    yield fake
    fake.stop()


@pytest.fixture
def client(graph):
    return InstagramPublisher(graph.url + "/v21.0", TOKEN)


def test_a_reel_is_created_polled_and_published_once(graph, client):
    graph.in_progress_polls = 2
    container = client.create_video_container(USER, "https://media.example/r.mp4", caption="Hi")
    slept = []
    status = client.wait_for_container(container, interval=60, sleep=slept.append)
    media_id = client.publish(USER, container)
    assert status.ready and slept == [60, 60]
    assert [p["id"] for p in graph.posts] == [media_id]
    assert graph.posts[0]["media_type"] == "REELS" and graph.posts[0]["caption"] == "Hi"
    assert client.media(media_id).permalink == f"https://www.instagram.com/p/C{media_id}/"


def test_an_image_is_published(graph, client):
    container = client.create_image_container(USER, "https://media.example/a.jpg", caption="A")
    client.publish(USER, container)
    assert graph.posts[0]["image_url"] == "https://media.example/a.jpg"


def test_a_carousel_is_one_post_over_its_items(graph, client):
    items = [
        client.create_image_container(USER, "https://media.example/1.jpg", carousel_item=True),
        client.create_video_container(USER, "https://media.example/2.mp4", carousel_item=True),
    ]
    carousel = client.create_carousel_container(USER, items, caption="Two")
    client.publish(USER, carousel)
    assert len(graph.posts) == 1
    assert graph.posts[0]["children"] == ",".join(items)
    assert graph.containers[items[0]]["params"]["is_carousel_item"] == "true"
    assert client.publishing_limit(USER).quota_usage == 1


def test_a_container_still_in_progress_after_five_looks_is_retried_later(graph, client):
    graph.in_progress_polls = 10
    container = client.create_video_container(USER, "https://media.example/r.mp4")
    with pytest.raises(Retry):
        client.wait_for_container(container, sleep=lambda s: None)
    assert graph.count("status") == 5


@pytest.mark.parametrize("code", ["EXPIRED", "ERROR"])
def test_an_expired_or_failed_container_asks_for_a_new_one(graph, client, code):
    container = client.create_image_container(USER, "https://media.example/a.jpg")
    graph.containers[container]["status_code"] = code
    with pytest.raises(NewContainer):
        client.wait_for_container(container, sleep=lambda s: None)


@pytest.mark.parametrize("drop", [False, True])
def test_a_lost_publish_answer_is_outcome_unknown_and_never_repeated(graph, client, drop):
    container = client.create_image_container(USER, "https://media.example/a.jpg")
    graph.fail("publish", Fault(after_commit=True, drop=drop, late_s=2.0))
    with pytest.raises(OutcomeUnknown):
        client.publish(USER, container)
    assert graph.count("publish") == 1
    assert len(graph.posts) == 1
    # Reconciliation: the container says it is published; nothing is sent again.
    assert client.container_status(container).published


def test_a_5xx_to_publish_is_outcome_unknown_and_not_repeated(graph, client):
    container = client.create_image_container(USER, "https://media.example/a.jpg")
    graph.fail("publish", Fault(500, {"error": {"message": "boom", "code": 2}}))
    with pytest.raises(OutcomeUnknown):
        client.publish(USER, container)
    assert graph.count("publish") == 1


def test_a_5xx_to_a_read_is_retried_by_the_client(graph, client):
    container = client.create_image_container(USER, "https://media.example/a.jpg")
    graph.fail("status", Fault(503), Fault(502))
    assert client.container_status(container).ready
    assert graph.count("status") == 3


def test_a_lost_container_answer_is_a_plain_retry(graph, client):
    graph.fail("create", Fault(after_commit=True, late_s=2.0))
    with pytest.raises(Retry) as caught:
        client.create_image_container(USER, "https://media.example/a.jpg")
    assert not isinstance(caught.value, OutcomeUnknown)
    assert graph.posts == []


def test_a_refused_token_asks_for_reauth_with_the_platform_message(graph, client):
    graph.token = "another"
    with pytest.raises(Reauth) as caught:
        client.publishing_limit(USER)
    assert caught.value.code == 190
    assert "Session has expired" in str(caught.value)


def test_429_honours_retry_after(graph, client):
    graph.fail("limit", Fault(429, headers={"Retry-After": "120"}))
    with pytest.raises(Retry) as caught:
        client.publishing_limit(USER)
    assert caught.value.retry_after == 120


def test_the_daily_cap_defers_and_a_too_large_image_is_final(graph, client):
    cap = {"error": {"message": "Max posts", "code": 9, "error_subcode": 2207042}}
    graph.fail("publish", Fault(400, cap))
    with pytest.raises(Defer):
        client.publish(USER, client.create_image_container(USER, "https://m.example/a.jpg"))
    too_large = {
        "error": {
            "message": "The image size is too large.",
            "code": 36000,
            "error_subcode": 2207004,
            "error_user_msg": "The image is too large to download. It should be less than 8 MiB.",
        }
    }
    graph.fail("create", Fault(400, too_large))
    with pytest.raises(Final) as caught:
        client.create_image_container(USER, "https://m.example/huge.jpg")
    assert caught.value.rule == "graph_36000_2207004"
    assert "less than 8 MiB" in str(caught.value)
    assert graph.posts == []
