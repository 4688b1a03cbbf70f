"""The audit trail: services record who changed which fields of a business object, and when."""

from collections.abc import Callable, Collection, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEntry


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset | list | tuple):
        return sorted((_plain(v) for v in value), key=str)
    return value


def audit_values(obj: models.Model, names: Iterable[str]) -> dict[str, Any]:
    """The current values of `names` on `obj`, as the audit stores them (FKs as ids)."""
    values = {}
    for name in names:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            values[name] = _plain([o.pk for o in getattr(obj, name).all()]) if obj.pk else []
        elif field.is_relation:
            values[name] = getattr(obj, field.attname)
        else:
            values[name] = _plain(getattr(obj, name))
    return values


def audit_record(
    *, actor, obj: models.Model, before: dict, after: dict, action: str = "update"
) -> AuditEntry | None:
    """Record the fields whose value changed from `before` to `after`; nothing if none did."""
    changes = {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }
    if not changes:
        return None
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action=action,
        changes=changes,
    )


def audit_record_many(
    *, actor, model: type[models.Model], rows: Iterable[tuple[Any, str, dict]], action: str
) -> int:
    """Many entries at once: `rows` are (pk, repr, changes)."""
    content_type = ContentType.objects.get_for_model(model)
    entries = [
        AuditEntry(
            actor=actor if getattr(actor, "pk", None) else None,
            content_type=content_type,
            object_id=str(pk),
            object_repr=text[:200],
            action=action,
            changes=changes,
        )
        for pk, text, changes in rows
    ]
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    return len(entries)


def audit_entries_for(obj: models.Model):
    """The object's audit trail, newest first."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")


# Which recorded values a user may not see: rules `(user, "app_label.model") -> field names`,
# registered by the apps that own the rule in their AppConfig.ready() (core knows no roles).
_hidden_value_rules: list[Callable[[Any, str], Collection[str]]] = []


def audit_register_hidden_values(rule: Callable[[Any, str], Collection[str]]) -> None:
    """Hide the values of the fields `rule(user, model_label)` names from that user."""
    if rule not in _hidden_value_rules:
        _hidden_value_rules.append(rule)


def audit_changes_shown_to(user, entry: AuditEntry) -> dict[str, list | None]:
    """`entry.changes` as `user` may see them: `{field: [before, after]}`, or `{field: None}`
    for a field whose values are hidden from them (that it changed is still shown)."""
    content_type = ContentType.objects.get_for_id(entry.content_type_id)
    label = f"{content_type.app_label}.{content_type.model}"
    hidden = {name for rule in _hidden_value_rules for name in rule(user, label)}
    return {
        name: None if name in hidden else values for name, values in (entry.changes or {}).items()
    }
