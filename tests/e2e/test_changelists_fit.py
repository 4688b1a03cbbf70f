"""The posts and accounts changelists in a real browser at 1440 x 900, as an editor and as an
owner: the default columns fit without sideways scrolling (with long names in every cell), more
columns are a tick away, and a long filter is narrowed by typing."""

import shutil
from pathlib import Path

import pytest
from django.utils import timezone

from posts.models import Post
from tests.creators.factories import AccountFactory
from tests.posts.factories import PostFactory
from tests.settings_app.factories import (
    BoardFactory,
    CategoryFactory,
    ClientFactory,
    EditorFactory,
    SubcategoryFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-16")


@pytest.fixture
def desk(page):
    page.set_viewport_size({"width": 1440, "height": 900})
    return page


@pytest.fixture
def people():
    editor_user = UserFactory(username="ed", is_staff=True, roles=["Editor"])
    owner = UserFactory(username="boss", is_staff=True, roles=["Owner"])
    editor = EditorFactory(name="Edward Longname-Clipper", user=editor_user)
    client = ClientFactory(name="Northwind Creative Partners International")
    category = CategoryFactory(name="Personal Development & Motivation")
    subcategories = [
        SubcategoryFactory(category=category, name=f"Topic number {n:03}") for n in range(100)
    ]
    for n in range(30):
        account = AccountFactory(
            username=f"a_rather_long_creator_handle_{n:02}",
            full_name="Someone With A Long Name",
            followers=12_345_678,
            avg_views=1_234_567,
            posts_last_7d=12,
            posts_last_30d=48,
            editor=editor,
            client=client,
        )
        post = PostFactory(
            platform="youtube",
            post_id=f"vid{n:08d}",
            url=f"https://www.youtube.com/watch?v=vid{n:08d}",
            account=account,
            username=account.username,
            post_date=timezone.now(),
            views=123_456_789,
            likes=12_345_678,
            engagement_rate="12.34",
            base_format="video",
            content_type="video_long",
            category=category,
            client=client,
            editor=editor,
            processing_status="completed",
        )
        post.subcategories.add(subcategories[n])
    return {"Editor": editor_user, "Owner": owner}


def fits_the_width(page) -> bool:
    """Neither the page nor the table's own box (it scrolls sideways) is wider than shown."""
    return page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth"
        " && document.querySelector('#changelist .results').scrollWidth"
        " <= document.querySelector('#changelist .results').clientWidth"
    )


def fits_the_page(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def shoot(page, screenshot, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(screenshot(page, name), SHOTS / f"{name}.png")


@pytest.mark.parametrize("role", ["Editor", "Owner"])
@pytest.mark.parametrize(
    ("path", "name"), [("/admin/posts/post/", "posts"), ("/admin/creators/account/", "accounts")]
)
def test_the_changelist_fits_1440_px_for_the_role(
    desk, live_server, admin_login, screenshot, people, role, path, name
):
    admin_login(desk, live_server, people[role])

    desk.goto(f"{live_server.url}{path}")

    assert desk.locator("#result_list tbody tr").count() == 30
    shoot(desk, screenshot, f"changelist-{name}-{role.lower()}")
    assert fits_the_width(desk), desk.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth,"
        " document.querySelector('#changelist .results').scrollWidth,"
        " document.querySelector('#changelist .results').clientWidth,"
        " Array.from(document.querySelectorAll('#result_list thead th'))"
        ".map(th => th.className + ':' + Math.round(th.getBoundingClientRect().width)).join(' ')]"
    )


def test_more_columns_are_a_tick_away(desk, live_server, admin_login, people):
    admin_login(desk, live_server, people["Owner"])
    desk.goto(f"{live_server.url}/admin/posts/post/")
    assert desk.locator("#result_list th.column-added_by").count() == 0

    desk.locator("details.co-columns summary").click()
    desk.locator("details.co-columns input[value=added_by]").check()
    desk.locator("details.co-columns input[type=submit]").click()

    desk.wait_for_url("**cols=**")
    assert desk.locator("#result_list th.column-added_by").count() == 1
    desk.goto(f"{live_server.url}/admin/posts/post/")
    assert desk.locator("#result_list th.column-added_by").count() == 1


def test_typing_narrows_a_long_filter_and_choosing_applies_it(
    desk, live_server, admin_login, screenshot, people
):
    admin_login(desk, live_server, people["Owner"])
    desk.goto(f"{live_server.url}/admin/posts/post/")
    wanted = Post.objects.get(post_id="vid00000017")

    desk.locator("form.co-select-filter:has(select[name=subcategory]) input[type=search]").fill(
        "number 017"
    )
    select = desk.locator("select[name=subcategory]")
    visible = select.evaluate("s => Array.from(s.options).filter(o => !o.hidden).length")
    assert visible == 2  # "All" and the one value
    shoot(desk, screenshot, "changelist-posts-long-filter")
    select.select_option(label="Personal Development & Motivation › Topic number 017")

    desk.wait_for_url("**subcategory=**")
    assert desk.locator("#result_list tbody tr").count() == 1
    assert desk.locator(f"#result_list a[href*='/{wanted.pk}/change/']").count() >= 1


@pytest.mark.parametrize("role", ["Editor", "Owner"])
def test_bulk_edit_of_a_selection_in_the_browser(
    desk, live_server, admin_login, screenshot, people, role
):
    board = BoardFactory(name="Clipping")
    admin_login(desk, live_server, people[role])
    desk.goto(f"{live_server.url}/admin/posts/post/")

    rows = desk.locator("#result_list tbody tr")
    for index in range(3):
        rows.nth(index).locator("input.action-select").check()
    desk.select_option("select[name=action]", "bulk_edit_selection")
    desk.locator("button[name=index]").click()
    desk.wait_for_selector("text=3 posts selected")
    assert fits_the_page(desk)
    shoot(desk, screenshot, f"bulk-edit-posts-{role.lower()}")
    desk.select_option("select[name=boards_mode]", "add")
    desk.locator(f"input[name=boards][value='{board.pk}']").check()
    desk.locator("input[name=apply]").click()

    desk.wait_for_selector("text=3 posts changed.")
    assert Post.objects.filter(boards=board).count() == 3
