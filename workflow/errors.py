from core.errors import DomainError


class MoveRefused(DomainError):
    """The moves table (or a move's precondition) refuses this move; the message names why."""

    code = "move_refused"
