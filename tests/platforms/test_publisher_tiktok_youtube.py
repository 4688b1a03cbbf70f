"""The TikTok and YouTube publishers against their fakes: chunked uploads, resume, status,
the commit chunk, and errors mapped to their actions."""

import io
import re

import pytest

from platforms.publishers.errors import Defer, Final, NewContainer, OutcomeUnknown, Reauth, Retry
from platforms.publishers.tiktok import TikTokPublisher, chunk_plan
from platforms.publishers.youtube import CHUNK_UNIT, YouTubePublisher
from tests.platforms.publish_fakes import TOKEN, FakeTikTok, FakeYouTube, Fault, point_settings_at

POST_INFO = {"title": "Hello", "privacy_level": "SELF_ONLY"}


@pytest.fixture
def tiktok(settings):
    fake = FakeTikTok().start()
    point_settings_at(settings, fake)
    yield fake
    fake.stop()


@pytest.fixture
def youtube(settings):
    fake = FakeYouTube().start()
    point_settings_at(settings, fake)
    yield fake
    fake.stop()


def test_the_chunk_plan_follows_tiktoks_rules():
    plan = chunk_plan(50_000_123, 10_000_000)
    assert (plan.chunk_size, plan.total_chunk_count) == (10_000_000, 5)
    assert plan.ranges()[-1] == (40_000_000, 50_000_122)
    assert chunk_plan(3_000_000).total_chunk_count == 1
    big = chunk_plan(4_000_000_000, 1_000_000)
    assert 5 * 1024 * 1024 <= big.chunk_size <= 64_000_000
    assert big.video_size - (big.total_chunk_count - 1) * big.chunk_size <= 128_000_000


def test_a_tiktok_file_upload_in_chunks_posts_once(tiktok):
    client = TikTokPublisher(tiktok.url, TOKEN)
    video = bytes(range(256)) * 50_000  # 12.8 MB → two chunks
    plan = chunk_plan(len(video), 6_000_000)
    info = client.creator_info()
    started = client.init_video_upload({**POST_INFO, "privacy_level": "SELF_ONLY"}, plan)
    client.upload_file(started.upload_url, io.BytesIO(video), plan)
    assert "SELF_ONLY" in info.privacy_level_options
    assert plan.total_chunk_count == 2 and tiktok.count("chunk") == 2
    assert len(tiktok.posts) == 1
    assert client.status(started.publish_id).complete


def test_tiktok_status_is_polled_until_complete(tiktok):
    tiktok.processing_polls = 2
    client = TikTokPublisher(tiktok.url, TOKEN)
    started = client.init_video_pull(POST_INFO, "https://media.example/v.mp4")
    seen = [client.status(started.publish_id).status for _ in range(3)]
    assert seen == ["PROCESSING_DOWNLOAD", "PROCESSING_DOWNLOAD", "PUBLISH_COMPLETE"]


def test_a_tiktok_photo_post_pulls_its_images(tiktok):
    client = TikTokPublisher(tiktok.url, TOKEN)
    client.init_photo_pull(POST_INFO, ["https://media.example/1.jpg"])
    assert len(tiktok.posts) == 1


@pytest.mark.parametrize(
    ("reason", "action"),
    [
        ("picture_size_check_failed", Final),
        ("internal", Retry),
        ("spam_risk_too_many_posts", Defer),
        ("auth_removed", Final),
    ],
)
def test_a_failed_tiktok_publish_maps_its_fail_reason(tiktok, reason, action):
    tiktok.fail_reason = reason
    client = TikTokPublisher(tiktok.url, TOKEN)
    status = client.status(client.init_video_pull(POST_INFO, "https://m.example/v.mp4").publish_id)
    assert status.status == "FAILED" and type(status.error()) is action
    assert tiktok.posts == []


def test_a_lost_last_chunk_answer_is_outcome_unknown_and_not_resent(tiktok):
    client = TikTokPublisher(tiktok.url, TOKEN)
    video = b"x" * 1000
    plan = chunk_plan(len(video))
    started = client.init_video_upload(POST_INFO, plan)
    tiktok.fail("chunk", Fault(after_commit=True, drop=True))
    with pytest.raises(OutcomeUnknown):
        client.upload_file(started.upload_url, io.BytesIO(video), plan)
    assert tiktok.count("chunk") == 1 and len(tiktok.posts) == 1
    assert client.status(started.publish_id).complete


@pytest.mark.parametrize(
    ("status", "code", "action"),
    [
        (403, "spam_risk_too_many_posts", Defer),
        (403, "privacy_level_option_mismatch", Final),
        (403, "unaudited_client_can_only_post_to_private_accounts", Final),
        (403, "url_ownership_unverified", Final),
        (429, "rate_limit_exceeded", Retry),
    ],
)
def test_tiktok_init_errors_map_to_their_action(tiktok, status, code, action):
    body = {"data": {}, "error": {"code": code, "message": f"msg {code}", "log_id": "x"}}
    tiktok.fail("init", Fault(status, body))
    with pytest.raises(action) as caught:
        TikTokPublisher(tiktok.url, TOKEN).init_video_pull(POST_INFO, "https://m.example/v.mp4")
    assert status == 429 or caught.value.code == code


