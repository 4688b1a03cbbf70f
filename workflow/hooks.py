"""Workflow's registrations with the apps below it (DESIGN.md: hooks, never signals)."""

from creators.hooks import register_creator_sections
from publishing.hooks import register_target_failed, register_target_published


def hooks_register() -> None:
    """Wire workflow's callbacks: the creator page's sections, and publishing's target hooks
    (a published, failed or unconfirmed target settles its content task)."""
    from .admin_sections import creator_sections
    from .services.publishing import task_target_settled

    register_creator_sections(creator_sections)
    register_target_published(task_target_settled)
    register_target_failed(task_target_settled)
