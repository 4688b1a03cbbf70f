import pytest

from tests.creators.factories import CreatorFactory
from tests.settings_app.factories import UserFactory
from tests.workflow.factories import draft_add, task_make
from workflow.choices import Column
from workflow.models import ContentTask, TaskMove
from workflow.services.tasks import MoveRefused, task_move

pytestmark = pytest.mark.django_db


def test_a_creator_starts_and_submits_their_own_task():
    user = UserFactory(is_staff=True, roles=["Creator"])
    task = task_make(creator=CreatorFactory(user=user))
    task_move(task=task, to=Column.IN_PROGRESS, actor=user)
    with pytest.raises(MoveRefused, match="needs a draft"):
        task_move(task=task, to=Column.SUBMITTED, actor=user)
    draft_add(task, user=user)
    task_move(task=task, to=Column.SUBMITTED, actor=user)
    with pytest.raises(MoveRefused, match="made by a manager or the client's review link"):
        task_move(task=task, to=Column.APPROVED, actor=user)
    assert list(TaskMove.objects.filter(task=task).values_list("to_column", flat=True)) == [
        "backlog",
        "in_progress",
        "submitted",
    ]


def test_positions_stay_dense_when_cards_move_and_reorder(staff):
    tasks = [task_make(title=f"t{i}") for i in range(4)]
    task_move(task=tasks[1], to=Column.IN_PROGRESS, actor=staff)
    task_move(task=tasks[3], to=Column.IN_PROGRESS, actor=staff, position=0)
    task_move(task=tasks[0], to=Column.BACKLOG, actor=staff, position=5)
    rows = list(
        ContentTask.objects.order_by("column", "position").values_list(
            "column", "position", "title"
        )
    )
    assert rows == [
        ("backlog", 0, "t2"),
        ("backlog", 1, "t0"),
        ("in_progress", 0, "t3"),
        ("in_progress", 1, "t1"),
    ]
