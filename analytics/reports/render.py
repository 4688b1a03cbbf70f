"""A report as a branded PDF: Django template + the admin's server-side SVG charts, rendered by
WeasyPrint. Nothing is fetched while rendering: the logo is read from AGENCY_LOGO, thumbnails
come through the platforms' allow-list (`platforms.thumbnails`) as data URIs or are drawn as a
placeholder, and WeasyPrint's own fetcher refuses every URL."""

from __future__ import annotations

import base64
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core.charts import Series, line_chart
from platforms.thumbnails import thumbnail_fetch
from posts.models import Post
from workflow.queries import campaigns_progress

from ..choices import ScopeKind
from ..insights import InsightCard, insight_card
from ..models import Report
from ..queries import Period, compare, headlines, jit_off, series, totals
from ..queries import top_posts as queries_top_posts
from .scope import Scope, scope_get

TEMPLATE = "analytics/report.html"


class RenderRefused(ValueError):
    """WeasyPrint asked for a URL: reports never fetch while rendering."""


def _embedded_only(url: str, *args, **kwargs):
    """WeasyPrint's fetcher: the data URIs we embedded, nothing else."""
    from weasyprint.urls import default_url_fetcher

    if url.startswith("data:"):
        return default_url_fetcher(url, *args, **kwargs)
    raise RenderRefused(f"Reports do not fetch {url[:80]!r} while rendering.")


def data_uri(body: bytes, content_type: str) -> str:
    return f"data:{content_type};base64,{base64.b64encode(body).decode()}"


def agency_logo() -> str:
    """AGENCY_LOGO as a data URI ("" when unset or unreadable)."""
    path = Path(settings.AGENCY_LOGO) if settings.AGENCY_LOGO else None
    if path is None or not path.is_file():
        return ""
    content_type = mimetypes.guess_type(path.name)[0] or "image/png"
    return data_uri(path.read_bytes(), content_type)


@dataclass
class TopPostRow:
    post: Post
    views_gained: int
    thumbnail: str  # a data URI, or "" for the placeholder


def report_top_posts(scope, period: Period, *, limit: int) -> list[TopPostRow]:
    """The scope's posts with the most views gained in the period (`analytics.queries.top_posts`,
    the API's and the admin page's), with their thumbnails."""
    ranked = queries_top_posts(
        accounts=scope.accounts(), period=period, posts=scope.posts(), limit=limit
    )["top"]
    found = (
        Post.objects.filter(pk__in=[row["id"] for row in ranked])
        .select_related("account", "category")
        .in_bulk()
    )
    rows = []
    for row in ranked:
        post = found[row["id"]]
        image = thumbnail_fetch(post.thumbnail_url, max_bytes=settings.REPORT_THUMBNAIL_MAX_BYTES)
        rows.append(TopPostRow(post, row["views_gained"], data_uri(*image) if image else ""))
    return rows


@transaction.atomic
def report_figures(accounts, period: Period) -> dict:
    """The report's figures, from `analytics.queries` (the API's and the admin page's): the
    totals with the previous period and the change, the daily series, and per platform."""
    jit_off()
    return {
        **totals(accounts=accounts, period=period),
        "series": series(accounts=accounts, period=period),
        "platforms": compare(accounts=accounts, period=period)["platforms"],
    }


def report_context(report: Report, scope: Scope, *, card: InsightCard | None = None) -> dict:
    start, end = report.start, report.end
    period = Period(start, end)
    figures = report_figures(scope.accounts(), period)
    labels = [point["bucket"].strftime("%d %b") for point in figures["series"]]
    progress = None
    if scope.kind == ScopeKind.CAMPAIGN:
        progress = campaigns_progress([scope.id])[scope.id]
    if card is None:
        card = insight_card(scope, start, end, user=report.created_by)
    return {
        "report": report,
        "scope": scope,
        "agency_name": settings.AGENCY_NAME,
        "agency_logo": agency_logo(),
        "client_name": scope.client_name or scope.name,
        "generated_at": timezone.localtime(),
        "previous": (period.previous.start, period.previous.end),
        "headlines": headlines(figures),
        "followers_chart": line_chart(
            labels,
            [Series("Followers", [point["followers"] for point in figures["series"]])],
            title="Followers",
            width=680,
            height=220,
            empty_text="No follower figures for this period",
        ),
        "views_chart": line_chart(
            labels,
            [Series("Views gained", [point["views_gained"] for point in figures["series"]])],
            title="Views gained per day",
            width=680,
            height=220,
            zero_based=True,
            empty_text="No views for this period",
        ),
        "platforms": sorted(figures["platforms"], key=lambda p: -p["totals"]["views_gained"]),
        "top_posts": report_top_posts(scope, period, limit=settings.REPORT_TOP_POSTS),
        "progress": progress,
        "card": card,
    }


def report_html(report: Report) -> str:
    scope = scope_get(report.scope_kind, report.scope_id)
    return render_to_string(TEMPLATE, report_context(report, scope))


def report_pdf(report: Report) -> bytes:
    """The report's PDF bytes."""
    try:
        from weasyprint import HTML  # imported on use: loading Pango costs a few hundred ms
    except OSError as error:  # WeasyPrint is installed but the system's Pango is not
        raise RuntimeError(
            "PDF reports need Pango: install libpango-1.0-0 and libpangoft2-1.0-0 (Debian) "
            f"on the worker machines. ({error})"
        ) from error

    return HTML(string=report_html(report), url_fetcher=_embedded_only).write_pdf()
