"""The content board in a real browser at 1440 x 900, as a manager: drag a card from Submitted
to Approved with the mouse (it moves and stays moved after a reload), a refused drag shows the
rule on the card and puts it back, the page never scrolls sideways; a screenshot of the board."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.creators.factories import CreatorFactory
from tests.settings_app.factories import UserFactory
from tests.workflow.factories import comment_make, draft_add, task_make
from workflow.choices import Column
from workflow.models import ContentTask
from workflow.services.tasks import task_move

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")


def submitted(actor, **kwargs):
    task = task_make(**kwargs)
    task_move(task=task, to=Column.IN_PROGRESS, actor=actor)
    draft_add(task, user=actor, text=f"{kwargs['title']}: a caption long enough to be cut short")
    task_move(task=task, to=Column.SUBMITTED, actor=actor)
    return task


def drag(page, source, target) -> None:
    """A real mouse drag: press on the card (its creator's name: the title is a link), move
    in steps, release over the target."""
    target.scroll_into_view_if_needed()
    source.scroll_into_view_if_needed()
    box = source.locator(".kb-creator").bounding_box()
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.mouse.down()
    page.mouse.move(box["x"] + 15, box["y"] + 15, steps=5)
    goal = target.bounding_box()
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + 30, steps=20)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + 34, steps=5)
    page.mouse.up()


def card(page, task):
    return page.locator(f".kb-card[data-task='{task.pk}']")


def column(page, value):
    return page.locator(f"ol.kb-cards[data-column='{value}']")


def test_a_manager_drags_a_card_to_approved_and_a_refused_drag_shows_the_rule(
    page, live_server, admin_login
):
    manager = UserFactory(username="maya", is_staff=True, roles=["Manager"])
    ana = CreatorFactory(display_name="Ana Clips With A Rather Long Name")
    ready = submitted(manager, creator=ana, title="Morning routine reel")
    comment_make(ready, body="Hook is great")
    other = submitted(manager, creator=ana, title="Second take")
    for n in range(6):
        task_make(creator=ana, title=f"Idea {n} for a very long title that wraps on the card")
    page.set_viewport_size({"width": 1440, "height": 900})
    admin_login(page, live_server, manager)

    page.click("text=Content board")
    page.wait_for_selector("#kanban-board.kb-draggable")  # the script is on
    assert card(page, ready).locator(".kb-comments").inner_text().endswith("1")
    drag(page, card(page, ready), column(page, "approved"))

    page.wait_for_selector(f"ol.kb-cards[data-column='approved'] .kb-card[data-task='{ready.pk}']")
    expect(page.locator(".kb-column[data-column='approved'] .kb-count")).to_have_text("1")
    expect(page.locator(".kb-column[data-column='submitted'] .kb-count")).to_have_text("1")
    assert card(page, ready).get_attribute("data-column") == "approved"  # the server's card
    ready.refresh_from_db()
    assert ready.column == Column.APPROVED
    page.reload()
    assert column(page, "approved").locator(f".kb-card[data-task='{ready.pk}']").count() == 1
    assert page.locator(".kb-column[data-column='submitted'] .kb-count").inner_text() == "1"

    # Backlog → Published is no move of the table: refused, the card goes back.
    idea = ContentTask.objects.get(title__startswith="Idea 0")
    page.wait_for_selector("#kanban-board.kb-draggable")
    drag(page, card(page, idea), column(page, "published"))
    error = card(page, idea).locator(".kb-error")
    error.wait_for()
    assert "No move from Backlog to Published" in error.inner_text()
    assert column(page, "backlog").locator(f".kb-card[data-task='{idea.pk}']").count() == 1
    assert column(page, "published").locator(".kb-card").count() == 0
    idea.refresh_from_db()
    assert idea.column == Column.BACKLOG

    # The page body never scrolls sideways; the columns scroll in their own strip.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "kanban.png"), full_page=True)
    other.refresh_from_db()
    assert other.column == Column.SUBMITTED
