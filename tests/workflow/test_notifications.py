"""Moves tell the people concerned, once per move: the assignee hears of a submission, the
creator of a request for changes, both of an approval; nobody hears of their own move; a
failed publish tells the staff following the task."""

import pytest

from notifications.models import Notification
from tests.settings_app.factories import UserFactory
from tests.workflow.conftest import task_in
from workflow.choices import Column
from workflow.services.tasks import task_move

pytestmark = pytest.mark.django_db


def kinds_of(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user).order_by("id").values_list("kind", flat=True)
    )


def test_each_move_tells_the_people_it_concerns_once(
    creator_login, django_capture_on_commit_callbacks
):
    manager = UserFactory(is_staff=True, roles=["Manager"])
    user, creator = creator_login()
    task = task_in(Column.IN_PROGRESS, creator=creator, assignee=manager)

    with django_capture_on_commit_callbacks(execute=True):
        task_move(task=task, to=Column.SUBMITTED, actor=user)
        task_move(task=task, to=Column.NEEDS_CHANGES, actor=manager, note="Louder music")

    assert kinds_of(manager) == ["submitted"]
    assert kinds_of(user) == ["needs_changes"]
    assert "Louder music" in Notification.objects.get(user=user).text


def test_a_client_approval_tells_the_creator_and_the_assignee(creator_login):
    manager = UserFactory(is_staff=True, roles=["Manager"])
    user, creator = creator_login()
    task = task_in(Column.SUBMITTED, creator=creator, assignee=manager)

    task_move(task=task, to=Column.APPROVED, actor=None, via="review_link", note="Client")

    assert kinds_of(manager) == ["approved"]
    assert kinds_of(user) == ["approved"]
