"""The client's review page: no login, the draft and the latest caption, Approve / Request
changes through the moves table, every use audited; an expired, revoked or unknown link shows
a clear page and never the content."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from tests.workflow.conftest import task_in
from tests.workflow.factories import CampaignFactory
from workflow.choices import Column
from workflow.models import Comment, ReviewLink, ReviewLinkUse, TaskMove
from workflow.services.review import review_link_create, review_link_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser():
    return Client(enforce_csrf_checks=True)


def _csrf(page) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)


def submitted(**kwargs):
    task = task_in(Column.SUBMITTED, title="Beach reel", **kwargs)
    task.captions.update(text="Sunny days ahead")
    return task


def test_the_page_shows_the_draft_and_latest_caption_without_login(staff, browser):
    task = submitted()
    _, token = review_link_create(created_by=staff, task=task)

    page = browser.get(f"/review/{token}/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "Beach reel" in html and "Sunny days ahead" in html
    assert "<img" in html and "/media/publishing/" in html
    assert "<script" not in html and "admin" not in html.lower()
    assert ReviewLinkUse.objects.get().action == "view"


def test_the_client_approves_through_the_moves_table_and_it_is_audited(staff, browser):
    task = submitted()
    _, token = review_link_create(created_by=staff, task=task, reviewer_name="Acme (Jo)")
    page = browser.get(f"/review/{token}/")

    answer = browser.post(
        f"/review/{token}/",
        {"csrfmiddlewaretoken": _csrf(page), "task": task.pk, "action": "approve", "comment": ""},
        REMOTE_ADDR="203.0.113.7",
    )

    task.refresh_from_db()
    move = TaskMove.objects.filter(task=task).order_by("-id").first()
    assert answer.status_code == 302
    assert task.column == Column.APPROVED
    assert (move.via, move.actor) == ("review_link", None)
    assert "Acme (Jo)" in move.note
    use = ReviewLinkUse.objects.get(action="approve")
    assert (use.task, use.ip) == (task, "203.0.113.7")
    assert "approved" in browser.get(answer["Location"]).content.decode()


def test_asking_for_changes_needs_a_comment_which_the_creator_then_sees(staff, browser):
    task = submitted()
    _, token = review_link_create(created_by=staff, task=task, reviewer_name="Jo")
    page = browser.get(f"/review/{token}/")
    data = {"csrfmiddlewaretoken": _csrf(page), "task": task.pk, "action": "request_changes"}

    empty = browser.post(f"/review/{token}/", {**data, "comment": "  "})
    task.refresh_from_db()
    assert empty.status_code == 400 and task.column == Column.SUBMITTED
    assert "Say what to change" in empty.content.decode()

    browser.post(f"/review/{token}/", {**data, "comment": "Brighter first frame"})
    task.refresh_from_db()
    assert task.column == Column.NEEDS_CHANGES
    comment = Comment.objects.get(task=task)
    assert (comment.body, comment.author_name, comment.visibility) == (
        "Brighter first frame",
        "Jo",
        "shared",
    )


def test_a_post_without_the_csrf_token_is_refused(staff, browser):
    task = submitted()
    _, token = review_link_create(created_by=staff, task=task)
    answer = browser.post(f"/review/{token}/", {"task": task.pk, "action": "approve"})
    task.refresh_from_db()
    assert answer.status_code == 403 and task.column == Column.SUBMITTED


@pytest.mark.parametrize("why", ["expired", "revoked", "unknown"])
def test_a_dead_link_shows_a_clear_page_never_the_content(staff, browser, why):
    task = submitted()
    link, token = review_link_create(created_by=staff, task=task)
    if why == "expired":
        ReviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    elif why == "revoked":
        review_link_revoke(link, by=staff)
    else:
        token = token[:-2] + "xx"

    for answer in (
        browser.get(f"/review/{token}/"),
        browser.post(f"/review/{token}/", {"task": task.pk, "action": "approve"}),
    ):
        html = answer.content.decode()
        assert answer.status_code in (403, 404, 410)
        assert "Beach reel" not in html and "Sunny days" not in html
    assert why in browser.get(f"/review/{token}/").content.decode() or why == "unknown"
    task.refresh_from_db()
    assert task.column == Column.SUBMITTED
    assert ReviewLinkUse.objects.filter(action="refused").exists()


def test_a_campaign_link_shows_only_its_submitted_tasks_and_decides_one(staff, browser):
    campaign = CampaignFactory(name="Summer")
    waiting = submitted(campaign=campaign)
    in_progress = task_in(Column.IN_PROGRESS, title="Still filming", campaign=campaign)
    elsewhere = submitted()
    _, token = review_link_create(created_by=staff, campaign=campaign)

    page = browser.get(f"/review/{token}/")
    html = page.content.decode()
    assert f'id="review-task-{waiting.pk}"' in html
    assert "Still filming" not in html
    assert f'id="review-task-{elsewhere.pk}"' not in html

    # A task outside the link's scope cannot be decided through it.
    outside = browser.post(
        f"/review/{token}/",
        {"csrfmiddlewaretoken": _csrf(page), "task": elsewhere.pk, "action": "approve"},
    )
    elsewhere.refresh_from_db()
    in_progress.refresh_from_db()
    assert outside.status_code == 400 and elsewhere.column == Column.SUBMITTED


def test_many_attempts_from_one_address_are_slowed_down(staff, browser, settings):
    from workflow import views

    task = submitted()
    _, token = review_link_create(created_by=staff, task=task)
    limit = views.ATTEMPTS_PER_MINUTE
    answers = [browser.get(f"/review/{token}/").status_code for _ in range(limit + 1)]
    assert answers[:limit] == [200] * limit
    assert answers[-1] == 429


def test_the_page_lets_a_browser_post_its_origin_for_the_csrf_check(staff, browser):
    # Under "no-referrer" browsers post forms with "Origin: null" and the CSRF check refused
    # every approval from a real browser (found by tests/e2e/test_workflow_walk.py).
    task = submitted()
    _, token = review_link_create(created_by=staff, task=task)

    html = browser.get(f"/review/{token}/").content.decode()

    policy = re.search(r'<meta name="referrer" content="([^"]+)">', html).group(1)
    assert policy == "same-origin"
    answer = browser.post(
        f"/review/{token}/",
        {
            "task": task.pk,
            "action": "approve",
            "comment": "",
            "csrfmiddlewaretoken": _csrf_of(html),
        },
        headers={"Origin": "http://testserver"},
    )
    assert answer.status_code == 302
    task.refresh_from_db()
    assert task.column == Column.APPROVED


def _csrf_of(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_the_draft_image_the_page_shows_is_served_in_development(
    staff, browser, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    task = submitted()
    stored = tmp_path / task.assets.get().media.file.name  # factories write no file
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"\xff\xd8 a draft")
    _, token = review_link_create(created_by=staff, task=task)
    html = browser.get(f"/review/{token}/").content.decode()
    src = re.search(r'<img[^>]+src="(/media/[^"]+)"', html).group(1)

    image = browser.get(src)

    assert image.status_code == 200
    assert b"".join(image.streaming_content) == b"\xff\xd8 a draft"
