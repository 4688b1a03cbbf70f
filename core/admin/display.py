"""Display helpers of the admin: numbers, images, links, snapshot tables."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime

from core.admin_site import EMPTY


def format_count(value: int | None) -> str | None:
    """`1234567` as "1,234,567"; None stays None so the admin shows "—"."""
    return None if value is None else f"{value:,}"


def format_percent(value: Decimal | float | None) -> str | None:
    return None if value is None else f"{value:,.2f}%"


def image_tag(url: str, *, alt: str = "", size: int = 48) -> str:
    """A small lazy image from a platform CDN (no referrer, so hotlinks work), or a placeholder."""
    if not url or not url.lower().startswith(("https://", "http://")):
        return format_html(
            '<span class="co-thumb co-thumb-empty" title="No image" style="display:inline-block;'
            'width:{0}px;height:{0}px;border-radius:4px;background:var(--darkened-bg,#eee)">'
            "</span>",
            size,
        )
    return format_html(
        '<img class="co-thumb" src="{}" alt="{}" width="{}" loading="lazy" '
        'referrerpolicy="no-referrer" style="max-height:{}px;object-fit:cover;border-radius:4px">',
        url,
        alt,
        size,
        size * 2,
    )


SNAPSHOTS_SHOWN = 20


def latest_snapshots_table(snapshots: QuerySet, counters: dict[str, str], all_url: str) -> str:
    """The latest snapshots of a post or an account as a small table, newest first, with a
    link to all of them: history can hold thousands of rows, an inline would load them all.

    `counters` maps each counter field to its column header.
    """
    latest = list(snapshots.order_by("-captured_at")[:SNAPSHOTS_SHOWN])
    if not latest:
        return "No snapshots yet."
    header = format_html_join("", "<th>{}</th>", ((title,) for title in counters.values()))
    rows = format_html_join(
        "",
        "<tr><td>{}</td>{}<td>{}</td></tr>",
        (
            (
                localtime(s.captured_at).strftime("%Y-%m-%d %H:%M"),
                format_html_join(
                    "",
                    "<td>{}</td>",
                    ((format_count(getattr(s, field)) or EMPTY,) for field in counters),
                ),
                s.source or EMPTY,
            )
            for s in latest
        ),
    )
    return format_html(
        '<table class="co-snapshots"><thead><tr><th>Captured</th>{}<th>Source</th></tr></thead>'
        '<tbody>{}</tbody></table><p><a href="{}">All snapshots</a></p>',
        header,
        rows,
        all_url,
    )


def count_column(field: str, description: str, *, ordering: str | None = None):
    """A ModelAdmin method showing an integer field with thousands separators ("—" if NULL)."""

    @admin.display(description=description, ordering=ordering)
    def column(self, obj):
        # A change form shows a readonly method's None as "None"; a changelist as "—".
        shown = format_count(getattr(obj, field))
        return self.get_empty_value_display() if shown is None else shown

    column.__name__ = f"{field}_display"
    return column


def percent_column(field: str, description: str, *, ordering: str | None = None):
    @admin.display(description=description, ordering=ordering)
    def column(self, obj):
        shown = format_percent(getattr(obj, field))
        return self.get_empty_value_display() if shown is None else shown

    column.__name__ = f"{field}_display"
    return column


def external_link(url: str) -> str:
    if not url:
        return EMPTY
    return format_html('<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', url, url)


def admin_change_url(obj: Any) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
