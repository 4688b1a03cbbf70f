"""The calendar, the composer and the CSV import pages in the admin (Django's test client): posts
shown by local time in the viewer's zone with their budgets, moves that keep the wall time, a
claimed post refused with the reason, the composer scheduling through the same rules as the API
with errors per field and per account, and every CSV row answered."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from publishing.models import PublishTarget, ScheduledPost
from tests.publishing.factories import (
    MediaAssetFactory,
    PublishTargetFactory,
    ScheduledPostFactory,
    SocialConnectionFactory,
)

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
CALENDAR = "/admin/publishing/scheduledpost/calendar/"
COMPOSER = "/admin/publishing/scheduledpost/composer/"


@pytest.fixture
def manager(client, role_user):
    user = role_user("Manager")
    client.force_login(user)
    return user


def berlin_post(local: datetime, **target):
    post = ScheduledPostFactory(
        caption="Spring launch", scheduled_at=local.replace(tzinfo=BERLIN).astimezone(UTC)
    )
    return PublishTargetFactory(post=post, **target)


def test_the_month_shows_posts_by_local_time_in_the_chosen_zone_with_budgets(client, manager):
    target = berlin_post(datetime(2030, 4, 2, 0, 30))  # still April 1st in New York

    berlin = client.get(CALENDAR + "?date=2030-04-01&tz=Europe/Berlin").content.decode()
    new_york = client.get(CALENDAR + "?date=2030-04-01&tz=America/New_York").content.decode()

    assert "April 2030" in berlin and "Spring launch" in berlin
    assert 'data-date="2030-04-02"' in berlin.split("Spring launch")[0].rsplit("cal-day", 1)[1]
    assert "00:30" in berlin
    assert 'data-date="2030-04-01"' in new_york.split("Spring launch")[0].rsplit("cal-day", 1)[1]
    assert "18:30" in new_york  # the same moment, in the viewer's zone
    assert f"{target.connection.account.username[:13]}" in berlin
    assert "<b>99</b>/100 left" in berlin  # the Instagram budget left that day


def test_failed_and_unconfirmed_posts_stand_out(client, manager):
    berlin_post(datetime(2030, 4, 3, 9), state="unconfirmed")
    berlin_post(datetime(2030, 4, 4, 9), state="failed")

    html = client.get(CALENDAR + "?date=2030-04-01&tz=Europe/Berlin").content.decode()

    assert html.count("cal-alert") == 2
    assert "<strong>unconfirmed</strong>" in html and "<strong>1 failed</strong>" in html


def test_the_week_view_and_an_unknown_zone_fall_back_with_a_message(client, manager):
    html = client.get(CALENDAR + "?view=week&date=2030-04-03&tz=Mars/Olympus").content.decode()

    assert "Week of 01 Apr 2030" in html
    assert "is not a time zone" in html


def test_moving_by_drag_keeps_the_wall_time_in_the_posts_own_zone(client, manager):
    target = berlin_post(datetime(2030, 3, 29, 9, 0))  # CET; the 2nd of April is CEST
    url = reverse("admin:publishing_calendar_move", args=[target.post_id])

    answer = client.post(
        url, {"date": "2030-04-02", "from": "2030-03-29"}, HTTP_ACCEPT="application/json"
    )

    assert answer.status_code == 200, answer.content
    post = ScheduledPost.objects.get(pk=target.post_id)
    assert post.scheduled_at.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M") == "2030-04-02 09:00"
    assert post.scheduled_at.hour == 7  # UTC moved by one hour less: the wall time is kept
    assert PublishTarget.objects.get(pk=target.pk).next_attempt_at == post.scheduled_at


def test_the_move_form_sets_a_date_and_time_and_comes_back_with_a_message(client, manager):
    target = berlin_post(datetime(2030, 4, 2, 9, 0))
    url = reverse("admin:publishing_calendar_move", args=[target.post_id])

    answer = client.post(
        url, {"date": "2030-04-05", "time": "18:15", "next": CALENDAR + "?date=2030-04-01"}
    )

    assert answer.status_code == 302 and answer["Location"] == CALENDAR + "?date=2030-04-01"
    post = ScheduledPost.objects.get(pk=target.post_id)
    assert post.scheduled_at.astimezone(BERLIN).strftime("%d %H:%M") == "05 18:15"


def test_a_post_already_claimed_is_not_moved_and_the_reason_is_given(client, manager):
    target = berlin_post(datetime(2030, 4, 2, 9, 0), state="publishing")
    url = reverse("admin:publishing_calendar_move", args=[target.post_id])

    answer = client.post(
        url, {"date": "2030-04-03", "from": "2030-04-02"}, HTTP_ACCEPT="application/json"
    )

    assert answer.status_code == 409
    assert "already being published" in answer.json()["error"]["message"]
    assert ScheduledPost.objects.get(pk=target.post_id).scheduled_at == target.post.scheduled_at


def test_an_editor_cannot_move_a_post_of_an_account_they_do_not_edit(client, role_user):
    client.force_login(role_user("Editor"))
    target = berlin_post(datetime(2030, 4, 2, 9, 0))
    url = reverse("admin:publishing_calendar_move", args=[target.post_id])

    answer = client.post(url, {"date": "2030-04-03", "from": "2030-04-02"})

    assert answer.status_code == 404


def test_the_composer_shows_counters_from_the_limits_and_each_accounts_options(client, manager):
    SocialConnectionFactory(platform="tiktok", method="tiktok", access_token="")
    SocialConnectionFactory(platform="youtube", method="google")

    html = client.get(COMPOSER).content.decode()

    assert 'data-limit="2200"' in html and 'data-limit="5000"' in html
    assert 'data-limit="100"' in html
    assert "unavailable: the connection has no token" in html
    assert "privacy_status" in html and "Made for kids" in html
    assert "/admin/publishing/mediaasset/" in html


def test_the_composer_schedules_with_per_account_options(client, manager):
    ig = SocialConnectionFactory()
    yt = SocialConnectionFactory(platform="youtube", method="google")
    # A vertical clip: a reel on Instagram, a Short on YouTube (an image cannot go to YouTube).
    media = MediaAssetFactory(
        kind="video", mime="video/mp4", duration_s=20, width=1080, height=1920
    )
    answer = client.post(
        COMPOSER,
        {
            "caption": "Hello",
            "hashtags": "#one two",
            "media": [media.pk],
            "connections": [ig.pk, yt.pk],
            "local_date": "2030-04-02",
            "local_time": "09:00",
            "timezone": "Europe/Berlin",
            f"opt-{yt.pk}-privacy_status": "unlisted",
            f"opt-{ig.pk}-first_comment": "Link in bio",
            "action": "schedule",
        },
    )

    assert answer.status_code == 302, answer.content.decode()[:3000]
    assert "/calendar/?view=week&date=2030-04-02" in answer["Location"]
    post = ScheduledPost.objects.get()
    assert post.hashtags == ["one", "two"]
    assert post.scheduled_at == datetime(2030, 4, 2, 7, tzinfo=UTC)
    options = {t.connection_id: t.options for t in post.targets.all()}
    assert options[yt.pk] == {"privacy_status": "unlisted", "made_for_kids": False}
    assert options[ig.pk] == {"share_to_feed": False, "first_comment": "Link in bio"}


def test_the_composer_shows_errors_per_field_and_per_account(client, manager, settings):
    settings.PUBLISH_TIKTOK_DAILY_POSTS = 0
    tiktok = SocialConnectionFactory(platform="tiktok", method="tiktok", access_token="")
    base = {
        "caption": "Hi",
        "connections": [tiktok.pk],
        "timezone": "Europe/Berlin",
        "action": "schedule",
    }

    skipped = client.post(COMPOSER, {**base, "local_date": "2030-03-31", "local_time": "02:30"})
    over = client.post(COMPOSER, {**base, "local_date": "2030-04-02", "local_time": "09:00"})

    assert "does not exist in Europe/Berlin" in skipped.content.decode()
    html = over.content.decode()
    assert "Over the daily budget" in html and "0/0 on 2030-04-02" in html
    assert not ScheduledPost.objects.exists()


def test_the_preview_cuts_the_caption_where_each_platform_does(client, manager):
    ig = SocialConnectionFactory()
    answer = client.post(
        COMPOSER,
        {
            "caption": "x" * 200,
            "connections": [ig.pk],
            "timezone": "Europe/Berlin",
            "action": "preview",
        },
    )

    html = answer.content.decode()
    assert 'data-preview="instagram"' in html and "x" * 125 + "<span" in html
    assert "(200 / 2200 characters)" in html
    assert not ScheduledPost.objects.exists()


def test_post_now_makes_the_targets_due_at_once(client, manager):
    ig = SocialConnectionFactory()
    photo = MediaAssetFactory()
    client.post(
        COMPOSER,
        {
            "caption": "Now",
            "media": [photo.pk],
            "connections": [ig.pk],
            "timezone": "Asia/Tokyo",
            "action": "now",
        },
    )

    target = PublishTarget.objects.get()
    assert target.post.timezone == "Asia/Tokyo"
    assert target.next_attempt_at <= datetime.now(UTC) + timedelta(seconds=1)


def test_the_import_page_answers_every_row(client, manager):
    ig = SocialConnectionFactory()
    text = (
        "caption,media,accounts,time\n"
        f"Good,{MediaAssetFactory().pk},{ig.pk},2030-04-02T09:00\n"
        "Bad,,unknown:nobody,2030-04-02T09:00\n"
    )
    answer = client.post(
        "/admin/publishing/scheduledpost/import/",
        {"file": SimpleUploadedFile("p.csv", text.encode(), content_type="text/csv")},
    )

    html = answer.content.decode()
    assert "2 rows:" in html and "1 scheduled" in html and "1 with errors" in html
    assert "Unknown accounts: unknown:nobody" in html