def test_a_refused_tiktok_token_asks_for_reauth(tiktok):
    with pytest.raises(Reauth):
        TikTokPublisher(tiktok.url, "expired").creator_info()


def test_creator_info_refusals_sent_with_http_200_are_still_errors(tiktok):
    body = {"data": {}, "error": {"code": "spam_risk_too_many_posts", "message": "", "log_id": ""}}
    tiktok.fail("creator_info", Fault(200, body))
    with pytest.raises(Defer):
        TikTokPublisher(tiktok.url, TOKEN).creator_info()


def _video(size):
    return bytes(i % 251 for i in range(size))


def test_a_youtube_resumable_upload_in_several_chunks(youtube):
    client = YouTubePublisher(youtube.url, TOKEN)
    video = _video(3 * CHUNK_UNIT + 1000)
    session = client.start_session(
        {"snippet": {"title": "Hi"}, "status": {"privacyStatus": "private"}},
        size=len(video),
        mime="video/mp4",
    )
    done = client.upload(session, io.BytesIO(video), len(video), chunk_size=CHUNK_UNIT)
    assert done.complete and re.fullmatch(r"[A-Za-z0-9_-]{11}", done.video_id)
    assert youtube.count("chunk") == 3 and youtube.count("final_chunk") == 1
    assert [(p["id"], p["title"]) for p in youtube.posts] == [(done.video_id, "Hi")]


def test_a_308_that_kept_fewer_bytes_is_resumed_from_its_range(youtube):
    youtube.keep_at_most = CHUNK_UNIT // 2
    client = YouTubePublisher(youtube.url, TOKEN)
    video = _video(2 * CHUNK_UNIT)
    session = client.start_session({"snippet": {"title": "R"}}, size=len(video), mime="video/mp4")
    done = client.upload(session, io.BytesIO(video), len(video), chunk_size=CHUNK_UNIT)
    assert done.complete and len(youtube.posts) == 1
    stored = youtube.sessions[session.split("upload_id=")[1].split("&")[0]]["data"]
    assert stored == video


def test_a_lost_last_chunk_is_settled_by_the_probe_without_a_second_video(youtube):
    client = YouTubePublisher(youtube.url, TOKEN)
    video = _video(CHUNK_UNIT + 10)
    session = client.start_session({"snippet": {"title": "L"}}, size=len(video), mime="video/mp4")
    youtube.fail("final_chunk", Fault(after_commit=True, late_s=2.0))
    with pytest.raises(OutcomeUnknown):
        client.upload(session, io.BytesIO(video), len(video), chunk_size=CHUNK_UNIT)
    probe = client.probe(session, len(video))
    assert probe.complete and probe.video_id and len(youtube.posts) == 1
    assert youtube.count("final_chunk") == 1


def test_an_interrupted_upload_resumes_after_a_probe(youtube):
    client = YouTubePublisher(youtube.url, TOKEN)
    video = _video(2 * CHUNK_UNIT + 5)
    session = client.start_session({"snippet": {"title": "P"}}, size=len(video), mime="video/mp4")
    client.upload_chunk(session, video[:CHUNK_UNIT], first_byte=0, total=len(video))
    probe = client.probe(session, len(video))
    assert probe.received == CHUNK_UNIT and not probe.complete
    done = client.upload(session, io.BytesIO(video), len(video), start=probe.received)
    assert done.complete and len(youtube.posts) == 1


def test_youtube_quota_defers_to_pacific_midnight_and_401_asks_for_reauth(youtube):
    quota = {
        "error": {
            "code": 403,
            "message": "You have exceeded your <a href='#'>quota</a>.",
            "errors": [{"domain": "youtube.quota", "reason": "quotaExceeded"}],
        }
    }
    youtube.fail("init", Fault(403, quota))
    client = YouTubePublisher(youtube.url, TOKEN)
    with pytest.raises(Defer) as caught:
        client.start_session({"snippet": {}}, size=10, mime="video/mp4")
    local = caught.value.until.astimezone(caught.value.until.tzinfo)
    assert (local.hour, local.minute) == (0, 0) and "<a" not in str(caught.value)
    with pytest.raises(Reauth):
        YouTubePublisher(youtube.url, "bad").start_session({"snippet": {}}, size=1, mime="v/mp4")


def test_an_expired_youtube_session_asks_for_a_new_one(youtube):
    client = YouTubePublisher(youtube.url, TOKEN)
    with pytest.raises(NewContainer):
        client.probe(youtube.url + "/upload/youtube/v3/videos?upload_id=gone", 100)
