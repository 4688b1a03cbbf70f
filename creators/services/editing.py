"""Editing the business fields of many accounts at once (the admin's bulk edit)."""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from core.edits import BOARDS_ADD, audited_bulk_update

# The business fields a selection of accounts may get at once (boards apart).
ACCOUNT_BULK_FIELDS = ("client", "editor", "type", "finance_item")


def accounts_bulk_edit(
    *,
    accounts_qs: QuerySet,
    fields: dict[str, Any],
    boards: Iterable | None = None,
    boards_mode: str = BOARDS_ADD,
    actor=None,
) -> int:
    """Set `fields` (and add, remove or replace `boards`) on every account of `accounts_qs`:
    one UPDATE, the board links in bulk, an audit entry per changed account."""
    unknown = set(fields) - set(ACCOUNT_BULK_FIELDS)
    if unknown:
        raise ValueError(f"Not a business field of accounts: {', '.join(sorted(unknown))}")
    return audited_bulk_update(
        queryset=accounts_qs, fields=fields, boards=boards, boards_mode=boards_mode, actor=actor
    )
