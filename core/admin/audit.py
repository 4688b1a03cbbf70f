"""The audit trail in the admin: the trail on change pages and the entries' own list."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime

from core.admin.changelist import ReadOnlyAdminMixin
from core.admin.display import EMPTY
from core.models import AuditEntry

# --- Audit trail ------------------------------------------------------------------------------

AUDIT_ROWS_ON_PAGE = 20


def audit_changes_text(changes: dict[str, list | None]) -> str:
    """`core.audit.audit_changes_shown_to`'s changes as one line of text."""
    return "; ".join(
        f"{name}: (hidden)" if values is None else f"{name}: {values[0]!r} → {values[1]!r}"
        for name, values in changes.items()
    )


class AuditViewerMixin:
    """Remembers on the object of a change page who is looking at it: a read-only field
    (which Django calls with the object alone) shows only the values that user may see."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj._audit_viewer = request.user
        return obj


class AuditTrailAdminMixin(AuditViewerMixin):
    """`audit_trail`: a read-only field showing the object's last changes as a small table,
    without the values the viewer may not see (core.audit's rules)."""

    @admin.display(description="Changes")
    def audit_trail(self, obj) -> str:
        from core.audit import audit_changes_shown_to, audit_entries_for

        if obj is None or obj.pk is None:
            return EMPTY
        entries = list(audit_entries_for(obj)[:AUDIT_ROWS_ON_PAGE])
        if not entries:
            return "No change recorded yet."
        # No viewer known (the page was not opened through get_object): hide all hidden values.
        viewer = getattr(obj, "_audit_viewer", None)
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    f"{localtime(e.at):%Y-%m-%d %H:%M}",
                    e.actor or "—",
                    e.action,
                    audit_changes_text(audit_changes_shown_to(viewer, e)),
                )
                for e in entries
            ),
        )
        return format_html(
            "<table><thead><tr><th>When</th><th>Who</th><th>What</th><th>Changes</th></tr>"
            "</thead><tbody>{}</tbody></table>",
            rows,
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(AuditViewerMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who changed what and when; written by the services, never edited. Values the viewer may
    not see (core.audit's rules) are hidden, in the list and on the entry's page."""

    list_display = ("at", "actor", "content_type", "object_repr", "action", "changes")
    list_filter = ("action", "content_type")
    list_select_related = ("actor", "content_type")
    search_fields = ("=object_id", "^object_repr", "^actor__username")
    show_full_result_count = False
    ordering = ("-at", "-id")
    fields = (
        "at",
        "actor",
        "content_type",
        "object_id",
        "object_repr",
        "action",
        "changes_shown",
    )
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None):
        return False

    def lookup_allowed(self, lookup, value, request=None):
        # `?changes__payment_details__icontains=` would find hidden values one row at a time.
        if lookup.split("__", 1)[0] == "changes":
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_list_display(self, request):
        from core.audit import audit_changes_shown_to

        viewer = request.user

        @admin.display(description="Changes")
        def changes(entry):
            return audit_changes_text(audit_changes_shown_to(viewer, entry))

        return [
            changes if name == "changes" else name for name in super().get_list_display(request)
        ]

    @admin.display(description="Changes")
    def changes_shown(self, entry) -> str:
        from core.audit import audit_changes_shown_to

        return audit_changes_text(
            audit_changes_shown_to(getattr(entry, "_audit_viewer", None), entry)
        )
