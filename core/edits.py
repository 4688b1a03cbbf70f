"""Editing a row's business fields: validated, saved with `update_fields`, audited."""

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction

from .audit import audit_record, audit_values


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
