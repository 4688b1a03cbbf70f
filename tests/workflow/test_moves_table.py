"""The moves table, exhaustively: every column pair by every role, allowed (the task moves and
the timeline records it) or refused with the rule's message. The expected table is written
out here, independently of workflow/moves.py."""

import itertools

import pytest
from django.utils import timezone

from core.errors import NotFoundError
from tests.settings_app.factories import UserFactory
from tests.workflow.conftest import task_in
from workflow.choices import Column, MoveVia
from workflow.models import TaskMove
from workflow.moves import MOVES
from workflow.services.tasks import MoveRefused, task_move

pytestmark = pytest.mark.django_db

B, IP, SU, NC, AP, SC, PU, CA = (
    "backlog",
    "in_progress",
    "submitted",
    "needs_changes",
    "approved",
    "scheduled",
    "published",
    "cancelled",
)
STAFF_ROLES = ("Owner", "Manager", "Editor", "Finance", "Analyst")
ROLES = (*STAFF_ROLES, "own creator", "other creator", "review link", "publisher")
WORKERS = {"Owner", "Manager", "Editor", "own creator"}
REVIEWERS = {"Owner", "Manager", "review link"}
SCHEDULERS = {"Owner", "Manager"}

EXPECTED = {
    (B, IP): WORKERS,
    (IP, B): WORKERS,
    (IP, SU): WORKERS,
    (NC, SU): WORKERS,
    (SU, NC): REVIEWERS,
    (SU, AP): REVIEWERS,
    (AP, SC): SCHEDULERS,
    (SC, AP): SCHEDULERS,
    (SC, PU): {"publisher"},
    **{(c, CA): {"Owner", "Manager"} for c in (B, IP, SU, NC, AP, SC)},
    (CA, B): {"Owner", "Manager"},
}
# Who cannot even see the task: the table is never reached for them.
BLIND = {"Finance", "other creator"}


@pytest.fixture
def people(db, creator_login):
    users = {
        role: UserFactory(is_staff=True, username=role.lower(), roles=[role])
        for role in STAFF_ROLES
    }
    users["own creator"], own = creator_login("own")
    users["other creator"], _ = creator_login("other")
    return users, own


def test_the_expected_table_is_the_code_table():
    assert {(r.from_column.value, r.to_column.value) for r in MOVES} == set(EXPECTED)


@pytest.mark.parametrize(
    ("source", "target"),
    [(a, b) for a, b in itertools.permutations(Column.values, 2)],
)
def test_every_role_may_or_may_not_make_the_move(people, source, target):
    users, own = people
    outcomes = {}
    for role in ROLES:
        task = task_in(source, creator=own, assignee=users["Editor"], for_published=(target == PU))
        actor = users.get(role)
        via = {"review link": MoveVia.REVIEW_LINK, "publisher": MoveVia.PUBLISHER}.get(role)
        try:
            task_move(
                task=task,
                to=target,
                actor=actor,
                via=via,
                note="Please fix the hook",
                scheduled_at=timezone.now() + timezone.timedelta(days=1),
            )
        except MoveRefused as error:
            outcomes[role] = ("refused", error.message)
        except NotFoundError as error:
            outcomes[role] = ("hidden", error.message)
        else:
            task.refresh_from_db()
            assert task.column == target
            last = TaskMove.objects.filter(task=task).order_by("-id").first()
            assert (last.from_column, last.to_column) == (source, target)
            outcomes[role] = ("allowed", "")
    allowed = {role for role, (what, _) in outcomes.items() if what == "allowed"}
    assert allowed == EXPECTED.get((source, target), set())
    for role, (what, message) in outcomes.items():
        if role in allowed:
            continue
        if role in BLIND:
            assert what == "hidden", role
            continue
        assert what == "refused", role
        label = f"{Column(source).label} → {Column(target).label}"
        if (source, target) in EXPECTED:
            assert label in message and "is made by" in message, (role, message)
        else:
            assert message.startswith(f"No move from {Column(source).label} to"), message
