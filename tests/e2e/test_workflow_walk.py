"""One deliverable walked end to end in a real browser at 1440 x 900, as its people do it:
the manager creates a campaign and a deliverable (its task is created) in the admin; the
creator, signed in with the Creator role, starts the task, hands in a draft and a caption and
submits; the manager asks for changes with a comment; the creator adds a new caption version
and submits again; the manager sends a client review link; the client (no login) approves it
with a comment; the manager schedules the task on its target account; the publishing job runs
in-process against the fake Instagram and publishes; the task is Published by itself with its
tracked post linked; the stats refresh job runs in-process and reads the post's first stats
through the connection's own token (the account's own Graph node); the task and the post's
admin page show them; each person's inbox holds what they should hear about.

Every page is screenshotted (tests/e2e/artifacts/walk-*.png) and checked: no sideways scroll,
no exception text, and no link on it that answers 403 to the person looking at it."""

from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.test import Client as DjangoClient
from django.utils import timezone

from notifications.models import Notification
from operations.jobs import publish_due_targets, refresh_post_stats
from platforms.providers import registry
from posts.models import Post
from publishing.choices import ConnectionMethod, TargetState
from publishing.models import PublishTarget
from tests.creators.factories import AccountFactory, CreatorFactory
from tests.platforms.publish_fakes import TOKEN
from tests.publishing.factories import SocialConnectionFactory
from tests.publishing.media_samples import image_bytes
from tests.publishing.publish_setup import fake_platforms
from tests.settings_app.factories import ClientFactory, UserFactory
from workflow.choices import Column
from workflow.models import ContentTask, Deliverable, ReviewLink

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORT = {"width": 1440, "height": 900}
PASSWORD = "walk-pass-123"
# What a page must never show: Django's or Python's error pages.
RAW_ERRORS = ("Traceback", "Server Error (500)", "Exception Value", "OperationalError")


IG_USER = "17841407673135339"  # shared/samples/ig_graph_own_user_fields.json


@pytest.fixture
def fakes(settings, tmp_path):
    # Instagram stats through the Graph API only, and only with the connection's own token:
    # the agency has no Business Discovery account of its own here.
    settings.PLATFORM_PROVIDERS = {"instagram": ["instagram_graph"], "tiktok": [], "youtube": []}
    settings.INSTAGRAM_GRAPH_TOKEN = settings.INSTAGRAM_GRAPH_USER_ID = ""
    registry.clear_cache()
    yield from fake_platforms(settings, tmp_path)
    registry.clear_cache()


class Person:
    """One person's browser (own cookies) and the Django user behind it (or None: the
    client), who looks at every page they open."""

    def __init__(self, browser, live_server, screenshot, name, user=None):
        self.context = browser.new_context(viewport=VIEWPORT, locale="en-US")
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.live_server, self.screenshot, self.name, self.user = (
            live_server,
            screenshot,
            name,
            user,
        )
        self.shots = 0
        self.http = DjangoClient()
        if user is not None:
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
            self.http.force_login(user)
            self.page.goto(f"{live_server.url}/admin/login/?next=/admin/")
            self.page.fill("#id_username", user.get_username())
            self.page.fill("#id_password", PASSWORD)
            self.page.click("input[type=submit]")
            self.page.wait_for_url(f"{live_server.url}/admin/")
            self.check("index")

    def go(self, path: str, what: str) -> None:
        self.page.goto(f"{self.live_server.url}{path}")
        self.check(what)

    def check(self, what: str) -> None:
        """The page as this person sees it: screenshot, fits 1440 px, no raw exception, and
        every admin link on it opens for them (not 403)."""
        page = self.page
        page.wait_for_load_state("load")
        self.shots += 1
        self.screenshot(page, f"walk-{self.name}-{self.shots:02d}-{what}")
        html = page.content()
        for marker in RAW_ERRORS:
            assert marker not in html, (self.name, what, marker)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            self.name,
            what,
        )
        if self.user is None:
            return
        hrefs = page.eval_on_selector_all(
            "a[href]", "links => links.map(a => a.getAttribute('href'))"
        )
        for href in sorted(set(hrefs)):
            path = urlparse(href).path if href.startswith("http") else href
            if not path.startswith("/admin/") or path.startswith("/admin/logout"):
                continue
            status = self.http.get(href).status_code
            assert status != 403, (self.name, what, href)


# The placeholder's text width, in the field's own font, within the field's inner width.
PLACEHOLDER_FITS = """field => {
    const style = getComputedStyle(field);
    const pen = document.createElement("canvas").getContext("2d");
    pen.font = style.font;
    const inner = field.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return pen.measureText(field.placeholder).width <= inner;
}"""


