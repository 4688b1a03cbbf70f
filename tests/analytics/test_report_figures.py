"""A PDF report shows the analytics API's numbers: the same scope and period give the same
totals, previous values, changes and per-platform figures in the report as in
`/api/v1/analytics/overview/` and `/compare/` (both read `analytics.queries`)."""

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from rest_framework.test import APIClient

from analytics.queries import METRICS
from analytics.reports.render import report_context, report_html
from analytics.reports.scope import scope_get
from tests.analytics.reporting import MARCH, agency, march_report, rollups
from tests.creators.factories import AccountFactory
from tests.settings_app.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.OPENAI_API_KEY = ""
    world = agency()
    # A third account that started mid-February: no follower figure before its first day.
    late = AccountFactory(client=world["client"], platform="youtube", username="acmetube")
    rollups(
        late, start=MARCH[0].replace(month=2, day=20), days=40, followers=70, per_day=3, views=9
    )
    # One whose rollups stop on March 25 (disconnected): no follower figure on March 31.
    gone = AccountFactory(client=world["client"], platform="tiktok", username="acmegone")
    rollups(
        gone, start=MARCH[0].replace(month=2, day=1), days=53, followers=400, per_day=1, views=7
    )
    return world


def api(endpoint: str, client_id: int) -> dict:
    http = APIClient()
    http.force_login(UserFactory(roles=["Owner"], is_staff=True))
    params = {"client": client_id, "start_date": MARCH[0], "end_date": MARCH[1]}
    response = http.get(f"/api/v1/analytics/{endpoint}/", params)
    assert response.status_code == 200, response.content
    return response.json()


def report_for(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        return march_report(world["client"])


def test_the_report_shows_the_overview_apis_totals_and_changes(
    world, django_capture_on_commit_callbacks
):
    report = report_for(world, django_capture_on_commit_callbacks)
    overview = api("overview", world["client"].pk)
    context = report_context(report, scope_get("client", world["client"].pk), card=None)

    shown = {h["key"]: h for h in context["headlines"]}
    assert set(METRICS) <= set(shown)
    for key in METRICS:
        assert shown[key]["value"] == overview["totals"][key], key
        assert shown[key]["previous"] == overview["previous"][key], key
        assert shown[key]["change"] == overview["change"][key], key
    assert [str(day) for day in context["previous"]] == [
        overview["previous_period"]["start_date"],
        overview["previous_period"]["end_date"],
    ]

    html = report_html(report)
    for key in ("followers", "views_gained", "likes_gained"):
        assert intcomma(overview["totals"][key]) in html, key
    assert f"+{overview['change']['views_gained']} %" in html


def test_the_reports_platform_table_is_the_compare_apis(world, django_capture_on_commit_callbacks):
    report = report_for(world, django_capture_on_commit_callbacks)
    compare = api("compare", world["client"].pk)
    context = report_context(report, scope_get("client", world["client"].pk), card=None)

    by_platform = {p["platform"]: p["totals"] for p in compare["platforms"]}
    assert {p["platform"]: p["totals"] for p in context["platforms"]} == by_platform
    assert set(by_platform) == {"instagram", "tiktok", "youtube"}
    # Ordered by views, the largest first.
    assert context["platforms"][0]["platform"] == "instagram"
