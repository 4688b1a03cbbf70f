"""Positions in a column stay dense (0, 1, 2…) and unique through moves and reorders, and two
people moving cards at the same moment never lose nor duplicate one (real threads, each with
its own database connection: SQLite serializes them, PostgreSQL locks the columns' rows)."""

import threading

import pytest
from django.db import connection

from tests.workflow.factories import task_make
from workflow.choices import Column
from workflow.models import ContentTask
from workflow.services.tasks import task_move

pytestmark = pytest.mark.django_db


def columns() -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for column, position, title in ContentTask.objects.order_by("column", "position").values_list(
        "column", "position", "title"
    ):
        result.setdefault(column, []).append(title)
        assert position == len(result[column]) - 1, (column, position, title)
    return result


def test_reordering_within_a_column_moves_the_card_and_shifts_the_others(staff):
    tasks = [task_make(title=f"t{i}") for i in range(5)]
    task_move(task=tasks[4], to=Column.BACKLOG, actor=staff, position=1)
    assert columns()["backlog"] == ["t0", "t4", "t1", "t2", "t3"]
    task_move(task=tasks[0], to=Column.BACKLOG, actor=staff, position=99)
    assert columns()["backlog"] == ["t4", "t1", "t2", "t3", "t0"]


def test_moving_between_columns_closes_the_gap_and_opens_a_place(staff):
    tasks = [task_make(title=f"t{i}") for i in range(4)]
    task_move(task=tasks[1], to=Column.IN_PROGRESS, actor=staff)
    task_move(task=tasks[2], to=Column.IN_PROGRESS, actor=staff, position=0)
    assert columns() == {"backlog": ["t0", "t3"], "in_progress": ["t2", "t1"]}


def test_a_stale_card_is_refused_rather_than_moved_twice(staff):
    task = task_make()
    stale = ContentTask.objects.get(pk=task.pk)
    task_move(task=task, to=Column.IN_PROGRESS, actor=staff)
    from core.errors import ConflictError

    with pytest.raises(ConflictError, match="moved this task to In progress"):
        task_move(task=stale, to=Column.IN_PROGRESS, actor=staff)


@pytest.mark.django_db(transaction=True)
def test_two_people_moving_cards_at_once_lose_and_duplicate_nothing(django_user_model):
    from tests.settings_app.factories import UserFactory

    staff = UserFactory(is_staff=True, roles=["Owner"])
    cards = [task_make(title=f"c{i}") for i in range(16)]
    halves = [cards[0::2], cards[1::2]]
    errors: list[Exception] = []
    start = threading.Barrier(2)

    def work(mine):
        try:
            start.wait()
            for i, card in enumerate(mine):
                card.refresh_from_db()
                task_move(
                    task=card, to=Column.IN_PROGRESS, actor=staff, position=0 if i % 2 else None
                )
                card.refresh_from_db()
                task_move(task=card, to=Column.IN_PROGRESS, actor=staff, position=1)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(half,)) for half in halves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    board = columns()
    assert sorted(board["in_progress"]) == sorted(c.title for c in cards)
    assert "backlog" not in board