def test_one_deliverable_from_campaign_to_published_post(
    browser, live_server, screenshot, fakes, settings
):
    settings.MEDIA_PUBLIC_BASE_URL = "https://media.example.com/media"
    manager = UserFactory(
        username="mona", first_name="Mona", is_staff=True, roles=["Manager"], email="m@x.test"
    )
    maya_user = UserFactory(username="maya", is_staff=True, roles=["Creator"])
    maya = CreatorFactory(user=maya_user, display_name="Maya Reels", timezone="Europe/Berlin")
    account = AccountFactory(creator=maya, platform="instagram", username="maya.reels")
    SocialConnectionFactory(
        account=account,
        method=ConnectionMethod.INSTAGRAM_LOGIN,
        access_token=TOKEN,
        meta={"ig_user_id": IG_USER},  # as Instagram Login's OAuth stores it
    )
    acme = ClientFactory(name="Acme Drinks")
    # Another creator in the same campaign: Maya must never see her.
    other = CreatorFactory(display_name="Olga Other")

    # --- The manager: a campaign, then a deliverable whose task is created ----------------
    mona = Person(browser, live_server, screenshot, "manager", manager)
    mona.go("/admin/workflow/campaign/add/", "campaign-add")
    page = mona.page
    page.select_option("#id_client", str(acme.pk))
    page.fill("#id_name", "Summer launch")
    page.fill("#id_brief", "Two reels about the new lemon soda. Bright, outdoors.")
    page.select_option("#id_status", "active")
    page.click("input[name=_continue]")
    page.wait_for_selector("#campaign-progress")
    mona.check("campaign-page")
    page.click("text=Add a deliverable")
    page.wait_for_selector("#id_creator")
    mona.check("deliverable-add")
    page.fill("#id_creator", str(maya.pk))
    page.select_option("#id_platform", "instagram")
    page.select_option("#id_kind", "reel")
    page.fill("#id_quantity", "1")
    due = timezone.localtime() + timedelta(days=5)
    page.fill("#id_due_0", due.strftime("%Y-%m-%d"))
    page.fill("#id_due_1", "12:00:00")
    assert page.is_checked("#id_create_tasks")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    mona.check("deliverables")
    deliverable = Deliverable.objects.get(creator=maya)
    task = ContentTask.objects.get(deliverable=deliverable)
    assert task.column == Column.BACKLOG
    assert list(task.target_accounts.all()) == [account]
    from workflow.services.campaigns import deliverable_create

    deliverable_create(
        campaign=deliverable.campaign, creator=other, platform="instagram", kind="reel"
    )
    task_url = f"/admin/workflow/contenttask/{task.pk}/change/"

    # --- The creator: start, hand in a draft and a caption, submit -------------------------
    creator = Person(browser, live_server, screenshot, "creator", maya_user)
    page = creator.page
    page.click("text=Content board")
    page.wait_for_selector(f".kb-card[data-task='{task.pk}']")
    creator.check("board")
    assert "Olga Other" not in page.content()
    page.click(f".kb-card[data-task='{task.pk}'] a.kb-title")
    page.wait_for_selector("#task-workspace")
    creator.check("task-backlog")
    page.click("#task-moves button[data-to=in_progress]")
    page.wait_for_selector(".messagelist .success")
    page.set_input_files(
        "#draft-form input[type=file]",
        files=[{"name": "lemon.jpg", "mimeType": "image/jpeg", "buffer": image_bytes()}],
    )
    page.click("#draft-form button")
    page.wait_for_selector("text=Draft version 1 handed in")
    # The hashtags field shows its whole placeholder (it was cut off at the default width).
    assert page.eval_on_selector("#caption-form input[name=hashtags]", PLACEHOLDER_FITS)
    page.fill("#caption-form textarea", "Lemon soda, sunny day")
    page.fill("#caption-form input[name=hashtags]", "#lemon summer")
    page.click("#caption-form button")
    page.wait_for_selector("text=Caption version 1 added")
    page.click("#task-moves button[data-to=submitted]")
    page.wait_for_selector("text=Moved to Submitted")
    creator.check("task-submitted")
    task.refresh_from_db()
    assert task.column == Column.SUBMITTED

    # --- The manager asks for changes with a comment ---------------------------------------
    mona.go(task_url, "task-to-review")
    page = mona.page
    assert "Lemon soda, sunny day" in page.inner_text("#task-captions")
    page.fill("#comment-form textarea", "Love the light. Mention the 0 % sugar, please.")
    page.click("#comment-form button")
    page.wait_for_selector("text=Comment added.")
    page.fill("#task-moves input[name=note]", "Say 0 % sugar in the caption")
    page.click("#task-moves button[data-to=needs_changes]")
    page.wait_for_selector("text=Moved to Needs changes")
    mona.check("task-needs-changes")

    # --- The creator: a new caption version, submitted again -------------------------------
    creator.go("/admin/notifications/notification/", "inbox")
    assert "Say 0 % sugar in the caption" in creator.page.content()
    creator.go(task_url, "task-needs-changes")
    page = creator.page
    assert "Mention the 0 % sugar" in page.inner_text("#task-comments")
    page.fill("#caption-form textarea", "Lemon soda, 0 % sugar, sunny day")
    page.fill("#caption-form input[name=hashtags]", "lemon summer")
    page.click("#caption-form button")
    page.wait_for_selector("text=Caption version 2 added")
    assert "0 % sugar," in page.inner_text("#caption-diff ins")
    page.click("#task-moves button[data-to=submitted]")
    page.wait_for_selector("text=Moved to Submitted")
    creator.check("task-resubmitted")

    # --- The manager sends a client review link ---------------------------------------------
    mona.go(task_url, "task-resubmitted")
    page = mona.page
    page.fill("#task-review-links input[name=reviewer_name]", "Carla at Acme")
    page.click("#task-review-links button:has-text('Create a review link')")
    message = page.locator(".messagelist .success", has_text="Review link").inner_text()
    review_url = message.split("copy it now): ")[1].strip()
    mona.check("review-link-created")
    assert ReviewLink.objects.filter(task=task).count() == 1

    # --- The client: no login, approves with a comment --------------------------------------
    carla = Person(browser, live_server, screenshot, "client")
    carla.page.goto(review_url)
    carla.check("review")
    page = carla.page
    assert "Lemon soda, 0 % sugar, sunny day" in page.inner_text(f"#review-task-{task.pk}")
    assert "Olga" not in page.content()
    page.fill(f"#comment-{task.pk}", "Perfect, ship it!")
    page.click(f"#review-task-{task.pk} button.review-approve")
    page.wait_for_selector("#review-done")
    carla.check("review-approved")
    task.refresh_from_db()
    assert task.column == Column.APPROVED

    # --- The manager schedules it on the task's target account ------------------------------
    mona.go(task_url, "task-approved")
    page = mona.page
    assert "Perfect, ship it!" in page.inner_text("#task-comments")
    when = (timezone.now() + timedelta(hours=3)).astimezone(
        timezone.zoneinfo.ZoneInfo("Europe/Berlin")
    )
    page.fill("#schedule-form input[name=scheduled_at]", when.strftime("%Y-%m-%dT%H:%M"))
    page.click("#schedule-form button")
    page.wait_for_selector("text=Moved to Scheduled")
    mona.check("task-scheduled")
    task.refresh_from_db()
    assert task.column == Column.SCHEDULED
    target = PublishTarget.objects.get(post=task.scheduled_post)
    assert target.connection.account == account
    assert target.state == TargetState.SCHEDULED

    # --- The worker: three hours later, the publishing job publishes it ---------------------
    publish_due_targets(now=timezone.now() + timedelta(hours=3, minutes=1))
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED, target.error
    assert len(fakes["instagram"].posts) == 1
    assert fakes["instagram"].posts[0]["caption"].startswith("Lemon soda, 0 % sugar")

    task.refresh_from_db()
    assert task.column == Column.PUBLISHED  # nobody moved it: publishing's hook did
    post = Post.objects.get(url=target.published_url)
    assert list(task.published_posts.all()) == [post]
    assert post.likes is None  # no stats before the refresh

    # --- The worker: the stats refresh reads the post's first stats with the account's token
    instagram = fakes["instagram"]
    instagram.posts[0].update(like_count=240, comments_count=18)
    refresh_post_stats()
    (read,) = [c for c in instagram.calls if c.operation == "own_media"]
    assert read.path.endswith(f"/{IG_USER}") and read.headers["authorization"] == f"Bearer {TOKEN}"
    post.refresh_from_db()
    assert (post.likes, post.comments, post.views) == (240, 18, None), post.refresh_error

    mona.go(task_url, "task-published")
    page = mona.page
    assert "Published" in page.inner_text("#task-brief h2")
    assert target.published_url in page.inner_text("#task-published")
    # Post | Published | Views | Likes | Comments: Instagram gives no views, so "—".
    cells = page.locator("#task-published tbody tr td").all_inner_texts()
    assert [c.strip() for c in cells[2:]] == ["—", "240", "18"], cells
    page.click("#task-published tbody a")
    page.wait_for_selector(".field-likes_display")
    mona.check("post-first-stats")

    def stat(field):
        return page.inner_text(f".fieldBox.field-{field} .readonly").strip()

    assert (stat("likes_display"), stat("comments_display"), stat("views_display")) == (
        "240",
        "18",
        "—",
    )
    mona.go(f"/admin/workflow/campaign/{deliverable.campaign_id}/change/", "campaign-delivered")
    assert target.published_url in mona.page.inner_text("#campaign-progress")
    creator.go(task_url, "task-published")
    assert target.published_url in creator.page.inner_text("#task-published")
    assert "240" in creator.page.inner_text("#task-published tbody")  # her post's likes
    creator.go(f"/admin/workflow/campaign/{deliverable.campaign_id}/change/", "campaign")
    assert "Olga Other" not in creator.page.content()

    # --- Everyone's inbox --------------------------------------------------------------------
    def kinds(user):
        return sorted(Notification.objects.filter(user=user).values_list("kind", flat=True))

    assert kinds(maya_user) == sorted(["needs_changes", "approved", "scheduled", "published"])
    assert kinds(manager) == sorted(["submitted", "submitted", "approved", "published"])
    creator.go("/admin/notifications/notification/", "inbox-end")
    mona.go("/admin/notifications/notification/", "inbox-end")
    assert "Published" in mona.page.inner_text("#content")
    for person in (mona, creator, carla):
        person.context.close()
