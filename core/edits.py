"""Editing a row's business fields: validated, saved with `update_fields`, audited."""

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .audit import audit_record, audit_record_many, audit_values


def audited_update(
    *, obj: models.Model, fields: dict[str, Any], boards: Iterable | None = None, actor=None
) -> models.Model:
    """Set `fields` on `obj` (and its `boards`, when given), validate, save only those fields and
    record the changes in the audit trail, with `actor`. Returns `obj`."""
    audited = [*fields, *(["boards"] if boards is not None else [])]
    before = audit_values(obj, audited)
    for name, value in fields.items():
        setattr(obj, name, value)
    with transaction.atomic():
        if fields:
            obj.full_clean(validate_unique=False)
            obj.save(update_fields=[*fields, "updated_at"])
        if boards is not None:
            obj.boards.set(boards)
        audit_record(actor=actor, obj=obj, before=before, after=audit_values(obj, audited))
    return obj


# How a bulk edit changes the rows' boards.
BOARDS_ADD, BOARDS_REMOVE, BOARDS_REPLACE = "add", "remove", "replace"


def audited_bulk_update(
    *,
    queryset: models.QuerySet,
    fields: dict[str, Any],
    boards: Iterable | None = None,
    boards_mode: str = BOARDS_ADD,
    actor=None,
    action: str = "bulk_edit",
) -> int:
    """`audited_update` for a selection: `fields` set on every row of `queryset` by one UPDATE,
    the `boards` added, removed or replacing theirs by a few statements on the link table,
    and one audit entry per row whose values changed. Returns the number of rows."""
    model = queryset.model
    meta = model._meta
    columns = [meta.get_field(name).attname for name in fields]
    new = {
        name: value.pk if isinstance(value, models.Model) else value
        for name, value in fields.items()
    }
    with transaction.atomic():
        # Only the rows themselves: the visibility rule may join a nullable side (editor).
        locked = queryset.select_for_update(of=("self",)).order_by("pk")
        rows = list(locked.values_list("pk", "url", *columns))
        ids = [row[0] for row in rows]
        if fields and ids:
            model._default_manager.filter(pk__in=ids).update(**fields, updated_at=timezone.now())
        linked = _boards_bulk_set(model, ids, boards, boards_mode) if boards is not None else {}
        entries = []
        for pk, text, *before in rows:
            changes = {
                name: [was, new[name]]
                for name, was in zip(fields, before, strict=True)
                if was != new[name]
            }
            if pk in linked and linked[pk][0] != linked[pk][1]:
                changes["boards"] = [sorted(linked[pk][0]), sorted(linked[pk][1])]
            if changes:
                entries.append((pk, text, changes))
        audit_record_many(actor=actor, model=model, rows=entries, action=action)
    return len(ids)


def _boards_bulk_set(model, ids: list, boards: Iterable, mode: str) -> dict[Any, tuple]:
    """Change the boards of the rows `ids` on the link table; returns {pk: (before, after)}."""
    field = model._meta.get_field("boards")
    through = field.remote_field.through._default_manager
    row_id = f"{field.m2m_field_name()}_id"
    board_id = f"{field.m2m_reverse_field_name()}_id"
    chosen = {board.pk for board in boards}
    before: dict[Any, set] = {pk: set() for pk in ids}
    for pk, board in through.filter(**{f"{row_id}__in": ids}).values_list(row_id, board_id):
        before[pk].add(board)
    after = {
        pk: (
            had | chosen
            if mode == BOARDS_ADD
            else had - chosen
            if mode == BOARDS_REMOVE
            else set(chosen)
        )
        for pk, had in before.items()
    }
    if mode != BOARDS_ADD:
        removed = through.filter(**{f"{row_id}__in": ids})
        if mode == BOARDS_REMOVE:
            removed = removed.filter(**{f"{board_id}__in": chosen})
        else:
            removed = removed.exclude(**{f"{board_id}__in": chosen})
        removed.delete()
    if mode != BOARDS_REMOVE:
        through.bulk_create(
            [
                through.model(**{row_id: pk, board_id: board})
                for pk in ids
                for board in sorted(chosen - before[pk])
            ],
            batch_size=1000,
        )
    return {pk: (before[pk], after[pk]) for pk in ids}
