"""The admin workspace in a real browser: add two trial reels by URL, approve one and reject
the other on the trial reels board; the creator page draws its two charts; screenshots of the
board, a creator page and a post page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from posts.choices import TrialStatus
from posts.models import Post
from tests.creators.factories import AccountFactory, AccountSnapshotFactory
from tests.posts.factories import PostFactory, PostSnapshotFactory
from tests.settings_app.factories import ClientFactory, EditorFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEEP = "https://www.instagram.com/reel/DKeepThis01/"
DROP = "https://www.instagram.com/reel/DDropThis02/"


def noon(days_ago: int):
    return timezone.now().replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(
        days=days_ago
    )


def test_add_then_approve_and_reject_trial_reels(page, live_server, admin_login, screenshot):
    user = UserFactory(username="lead", is_staff=True, is_superuser=True)
    ClientFactory(name="Acme")
    EditorFactory(name="Ana")
    admin_login(page, live_server, user)

    page.click("text=Trial reels board")  # linked from the admin index, under Posts
    page.click("#add-trials")
    assert page.is_checked("input[name=is_trial]")  # preselected from the board's link
    page.fill("textarea[name=urls]", f"{KEEP}\n{DROP}\n")
    page.select_option("select[name=client]", label="Acme")
    page.select_option("select[name=editor]", label="Ana")
    page.click("#post_bulk_add_form input[type=submit]")
    page.wait_for_selector("#bulk-add-results")
    assert page.locator("tr.bulk-result-created").count() == 2

    keep, drop = Post.objects.get(post_id="DKeepThis01"), Post.objects.get(post_id="DDropThis02")
    assert keep.is_trial and keep.trial_status == TrialStatus.PENDING
    # Stats arrive with the refresh jobs; here, a few days of history for the sparklines.
    for views, post in ((5000, keep), (300, drop)):
        for days_ago in (3, 2, 1):
            PostSnapshotFactory(post=post, captured_at=noon(days_ago), views=views // days_ago)
        Post.objects.filter(pk=post.pk).update(views=views, likes=views // 10)

    page.goto(f"{live_server.url}/admin/posts/post/trial-board/")
    assert page.locator("tr.trial-row").count() == 2
    assert "Acme · Ana" in page.inner_text("#trial-board")
    assert page.locator("tr.trial-row svg.co-sparkline[data-points='3']").count() == 2
    screenshot(page, "trial_board")

    page.fill("#id_note", "Strong hook")
    page.locator(f"tr.trial-row[data-id='{keep.pk}']").get_by_role("button", name="Approve").click()
    page.wait_for_selector("ul.messagelist")
    assert "1 trial reel(s) approved" in page.inner_text("ul.messagelist")
    assert page.locator("tr.trial-row").count() == 1

    page.locator(f"tr.trial-row[data-id='{drop.pk}']").get_by_role("button", name="Reject").click()
    page.wait_for_selector("text=1 trial reel(s) rejected")
    assert page.locator("tr.trial-row").count() == 0
    assert "No pending trial reel here" in page.inner_text("#trial-board")
    page.get_by_role("link", name="Rejected", exact=True).click()
    page.wait_for_url("**/trial-board/?status=rejected")
    assert page.locator(f"tr.trial-row[data-id='{drop.pk}']").count() == 1

    keep.refresh_from_db()
    drop.refresh_from_db()
    assert (keep.is_trial, keep.trial_status, keep.trial_note) == (
        False,
        TrialStatus.APPROVED,
        "Strong hook",
    )
    assert (keep.trial_decided_by, keep.processing_status, keep.views) == (user, "pending", 5000)
    assert (drop.is_trial, drop.trial_status, drop.trial_decided_by) == (
        True,
        TrialStatus.REJECTED,
        user,
    )
    assert drop.snapshots.count() == 3  # the post and its history are kept

    page.goto(f"{live_server.url}/admin/posts/post/{keep.pk}/change/")
    assert page.locator("#post-views-chart circle.co-point").count() == 3
    screenshot(page, "post_page")


def test_the_creator_page_draws_both_charts(page, live_server, admin_login, screenshot):
    user = UserFactory(username="analyst", is_staff=True, is_superuser=True)
    account = AccountFactory(
        username="ana.clips", full_name="Ana Clips", biography="Daily clips", followers=15_000
    )
    for days_ago in range(14, 0, -1):
        AccountSnapshotFactory(
            account=account, captured_at=noon(days_ago), followers=15_000 - days_ago * 120
        )
    post = PostFactory(account=account, post_date=noon(20), views=9000, username="ana.clips")
    for days_ago in range(10, 0, -1):
        PostSnapshotFactory(post=post, captured_at=noon(days_ago), views=9000 - days_ago * 700)
    admin_login(page, live_server, user)

    page.goto(f"{live_server.url}/admin/creators/account/")
    page.click("text=@ana.clips")
    page.wait_for_selector("#creator-workspace")

    assert page.locator("#followers-chart circle.co-point").count() == 14
    assert page.locator("#views-chart circle.co-point").count() == 10
    assert page.get_attribute("#views-chart", "data-points") == "10"
    assert page.locator("#views-chart").bounding_box()["width"] > 300  # drawn, not collapsed
    assert "Ana Clips" in page.inner_text("#creator-workspace")
    assert page.locator("#recent-posts tbody tr").count() == 1
    screenshot(page, "creator_page")


def test_select_all_then_approve_the_selection(page, live_server, admin_login, screenshot):
    user = UserFactory(username="manager", is_staff=True, is_superuser=True)
    trials = [
        PostFactory(is_trial=True, trial_status=TrialStatus.PENDING, views=views)
        for views in (900, 500, 100)
    ]
    admin_login(page, live_server, user)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.goto(f"{live_server.url}/admin/posts/post/trial-board/")
    assert page.locator("tr.trial-row").count() == 3
    page.check("#select-all")  # a static script, no inline handler: allowed by the CSP
    assert page.locator("#trial-board input[name=ids]:checked").count() == 3
    page.locator("#trial-board input[name=ids]").first.uncheck()
    assert page.evaluate("document.getElementById('select-all').indeterminate")
    page.check("#select-all")
    screenshot(page, "trial_board_select_all")
    page.fill("#id_note", "All three hooks work")
    page.click("input[name=approve]")

    page.wait_for_selector("ul.messagelist")
    assert "3 trial reel(s) approved" in page.inner_text("ul.messagelist")
    assert page.locator("tr.trial-row").count() == 0
    assert not [e for e in errors if "Content Security Policy" in e]
    for post in trials:
        post.refresh_from_db()
        assert (post.trial_status, post.trial_decided_by, post.trial_note) == (
            TrialStatus.APPROVED,
            user,
            "All three hooks work",
        )


def test_a_video_is_previewed_on_the_board(page, live_server, admin_login):
    user = UserFactory(username="reviewer", is_staff=True, is_superuser=True)
    video = PostFactory(
        is_trial=True,
        trial_status=TrialStatus.PENDING,
        platform="youtube",
        post_id="dQw4w9WgXcQ",
        url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    )
    admin_login(page, live_server, user)
    blocked = []
    page.on(
        "console",
        lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None,
    )

    page.goto(f"{live_server.url}/admin/posts/post/trial-board/")
    page.click(f"tr.trial-row[data-id='{video.pk}'] a.co-preview")

    frame = page.locator("tr.co-preview-row iframe")
    assert frame.get_attribute("src") == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert page.url.endswith("/trial-board/")  # stayed on the board
    page.wait_for_timeout(300)
    assert blocked == []
    page.click(f"tr.trial-row[data-id='{video.pk}'] a.co-preview")
    assert page.locator("tr.co-preview-row").count() == 0
