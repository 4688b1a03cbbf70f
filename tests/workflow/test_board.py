"""The content board in the admin: columns with counts and cards, the filter bar, a constant
number of queries whatever the number of tasks, and moves (drag-and-drop's JSON endpoint and
the cards' buttons) through the moves table."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.creators.factories import CreatorFactory
from tests.posts.factories import PostFactory
from tests.settings_app.factories import UserFactory
from tests.workflow.factories import CampaignFactory, comment_make, draft_add, task_make
from workflow import admin_board, board
from workflow.choices import Column
from workflow.models import ContentTask, TaskMove
from workflow.services.tasks import task_move

pytestmark = pytest.mark.django_db

BOARD = "/admin/workflow/contenttask/board/"
MOVE = "/admin/workflow/contenttask/board/move/"


def submitted(actor, **kwargs):
    """A task with a draft and a caption, in Submitted."""
    caption = kwargs.pop("caption", "Morning routine, take two")
    task = task_make(**kwargs)
    task_move(task=task, to=Column.IN_PROGRESS, actor=actor)
    draft_add(task, user=actor, text=caption)
    task_move(task=task, to=Column.SUBMITTED, actor=actor)
    return task


def move(client, task, to, *, as_json=True, **extra):
    data = {"task": task.pk, "to": to, **extra}
    headers = {"HTTP_ACCEPT": "application/json"} if as_json else {}
    return client.post(MOVE, data, **headers)


@pytest.fixture
def manager(role_user):
    return role_user("Manager")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def test_the_board_shows_each_column_with_its_count_and_cards(manager_client, manager):
    ana = CreatorFactory(display_name="Ana Clips")
    task = submitted(manager, creator=ana, title="Morning reel", caption="Five habits that stick")
    comment_make(task, body="Looks good")
    comment_make(task, body="Internal: push it", visibility="internal")
    task_make(title="Idea for later", due_at=timezone.now() - timedelta(days=1))

    response = manager_client.get(BOARD)

    assert response.status_code == 200
    columns = {c.value: c for c in response.context["columns"]}
    assert list(columns) == [
        "backlog",
        "in_progress",
        "submitted",
        "needs_changes",
        "approved",
        "scheduled",
        "published",
    ]
    assert (columns["backlog"].count, columns["submitted"].count) == (1, 1)
    card = columns["submitted"].cards[0]
    assert (card.task.creator.display_name, card.caption) == ("Ana Clips", "Five habits that stick")
    assert card.comment_count == 2  # staff read internal comments too
    assert card.thumbnail.endswith((".png", ".jpg", ".jpeg", ".webp", ".gif"))
    assert [c.value for c in card.moves] == ["needs_changes", "approved"]
    assert columns["backlog"].cards[0].overdue
    html = response.content.decode()
    assert "Five habits that stick" in html and "kb-overdue" in html
    assert card.url == reverse("admin:workflow_contenttask_change", args=[task.pk])
    assert f'href="{card.url}"' in html
    assert 'value="approved"' in html  # the button fallback
    assert "Cancelled" not in [c.label for c in response.context["columns"]]


def test_a_creator_login_sees_only_its_tasks_and_never_counts_internal_comments(client):
    user = UserFactory(is_staff=True, roles=["Creator"], username="ana")
    mine = task_make(creator=CreatorFactory(user=user), title="Mine")
    comment_make(mine, body="Shared")
    comment_make(mine, body="Internal", visibility="internal")
    task_make(title="Someone else's")
    client.force_login(user)

    response = client.get(BOARD)

    cards = [card for column in response.context["columns"] for card in column.cards]
    assert [card.task.title for card in cards] == ["Mine"]
    assert cards[0].comment_count == 1
    assert [c.value for c in cards[0].moves] == ["in_progress"]
    assert "Someone else" not in response.content.decode()


def test_the_filter_bar_filters_through_the_workflow_filterset(manager_client, manager):
    ana, ben = CreatorFactory(display_name="Ana"), CreatorFactory(display_name="Ben")
    campaign = CampaignFactory(name="Spring launch")
    task_make(creator=ana, title="Ana's reel", campaign=campaign)
    task_make(creator=ben, title="Ben's short", platform="youtube")
    task_make(creator=ben, title="Ben's late one", due_at=timezone.now() - timedelta(hours=2))

    def titles(query):
        response = manager_client.get(f"{BOARD}?{query}")
        return sorted(c.task.title for col in response.context["columns"] for c in col.cards)

    assert titles(f"creator={ben.pk}") == ["Ben's late one", "Ben's short"]
    assert titles(f"campaign={campaign.pk}") == ["Ana's reel"]
    assert titles(f"client={campaign.client_id}") == ["Ana's reel"]
    assert titles("platform=youtube") == ["Ben's short"]
    assert titles("overdue=true") == ["Ben's late one"]
    page = manager_client.get(f"{BOARD}?creator={ben.pk}").content.decode()
    assert f'<option value="{ben.pk}" selected>Ben</option>' in page  # the bar shows the filter
    response = manager_client.get(f"{BOARD}?creator=ben")
    assert response.status_code == 200
    assert response.context["filter_errors"]  # said, not silently ignored


def test_the_board_reads_in_a_constant_number_of_queries(manager_client, manager):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(BOARD).status_code == 200
        return len(captured)

    submitted(manager, title="First")
    few = queries()
    creators = [CreatorFactory() for _ in range(3)]
    for n in range(24):
        task = submitted(manager, title=f"Task {n}", creator=creators[n % 3])
        comment_make(task)
        if n % 3 == 0:
            task_move(task=task, to=Column.APPROVED, actor=manager)
        if n % 4 == 0:
            task.published_posts.add(PostFactory(thumbnail_url="https://cdn.example/t.jpg"))

    assert queries() == few
    assert few <= 14


def test_a_column_shows_its_first_cards_and_links_the_rest(manager_client, monkeypatch):
    monkeypatch.setattr(admin_board, "CARDS_PER_COLUMN", 3)
    for n in range(5):
        task_make(title=f"Backlog {n}")

    response = manager_client.get(BOARD)

    backlog = response.context["columns"][0]
    assert (backlog.count, len(backlog.cards), backlog.more) == (5, 3, 2)
    assert [c.task.title for c in backlog.cards] == ["Backlog 0", "Backlog 1", "Backlog 2"]
    html = response.content.decode()
    assert "2 more" in html
    assert reverse("admin:workflow_contenttask_changelist") + "?column=backlog" in html
    assert manager_client.get(backlog.more_url).status_code == 200


def test_dragging_a_card_to_approved_moves_it_and_answers_the_new_card(manager_client, manager):
    task = submitted(manager, title="Ready")

    response = move(manager_client, task, "approved")

    assert response.status_code == 200
    body = response.json()
    assert (body["column"], body["position"]) == ("approved", 0)
    assert f'data-task="{task.pk}"' in body["card"] and 'data-column="approved"' in body["card"]
    task.refresh_from_db()
    assert task.column == Column.APPROVED
    last = TaskMove.objects.filter(task=task).latest("at", "id")
    assert (last.from_column, last.to_column, last.actor) == ("submitted", "approved", manager)


def test_a_refused_move_answers_the_rule_that_refused_it(client, role_user):
    editor = role_user("Editor")
    task = submitted(editor, title="Mine to submit, not to approve", assignee=editor)
    client.force_login(editor)

    response = move(client, task, "approved")

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "move_refused"
    assert "“Approve” (Submitted → Approved) is made by a manager" in error["message"]
    task.refresh_from_db()
    assert task.column == Column.SUBMITTED


def test_a_move_the_table_does_not_have_names_where_the_column_goes(manager_client, manager):
    task = task_make(title="Fresh")

    response = move(manager_client, task, "published")

    assert response.status_code == 409
    assert response.json()["error"]["message"] == (
        "No move from Backlog to Published: Backlog goes to In progress, Cancelled."
    )


def test_bad_move_input_answers_a_clear_error_never_a_500(manager_client, manager):
    task = task_make(title="Fresh")
    other = task_make(creator=CreatorFactory(), title="Hidden")

    assert move(manager_client, task, "nowhere").json()["error"]["fields"] == {
        "to": [
            "One of: backlog, in_progress, submitted, needs_changes, approved, scheduled, "
            "published, cancelled."
        ]
    }
    assert move(manager_client, task, "in_progress", position="-1").status_code == 400
    response = manager_client.post(MOVE, {"to": "approved"}, HTTP_ACCEPT="application/json")
    assert response.json()["error"]["fields"] == {"task": ["An id."]}
    ContentTask.objects.filter(pk=other.pk).delete()
    assert move(manager_client, other, "in_progress").status_code == 404


def test_a_card_button_moves_the_task_and_comes_back_to_the_same_filtered_board(
    manager_client, manager
):
    task = submitted(manager, title="Button move")

    response = move(manager_client, task, "approved", as_json=False, next="platform=instagram")

    assert response.status_code == 302
    assert response["Location"] == f"{BOARD}?platform=instagram"
    task.refresh_from_db()
    assert task.column == Column.APPROVED
    page = manager_client.get(response["Location"])
    assert "“Button move” moved to Approved." in page.content.decode()


def test_a_refused_button_move_shows_the_rule_as_a_message(manager_client, manager):
    task = submitted(manager, title="Needs a note")

    response = move(manager_client, task, "needs_changes", as_json=False)

    page = manager_client.get(response["Location"])
    assert "“Ask for changes” needs a note saying what to change." in page.content.decode()
    move(manager_client, task, "needs_changes", as_json=False, note="Shorter hook")
    task.refresh_from_db()
    assert task.column == Column.NEEDS_CHANGES


def test_a_drop_between_two_cards_lands_between_them_even_on_a_filtered_board(
    manager_client, manager
):
    ana, ben = CreatorFactory(), CreatorFactory()
    a1 = task_make(creator=ana, title="a1")
    task_make(creator=ben, title="b1")
    a2 = task_make(creator=ana, title="a2")
    a3 = task_make(creator=ana, title="a3")
    # On Ana's board the Backlog reads a1, a2, a3: drag a3 between a1 and a2.

    response = move(manager_client, a3, "backlog", after=a1.pk, before=a2.pk)

    assert response.status_code == 200
    order = list(ContentTask.objects.order_by("position").values_list("title", flat=True))
    assert order == ["a1", "b1", "a3", "a2"]
    # Then a1 to the bottom of Ana's column (below a2).
    move(manager_client, a1, "backlog", after=a2.pk)
    order = list(ContentTask.objects.order_by("position").values_list("title", flat=True))
    assert order == ["b1", "a3", "a2", "a1"]


def test_drop_positions_follow_the_neighbours(manager):
    tasks = [task_make(title=f"t{n}") for n in range(4)]
    t0, t1, t2, t3 = tasks
    assert board.board_drop_position(t0, to="backlog", after=t2, before=t3) == 2
    assert board.board_drop_position(t3, to="backlog", after=None, before=t0) == 0
    assert board.board_drop_position(t1, to="in_progress", after=None, before=None) is None
    assert board.board_drop_position(t3, to="backlog", after=t1, before=None) == 2


def test_the_board_is_in_the_menu_for_those_who_may_open_it(client, role_user):
    for role, shown in (("Manager", True), ("Editor", True), ("Finance", False)):
        user = role_user(role, username=f"{role}-menu")
        client.force_login(user)
        index = client.get("/admin/").content.decode()
        assert ("Content board" in index) is shown, role
        assert client.get(BOARD).status_code == (200 if shown else 403)


def test_moves_of_the_json_endpoint_use_the_csrf_token_of_the_page(manager, client):
    from django.test import Client

    task = submitted(manager, title="Guarded")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(manager)
    page = strict.get(BOARD).content.decode()
    token = page.split('data-csrf="', 1)[1].split('"', 1)[0]

    refused = strict.post(MOVE, {"task": task.pk, "to": "approved"})
    accepted = strict.post(
        MOVE,
        {"task": task.pk, "to": "approved"},
        HTTP_ACCEPT="application/json",
        HTTP_X_CSRFTOKEN=token,
    )

    assert refused.status_code == 403
    assert accepted.status_code == 200, json.loads(accepted.content)
