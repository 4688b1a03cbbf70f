"""The remind_due_tasks job: the creator and the assignee of a task due within 24 h, then of an
overdue one, hear of it once per due time; a rerun tells nobody twice; a new due time reminds
again; published tasks are never reminded."""

import pytest
from django.utils import timezone

from notifications.models import Notification
from operations.jobs import remind_due_tasks
from operations.models import JobRun
from tests.settings_app.factories import UserFactory
from tests.workflow.factories import task_make
from workflow.models import ContentTask
from workflow.services.tasks import task_update

pytestmark = pytest.mark.django_db


def test_due_and_overdue_tasks_are_reminded_once_per_due_time(creator_login):
    user, creator = creator_login()
    manager = UserFactory(is_staff=True, roles=["Manager"])
    now = timezone.now()
    soon = task_make(
        creator=creator, assignee=manager, title="Soon", due_at=now + timezone.timedelta(hours=5)
    )
    late = task_make(creator=creator, title="Late", due_at=now - timezone.timedelta(hours=1))
    task_make(creator=creator, title="Later", due_at=now + timezone.timedelta(days=3))
    done = task_make(creator=creator, title="Done", due_at=now - timezone.timedelta(days=1))
    ContentTask.objects.filter(pk=done.pk).update(column="published")

    run = remind_due_tasks(now=now)
    remind_due_tasks(now=now)

    assert JobRun.objects.get(pk=run).items_ok == 2
    rows = set(Notification.objects.values_list("user__username", "kind", "object_id"))
    assert rows == {
        (user.username, "due_soon", str(soon.pk)),
        (manager.username, "due_soon", str(soon.pk)),
        (user.username, "overdue", str(late.pk)),
    }

    task_update(late, due_at=now + timezone.timedelta(hours=2))
    remind_due_tasks(now=now)
    assert Notification.objects.filter(object_id=str(late.pk), kind="due_soon").count() == 1
