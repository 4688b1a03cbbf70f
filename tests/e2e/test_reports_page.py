"""The reports page in a real browser at 1440 x 900: a manager generates a monthly report from
the admin, the worker renders it, and the manager downloads the PDF from the list."""

import pytest

from analytics.models import Report
from analytics.reports.services import report_render
from tests.analytics.reporting import agency
from tests.settings_app.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_generates_a_report_and_downloads_it(
    page, live_server, admin_login, screenshot, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.OPENAI_API_KEY = ""
    world = agency()
    manager = UserFactory(username="manager", is_staff=True, roles=["Manager"])
    page.set_viewport_size({"width": 1440, "height": 900})
    admin_login(page, live_server, manager)

    page.goto(f"{live_server.url}/admin/analytics/report/")
    page.click("#generate-report")
    page.select_option("#id_kind", "monthly")
    page.select_option("#id_scope", f"client:{world['client'].pk}")
    page.fill("#id_start", "2026-03-01")
    page.fill("#id_end", "2026-03-31")
    page.click("#generate-submit")
    page.wait_for_selector(".messagelist")
    assert "is being generated" in page.locator(".messagelist").inner_text()
    report = Report.objects.get()
    assert report.status == "pending"

    report_render(report.pk)  # what the worker does with the queued task
    page.reload()
    page.wait_for_selector("a.report-download")
    assert "Completed" in page.locator("#result_list").inner_text()
    screenshot(page, "reports-list")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    with page.expect_download() as download_info:
        page.click("a.report-download")
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.suffix == ".pdf"
    assert saved.read_bytes().startswith(b"%PDF")
    assert saved.stat().st_size == Report.objects.get().size
