"""THE table of allowed moves between Kanban columns and who may make each one
(specs/workflow.md "Content tasks"). The admin, the API, the review page and the jobs all go
through `services.tasks.task_move`, which reads this table and nothing else.

Who ("capacities"):
- CREATOR: the task's creator (their own login) or staff who work on tasks (an editor,
  `workflow.submit_contenttask`);
- MANAGER: staff who review (`workflow.review_contenttask`);
- REVIEW_LINK: the client, through a valid review link of the task;
- SCHEDULER: staff who schedule (`workflow.schedule_contenttask`);
- PUBLISHER: the publishing job, when every target of the task's post is published.
"""

from dataclasses import dataclass
from enum import StrEnum

from .choices import Column, MoveVia


class Capacity(StrEnum):
    CREATOR = "creator"
    MANAGER = "manager"
    REVIEW_LINK = "review_link"
    SCHEDULER = "scheduler"
    PUBLISHER = "publisher"


CAPACITY_LABELS = {
    Capacity.CREATOR: "the creator or an editor",
    Capacity.MANAGER: "a manager",
    Capacity.REVIEW_LINK: "the client's review link",
    Capacity.SCHEDULER: "a scheduler",
    Capacity.PUBLISHER: "the publisher (when every target is published)",
}


@dataclass(frozen=True)
class MoveRule:
    from_column: Column
    to_column: Column
    who: frozenset[Capacity]
    name: str  # what the rule is called where it refuses a move

    def who_label(self) -> str:
        labels = [CAPACITY_LABELS[c] for c in Capacity if c in self.who]
        return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


C, M, R, S, P = (
    Capacity.CREATOR,
    Capacity.MANAGER,
    Capacity.REVIEW_LINK,
    Capacity.SCHEDULER,
    Capacity.PUBLISHER,
)
_ = Column

MOVES: tuple[MoveRule, ...] = (
    MoveRule(_.BACKLOG, _.IN_PROGRESS, frozenset({C, M}), "Start work"),
    MoveRule(_.IN_PROGRESS, _.BACKLOG, frozenset({C, M}), "Put back"),
    MoveRule(_.IN_PROGRESS, _.SUBMITTED, frozenset({C, M}), "Submit"),
    MoveRule(_.NEEDS_CHANGES, _.SUBMITTED, frozenset({C, M}), "Submit again"),
    MoveRule(_.SUBMITTED, _.NEEDS_CHANGES, frozenset({M, R}), "Ask for changes"),
    MoveRule(_.SUBMITTED, _.APPROVED, frozenset({M, R}), "Approve"),
    MoveRule(_.APPROVED, _.SCHEDULED, frozenset({S}), "Schedule"),
    MoveRule(_.SCHEDULED, _.APPROVED, frozenset({S}), "Unschedule"),
    MoveRule(_.SCHEDULED, _.PUBLISHED, frozenset({P}), "Published"),
    *(
        MoveRule(column, _.CANCELLED, frozenset({M}), "Cancel")
        for column in (
            _.BACKLOG,
            _.IN_PROGRESS,
            _.SUBMITTED,
            _.NEEDS_CHANGES,
            _.APPROVED,
            _.SCHEDULED,
        )
    ),
    MoveRule(_.CANCELLED, _.BACKLOG, frozenset({M}), "Reopen"),
)

RULES: dict[tuple[str, str], MoveRule] = {(r.from_column, r.to_column): r for r in MOVES}


def rule_for(from_column: str, to_column: str) -> MoveRule | None:
    return RULES.get((from_column, to_column))


def targets_from(from_column: str) -> list[Column]:
    """The columns a task in `from_column` may go to (whoever may move it)."""
    return [r.to_column for r in MOVES if r.from_column == from_column]


def capacities_of(user, task, *, via: str | None = None) -> frozenset[Capacity]:
    """What `user` (None for the review link and the publisher) may do to `task`."""
    if via == MoveVia.REVIEW_LINK:
        return frozenset({Capacity.REVIEW_LINK})
    if via == MoveVia.PUBLISHER:
        return frozenset({Capacity.PUBLISHER})
    if user is None or not user.is_active:
        return frozenset()
    found = set()
    own = task.creator.user_id is not None and task.creator.user_id == user.pk
    if own or user.has_perm("workflow.submit_contenttask"):
        found.add(Capacity.CREATOR)
    if user.has_perm("workflow.review_contenttask"):
        found.add(Capacity.MANAGER)
    if user.has_perm("workflow.schedule_contenttask"):
        found.add(Capacity.SCHEDULER)
    return frozenset(found)


def refusal(from_column: str, to_column: str, capacities: frozenset[Capacity]) -> str | None:
    """Why the table refuses this move for these capacities; None when it allows it."""
    source, target = Column(from_column), Column(to_column)
    rule = rule_for(source, target)
    if rule is None:
        allowed = ", ".join(str(c.label) for c in targets_from(source)) or "nowhere"
        return f"No move from {source.label} to {target.label}: {source.label} goes to {allowed}."
    if not rule.who & capacities:
        return f"“{rule.name}” ({source.label} → {target.label}) is made by {rule.who_label()}."
    return None


def next_columns(user, task, *, via: str | None = None) -> list[Column]:
    """The columns `user` may move `task` to (the board's buttons)."""
    capacities = capacities_of(user, task, via=via)
    return [r.to_column for r in MOVES if r.from_column == task.column and r.who & capacities]
