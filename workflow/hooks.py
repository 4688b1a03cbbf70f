"""Workflow's registrations with the apps below it (DESIGN.md: hooks, never signals)."""

import logging

logger = logging.getLogger(__name__)


def hooks_register() -> None:
    """Wire workflow's callbacks: the creator page's sections, and publishing's target hooks
    once publishing offers them."""
    from creators.hooks import register_creator_sections

    from .admin_sections import creator_sections

    register_creator_sections(creator_sections)
    try:
        from publishing import hooks as publishing_hooks
    except ImportError:  # publishing has no hooks yet: nothing to wire.
        return
    from .services.publishing import task_target_settled

    for name in ("register_target_published", "register_target_failed"):
        register = getattr(publishing_hooks, name, None)
        if register is not None:
            register(task_target_settled)
