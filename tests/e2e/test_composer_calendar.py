"""Compose, schedule, drag in the calendar, publish: a manager at 1440 x 900 composes a post for
an Instagram and a TikTok account (the fake platforms on 127.0.0.1), schedules it, drags it to
another day in the calendar with the mouse, and the post keeps its local wall time; the real
publisher job then publishes it to both fakes and the calendar shows it published."""

import shutil
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from operations.jobs import publish_due_targets
from publishing.models import PublishTarget, ScheduledPost
from tests.creators.factories import AccountFactory
from tests.platforms.publish_fakes import TOKEN
from tests.publishing.factories import SocialConnectionFactory
from tests.publishing.publish_setup import METHODS, fake_platforms, media_asset
from tests.settings_app.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")
BERLIN = ZoneInfo("Europe/Berlin")
VIDEO = bytes(range(256)) * 4096  # 1 MiB


@pytest.fixture
def fakes(settings, tmp_path):
    yield from fake_platforms(settings, tmp_path)


def connection(platform: str, username: str):
    account = AccountFactory(platform=platform, username=username)
    return SocialConnectionFactory(
        account=account, platform=platform, method=METHODS[platform], access_token=TOKEN
    )


def fits_the_page(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def drag(page, source, target) -> None:
    """A real mouse drag: press on the post's time, move in steps, release over the day."""
    box, goal = source.bounding_box(), target.bounding_box()
    page.mouse.move(box["x"] + 12, box["y"] + 7)
    page.mouse.down()
    page.mouse.move(box["x"] + 30, box["y"] + 20, steps=4)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] / 2, steps=12)
    page.mouse.up()


def test_a_post_composed_dragged_and_published_keeps_its_local_time(
    page, live_server, admin_login, screenshot, fakes
):
    manager = UserFactory(username="manager", is_staff=True, roles=["Manager"])
    ig, tiktok = connection("instagram", "sunny.studio"), connection("tiktok", "sunny.clips")
    video = media_asset(VIDEO)
    day = datetime.now(BERLIN).date() + timedelta(days=3)
    new_day = day + timedelta(days=1) if day.weekday() < 6 else day - timedelta(days=1)
    page.set_viewport_size({"width": 1440, "height": 900})
    admin_login(page, live_server, manager)

    # Compose for both accounts, with TikTok's privacy level from its creator_info.
    page.goto(f"{live_server.url}/admin/publishing/scheduledpost/composer/")
    page.fill("#id_caption", "Spring collection drop: link in bio")
    page.fill("#id_hashtags", "spring fashion")
    page.check(f"input[name=media][value='{video.pk}']")
    page.check(f"input[name=connections][value='{ig.pk}']")
    page.check(f"input[name=connections][value='{tiktok.pk}']")
    assert page.locator(f"#target-{tiktok.pk}").is_visible()
    page.select_option(f"select[name='opt-{tiktok.pk}-privacy_level']", "PUBLIC_TO_EVERYONE")
    page.fill("#id_local_date", day.isoformat())
    page.fill("#id_local_time", "10:00")
    page.fill("#id_timezone", "Europe/Berlin")
    counter = page.locator("[data-counter=caption][data-platform=instagram] b")
    assert counter.inner_text() == str(
        len("Spring collection drop: link in bio\n\n#spring #fashion")
    )
    page.click("#action-preview")
    assert page.locator("[data-preview=tiktok]").is_visible()
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(screenshot(page, "composer"), SHOTS / "composer.png")
    assert fits_the_page(page)
    page.click("#action-schedule")

    # The calendar (week of the post) shows it at 10:00 Berlin; drag it to another day.
    page.wait_for_url("**/calendar/**")
    post = ScheduledPost.objects.get()
    assert {t.options.get("privacy_level") for t in PublishTarget.objects.all()} == {
        None,
        "PUBLIC_TO_EVERYONE",
    }
    item = page.locator(f".cal-post[data-post='{post.pk}']")
    assert item.locator(".cal-time").inner_text() == "10:00"
    assert item.get_attribute("data-date") == day.isoformat()
    drag(page, item, page.locator(f"td.cal-day[data-date='{new_day.isoformat()}']"))
    page.locator(
        f"td.cal-day[data-date='{new_day.isoformat()}'] .cal-post[data-post='{post.pk}']"
    ).wait_for()

    post.refresh_from_db()
    local = post.scheduled_at.astimezone(BERLIN)
    assert (local.date(), local.strftime("%H:%M")) == (new_day, "10:00")
    assert post.timezone == "Europe/Berlin"

    # The publisher job, when the post is due, publishes it once to each fake platform.
    publish_due_targets(now=post.scheduled_at + timedelta(minutes=1))
    assert {t.state for t in PublishTarget.objects.all()} == {"published"}
    assert len(fakes["instagram"].posts) == 1 and len(fakes["tiktok"].posts) == 1

    page.reload()
    published = page.locator(f".cal-post[data-post='{post.pk}']")
    assert "pub-s-published" in published.get_attribute("class")
    assert published.get_attribute("data-move-url") is None  # no longer movable
    assert "Published" in published.inner_text()
    shutil.copy(screenshot(page, "calendar"), SHOTS / "calendar.png")
    assert fits_the_page(page)
