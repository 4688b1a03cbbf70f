"""Editing the business fields of many posts at once (the admin's bulk edit)."""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from core.edits import BOARDS_ADD, audited_bulk_update

# The business fields a selection of posts may get at once (boards apart).
POST_BULK_FIELDS = ("client", "editor", "assignee", "type", "finance_item")


def posts_bulk_edit(
    *,
    posts_qs: QuerySet,
    fields: dict[str, Any],
    boards: Iterable | None = None,
    boards_mode: str = BOARDS_ADD,
    actor=None,
) -> int:
    """Set `fields` (and add, remove or replace `boards`) on every post of `posts_qs`: one
    UPDATE, the board links in bulk, an audit entry per changed post. Returns the count."""
    unknown = set(fields) - set(POST_BULK_FIELDS)
    if unknown:
        raise ValueError(f"Not a business field of posts: {', '.join(sorted(unknown))}")
    return audited_bulk_update(
        queryset=posts_qs, fields=fields, boards=boards, boards_mode=boards_mode, actor=actor
    )
