"""A report rendered to PDF, then turned into images with pdftoppm: its pages are there and
none is blank; the cover carries the agency's name and the client's; nothing is fetched from
a host outside the allow-list."""

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from django.core import mail
from PIL import Image

from analytics.choices import ReportStatus
from analytics.models import Report
from analytics.reports.render import report_html
from analytics.reports.services import report_create, report_render
from tests.analytics.reporting import MARCH, agency
from tests.creators.factories import CreatorFactory
from tests.workflow.factories import CampaignFactory, DeliverableFactory

PDFTOPPM = shutil.which("pdftoppm")
needs_pdftoppm = pytest.mark.skipif(PDFTOPPM is None, reason="pdftoppm (poppler-utils) missing")


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OPENAI_API_KEY = ""
    settings.AGENCY_NAME = "Northwind Agency"
    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 40), (59, 111, 182)).save(logo)
    settings.AGENCY_LOGO = str(logo)
    return agency()


def pages_of(pdf: bytes, tmp_path: Path) -> list[Image.Image]:
    source = tmp_path / "report.pdf"
    source.write_bytes(pdf)
    subprocess.run([PDFTOPPM, "-r", "40", "-png", str(source), str(tmp_path / "page")], check=True)
    return [Image.open(path).convert("L") for path in sorted(tmp_path.glob("page-*.png"))]


def ink(page: Image.Image) -> float:
    """The share of the page's pixels that are not white."""
    histogram = page.histogram()
    return 1 - sum(histogram[245:]) / sum(histogram)


def rendered(world, django_capture_on_commit_callbacks, **kw) -> Report:
    with django_capture_on_commit_callbacks():
        report = report_create(
            kind=kw.get("kind", "monthly"),
            scope_kind=kw.get("scope_kind", "client"),
            scope_id=kw.get("scope_id", world["client"].pk),
            start=MARCH[0],
            end=MARCH[1],
        )
    return report_render(report.pk)


@needs_pdftoppm
def test_a_monthly_report_renders_four_non_blank_pages(
    world, tmp_path, django_capture_on_commit_callbacks
):
    report = rendered(world, django_capture_on_commit_callbacks)

    assert report.status == ReportStatus.COMPLETED and report.error == ""
    with report.file.open("rb") as stored:
        pdf = stored.read()
    assert pdf.startswith(b"%PDF") and report.size == len(pdf)
    pages = pages_of(pdf, tmp_path)
    # Cover, figures and charts, top posts and platforms, the insight card.
    assert len(pages) == 4
    assert all(ink(page) > 0.005 for page in pages), [round(ink(p), 4) for p in pages]


def test_the_report_carries_brand_figures_charts_posts_platforms_and_insights(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        report = report_create(
            kind="monthly",
            scope_kind="client",
            scope_id=world["client"].pk,
            start=MARCH[0],
            end=MARCH[1],
        )
    html = report_html(report)

    assert "Northwind Agency" in html and "Acme Foods" in html
    assert 'src="data:image/png;base64,' in html  # the logo, embedded
    # March: Instagram 2 000 views a day and TikTok 500 over 31 days; February 1 500 a day over 28.
    assert "77,500" in html and "42,000" in html and "+84.5 %" in html
    assert html.count("<svg") >= 2
    assert "@acme.eats" in html and "@acmetok" in html
    assert "Instagram" in html and "TikTok" in html
    assert "3 of 3: reel style Talking Head" in html
    assert "AI is not configured" in html


def test_a_thumbnail_outside_the_allow_list_is_a_placeholder_and_never_requested(
    world, django_capture_on_commit_callbacks
):
    calls = []
    from platforms import http

    original = http.session_for

    def spy(provider):
        calls.append(provider)
        return original(provider)

    star = world["stars"][0]
    star.thumbnail_url = "https://evil.example/steal.png"
    star.save(update_fields=["thumbnail_url"])
    http.session_for = spy
    try:
        with django_capture_on_commit_callbacks():
            report = report_create(
                kind="monthly",
                scope_kind="client",
                scope_id=world["client"].pk,
                start=MARCH[0],
                end=MARCH[1],
            )
        html = report_html(report)
    finally:
        http.session_for = original

    assert calls == []
    assert "evil.example" not in html
    assert 'class="thumb-empty"' in html


def test_a_campaign_report_shows_deliverables_against_promised(
    world, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(client=world["client"], name="Spring launch")
    DeliverableFactory(campaign=campaign, creator=CreatorFactory(display_name="Maya"), quantity=4)
    with django_capture_on_commit_callbacks():
        report = report_create(
            kind="campaign",
            scope_kind="campaign",
            scope_id=campaign.pk,
            start=date(2026, 3, 1),
            end=date(2026, 3, 31),
        )
    html = report_html(report)

    assert "Deliverables vs promised" in html
    assert "0 of 4 delivered" in html and "Maya" in html
    assert "Spring launch" in html


def test_a_failed_render_is_retried_once_then_failed_with_its_error(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    from analytics.reports import services

    def broken(report):
        raise RuntimeError("Pango exploded")

    monkeypatch.setattr(services, "report_pdf", broken)
    with django_capture_on_commit_callbacks() as queued:
        report = report_create(
            kind="monthly",
            scope_kind="client",
            scope_id=world["client"].pk,
            start=MARCH[0],
            end=MARCH[1],
        )
    assert len(queued) == 1

    with django_capture_on_commit_callbacks() as queued:
        first = report_render(report.pk)
    assert (first.status, first.attempts) == (ReportStatus.PENDING, 1)
    assert "Pango exploded" in first.error
    assert len(queued) == 1  # queued again

    with django_capture_on_commit_callbacks() as queued:
        second = report_render(report.pk)
    assert (second.status, second.attempts) == (ReportStatus.FAILED, 2)
    assert "Pango exploded" in second.error and not second.file
    assert queued == []
    assert report_render(report.pk) is None  # no third attempt
    assert mail.outbox == []
