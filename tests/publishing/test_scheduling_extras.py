"""Scheduling's extras through the API: per-target options checked per platform (TikTok privacy
levels against the account's creator_info on the fake TikTok), posting slots and "add to queue"
(DST-correct, next free slot), daily budgets (`quota_exceeded` unless allow_over_quota, and the
budget endpoint), and the CSV import answering every row, never twice."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from publishing.models import ImportedRow, PostingSlot, PublishTarget, ScheduledPost
from publishing.services.queue import connections_next_free_slots, scheduled_post_queue
from tests.platforms.publish_fakes import TOKEN, FakeTikTok
from tests.publishing.factories import (
    MediaAssetFactory,
    PublishTargetFactory,
    ScheduledPostFactory,
    SocialConnectionFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/scheduled-posts/"
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def tiktok_fake(settings):
    from platforms import http

    fake = FakeTikTok().start()
    settings.TIKTOK_API_BASE_URL = fake.url
    settings.PROVIDER_RETRIES = 0
    settings.PROVIDER_READ_TIMEOUT_S = 1.0
    http._sessions.clear()
    cache.clear()
    yield fake
    fake.stop()
    http._sessions.clear()


def tiktok_connection(**extra):
    return SocialConnectionFactory(platform="tiktok", method="tiktok", access_token=TOKEN, **extra)


def clip():
    """A vertical clip every platform takes (a reel, a TikTok video, a Short)."""
    return MediaAssetFactory(kind="video", mime="video/mp4", duration_s=20, width=1080, height=1920)


def body(connections, **extra):
    return {
        "caption": "Summer drop",
        "media": [clip().pk],
        "connections": [c.pk for c in connections],
        "local_time": "2030-04-02T09:00",
        "timezone": "Europe/Berlin",
        **extra,
    }


# --- Per-target options -----------------------------------------------------------------------


def test_each_destination_keeps_its_own_options(api, tiktok_fake):
    ig, tiktok = SocialConnectionFactory(), tiktok_connection()
    yt = SocialConnectionFactory(platform="youtube", method="google")
    options = {
        str(ig.pk): {"share_to_feed": False, "first_comment": "Link in bio"},
        str(tiktok.pk): {"privacy_level": "MUTUAL_FOLLOW_FRIENDS", "disable_duet": True},
        str(yt.pk): {"privacy_status": "unlisted", "category_id": "22", "made_for_kids": False},
    }

    answer = api.post(URL, body([ig, tiktok, yt], target_options=options), format="json")

    assert answer.status_code == 201, answer.json()
    by_connection = {t["connection"]: t["options"] for t in answer.json()["targets"]}
    assert by_connection[tiktok.pk] == {
        "privacy_level": "MUTUAL_FOLLOW_FRIENDS",
        "disable_duet": True,
    }
    assert by_connection[ig.pk] == {"share_to_feed": False, "first_comment": "Link in bio"}
    assert by_connection[yt.pk]["privacy_status"] == "unlisted"


def test_a_tiktok_privacy_level_the_account_may_not_use_is_refused_naming_the_allowed_ones(
    api, tiktok_fake
):
    tiktok = tiktok_connection()
    answer = api.post(
        URL,
        body([tiktok], target_options={str(tiktok.pk): {"privacy_level": "FOLLOWER_OF_CREATOR"}}),
        format="json",
    )

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "invalid_target_options"
    message = error["fields"]["target_options"][str(tiktok.pk)]["privacy_level"][0]
    assert "FOLLOWER_OF_CREATOR" in message and "PUBLIC_TO_EVERYONE" in message
    assert not ScheduledPost.objects.exists()


def test_creator_info_is_read_once_then_cached(api, tiktok_fake):
    tiktok = tiktok_connection()
    for n in range(3):
        payload = body(
            [tiktok],
            caption=f"Post {n}",
            target_options={str(tiktok.pk): {"privacy_level": "SELF_ONLY"}},
        )
        assert api.post(URL, payload, format="json").status_code == 201
    assert tiktok_fake.count("creator_info") == 1


def test_an_option_of_another_platform_or_a_wrong_value_is_refused_per_target(api):
    ig, yt = SocialConnectionFactory(), SocialConnectionFactory(platform="youtube", method="google")
    options = {
        str(ig.pk): {"privacy_level": "SELF_ONLY"},
        str(yt.pk): {"privacy_status": "friends", "title": "x" * 101},
    }

    answer = api.post(URL, body([ig, yt], target_options=options), format="json")

    fields = answer.json()["error"]["fields"]["target_options"]
    assert answer.status_code == 400
    assert "Not an option of instagram" in fields[str(ig.pk)]["privacy_level"][0]
    assert set(fields[str(yt.pk)]) == {"privacy_status", "title"}


# --- Daily budgets ------------------------------------------------------------------------------


def test_a_slot_beyond_the_tiktok_daily_cap_is_refused_unless_over_quota_is_allowed(api, settings):
    settings.PUBLISH_TIKTOK_DAILY_POSTS = 2
    tiktok = tiktok_connection()
    for hour in (8, 12):
        post = ScheduledPostFactory(scheduled_at=datetime(2030, 4, 2, hour, tzinfo=UTC))
        PublishTargetFactory(post=post, connection=tiktok)

    refused = api.post(URL, body([tiktok]), format="json")
    forced = api.post(URL, body([tiktok], allow_over_quota=True), format="json")

    error = refused.json()["error"]
    assert refused.status_code == 400 and error["code"] == "quota_exceeded"
    assert str(tiktok.account) in error["message"]
    assert "2 of 2 posts on 2030-04-02" in error["message"]
    assert forced.status_code == 201


def test_cancelled_and_failed_targets_do_not_spend_the_budget(api, settings):
    settings.PUBLISH_TIKTOK_DAILY_POSTS = 1
    tiktok = tiktok_connection()
    for state in ("cancelled", "failed"):
        post = ScheduledPostFactory(scheduled_at=datetime(2030, 4, 2, 6, tzinfo=UTC))
        PublishTargetFactory(post=post, connection=tiktok, state=state)

    assert api.post(URL, body([tiktok]), format="json").status_code == 201


def test_youtube_uploads_are_one_budget_for_the_project_on_the_pacific_day(api, settings):
    settings.PROVIDER_RATE_LIMITS = {
        **settings.PROVIDER_RATE_LIMITS,
        "youtube.uploads": {"daily_quota": 1},
    }
    one, two = (SocialConnectionFactory(platform="youtube", method="google") for _ in range(2))
    # 2030-04-02 06:00 UTC is still April 1st in Los Angeles: another quota day.
    early = ScheduledPostFactory(scheduled_at=datetime(2030, 4, 2, 6, tzinfo=UTC))
    PublishTargetFactory(post=early, connection=one)

    same_day = api.post(URL, body([two], local_time="2030-04-02T20:00"), format="json")
    budget = api.get(f"/api/v1/connections/{two.pk}/budget/?date=2030-04-01").json()

    assert same_day.status_code == 201, same_day.json()
    assert budget == {
        "connection": two.pk,
        "platform": "youtube",
        "day": "2030-04-01",
        "zone": "America/Los_Angeles",
        "scope": "project",
        "limit": 1,
        "used": 1,
        "remaining": 0,
        "platform_reading": None,
    }


def test_the_instagram_budget_follows_the_last_known_publishing_limit(api):
    ig = SocialConnectionFactory(meta={"content_publishing_limit": {"quota_total": 50}})
    post = ScheduledPostFactory(scheduled_at=datetime(2030, 4, 2, 7, tzinfo=UTC))
    PublishTargetFactory(post=post, connection=ig)

    budget = api.get(f"/api/v1/connections/{ig.pk}/budget/?date=2030-04-02").json()

    assert (budget["limit"], budget["used"], budget["remaining"]) == (50, 1, 49)
    assert api.get(f"/api/v1/connections/{ig.pk}/budget/?date=soon").status_code == 400


def test_rescheduling_onto_a_full_day_is_refused_and_the_post_stays(api, settings):
    settings.PUBLISH_TIKTOK_DAILY_POSTS = 1
    tiktok = tiktok_connection()
    busy = ScheduledPostFactory(scheduled_at=datetime(2030, 4, 3, 7, tzinfo=UTC))
    PublishTargetFactory(post=busy, connection=tiktok)
    mine = api.post(URL, body([tiktok]), format="json").json()

    moved = api.patch(f"{URL}{mine['id']}/", {"local_time": "2030-04-03T12:00"}, format="json")

    assert moved.status_code == 400 and moved.json()["error"]["code"] == "quota_exceeded"
    assert ScheduledPost.objects.get(pk=mine["id"]).scheduled_at == datetime(
        2030, 4, 2, 7, tzinfo=UTC
    )


# --- Posting slots and the queue ---------------------------------------------------------------


def slot(connection, weekday, at, zone="Europe/Berlin"):
    return PostingSlot.objects.create(
        connection=connection, weekday=weekday, local_time=at, timezone=zone
    )


def test_the_queue_takes_the_next_free_slot_in_the_slots_zone(api):
    ig = SocialConnectionFactory()
    slot(ig, 0, time(9))  # Mondays 09:00 Berlin
    slot(ig, 2, time(18, 30))  # Wednesdays 18:30 Berlin
    now = datetime.now(UTC)

    first = api.post(
        URL + "queue/",
        {"caption": "A", "media": [clip().pk], "connections": [ig.pk]},
        format="json",
    )
    second = api.post(
        URL + "queue/",
        {"caption": "B", "media": [clip().pk], "connections": [ig.pk]},
        format="json",
    )

    assert first.status_code == 201, first.json()
    a, b = first.json()["posts"][0], second.json()["posts"][0]
    assert a["timezone"] == "Europe/Berlin" and a["local_time"][11:] in ("09:00", "18:30")
    assert b["scheduled_at"] > a["scheduled_at"]  # the first slot is taken now
    soonest = connections_next_free_slots([ig], now=now)[ig.pk]
    assert soonest.moment > datetime.fromisoformat(b["scheduled_at"].replace("Z", "+00:00"))


def test_a_queued_slot_keeps_its_wall_time_across_the_dst_change(staff):
    ig = SocialConnectionFactory()
    slot(ig, 0, time(9))  # Mondays 09:00 Berlin; the clocks go forward on 2030-03-31
    before_change = datetime(2030, 3, 20, 12, tzinfo=UTC)  # a Wednesday

    posts = [
        scheduled_post_queue(
            connections=[ig], user=staff, caption=str(n), media=[clip()], now=before_change
        )[0]
        for n in range(2)
    ]

    assert [p.scheduled_at.astimezone(BERLIN).strftime("%a %d %H:%M") for p in posts] == [
        "Mon 25 09:00",
        "Mon 01 09:00",
    ]
    assert [p.scheduled_at.hour for p in posts] == [8, 7]  # CET then CEST in UTC


def test_the_queue_skips_a_slot_taken_or_a_day_over_budget_and_says_when_none_is_free(
    api, settings
):
    settings.PUBLISH_TIKTOK_DAILY_POSTS = 1
    settings.PUBLISH_QUEUE_HORIZON_DAYS = 7
    tiktok = tiktok_connection()
    nothing = api.post(
        URL + "queue/", {"media": [clip().pk], "connections": [tiktok.pk]}, format="json"
    )
    slot(tiktok, datetime.now(BERLIN).weekday(), time(23, 59))

    first = api.post(
        URL + "queue/", {"media": [clip().pk], "connections": [tiktok.pk]}, format="json"
    )
    second = api.post(
        URL + "queue/", {"media": [clip().pk], "connections": [tiktok.pk]}, format="json"
    )

    assert nothing.status_code == 400 and nothing.json()["error"]["code"] == "no_posting_slots"
    assert first.status_code == 201
    assert second.status_code == 400 and second.json()["error"]["code"] == "queue_full"


def test_accounts_with_different_slots_get_a_post_each(api):
    ig, tiktok = SocialConnectionFactory(), tiktok_connection()
    slot(ig, 1, time(9))
    slot(tiktok, 1, time(9), "America/New_York")

    answer = api.post(
        URL + "queue/", {"media": [clip().pk], "connections": [ig.pk, tiktok.pk]}, format="json"
    )

    posts = answer.json()["posts"]
    assert answer.status_code == 201 and len(posts) == 2
    assert {(p["timezone"], p["local_time"][11:]) for p in posts} == {
        ("Europe/Berlin", "09:00"),
        ("America/New_York", "09:00"),
    }


# --- CSV import -----------------------------------------------------------------------------


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("posts.csv", text.encode(), content_type="text/csv")


def test_a_csv_import_answers_every_row_and_one_bad_row_blocks_nothing(api):
    ig = SocialConnectionFactory()
    tiktok = tiktok_connection()
    media = MediaAssetFactory()
    text = (
        "caption,title,hashtags,media,accounts,time,timezone\n"
        f"First,,summer #sea,{media.pk},{ig.pk},2030-04-02T09:00,Europe/Berlin\n"
        f"Second,,,{media.checksum},instagram:{ig.account.username}|tiktok:@{tiktok.account.username},2030-04-03 10:30,\n"
        f"Bad,,,999999,nobody:else,tomorrow,\n"
        f"Skipped DST,,,,{ig.pk},2030-03-31T02:30,Europe/Berlin\n"
    )

    answer = api.post(URL + "import/", {"file": csv_file(text)}, format="multipart")

    data = answer.json()
    assert answer.status_code == 200, data
    assert (data["created"], data["failed"]) == (2, 2)
    rows = {row["line"]: row for row in data["rows"]}
    assert rows[2]["status"] == "created" and rows[3]["status"] == "created"
    assert set(rows[4]["errors"]) == {"media"} or "media" in rows[4]["errors"]
    assert rows[5]["status"] == "error" and "local_time" in rows[5]["errors"]
    first = ScheduledPost.objects.get(pk=rows[2]["post"])
    assert first.hashtags == ["summer", "sea"] and first.timezone == "Europe/Berlin"
    second = ScheduledPost.objects.get(pk=rows[3]["post"])
    assert second.timezone == "UTC"  # the TIME_ZONE default
    assert PublishTarget.objects.filter(post=second).count() == 2


def test_the_same_file_imported_twice_creates_nothing_twice(api):
    ig = SocialConnectionFactory()
    text = f"caption,media,accounts,time\nHello,{clip().pk},{ig.pk},2030-04-02T09:00\n"

    api.post(URL + "import/", {"file": csv_file(text)}, format="multipart")
    again = api.post(URL + "import/", {"file": csv_file(text)}, format="multipart").json()

    assert again["created"] == 0 and again["existing"] == 1
    assert again["rows"][0]["status"] == "exists"
    assert ScheduledPost.objects.count() == 1 == ImportedRow.objects.count()


def test_a_csv_without_the_required_columns_is_refused_with_what_is_missing(api):
    answer = api.post(URL + "import/", {"file": csv_file("caption\nhi\n")}, format="multipart")

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "missing_columns"
    assert "accounts" in answer.json()["error"]["message"]


def test_an_editor_may_not_import_rows_for_accounts_they_do_not_edit(role_user):
    from rest_framework.test import APIClient

    editor = role_user("Editor")
    client = APIClient()
    client.force_login(editor)
    ig = SocialConnectionFactory()

    data = client.post(
        URL + "import/",
        {"file": csv_file(f"caption,accounts,time\nHi,{ig.pk},2030-04-02T09:00\n")},
        format="multipart",
    ).json()

    assert data["failed"] == 1 and not ScheduledPost.objects.exists()
    assert "You may not schedule" in data["rows"][0]["message"]


def test_budget_days_are_read_in_one_query_per_platform(django_assert_max_num_queries):
    from publishing.queries import connection_budgets

    connections = [SocialConnectionFactory() for _ in range(3)] + [tiktok_connection()]
    days = [date(2030, 4, 1) + timedelta(days=n) for n in range(7)]
    with django_assert_max_num_queries(2):
        budgets = connection_budgets(connections=connections, days=days)
    assert len(budgets) == 28
