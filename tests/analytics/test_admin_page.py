"""The admin's analytics page: the same figures as the API, for the scope and period picked."""

import pytest
from django.urls import reverse

from tests.analytics.agency import MARCH

pytestmark = pytest.mark.django_db

URL = "admin:analytics_dashboard"


def test_the_page_shows_a_clients_headlines_charts_platforms_and_posts(client, agency):
    client.force_login(agency["owner"])

    response = client.get(
        reverse(URL), {"scope": f"client:{agency['client_a'].pk}", **MARCH, "granularity": "day"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-figure="views_gained" data-value="2010"' in html
    assert "+101.0%" in html
    assert 'id="growth-chart"' in html and 'id="views-chart"' in html
    assert 'data-platform="tiktok" data-views="10"' in html
    assert f'data-post="{agency["hit"].pk}" data-views-gained="2000"' in html
    assert 'id="best-time-slot"' in html
    assert "Mar 05" in html  # a day label of the charts


def test_a_bad_parameter_is_said_and_the_page_falls_back_on_the_default(client, agency):
    client.force_login(agency["owner"])

    response = client.get(reverse(URL), {"granularity": "hour"}, follow=True)

    assert response.status_code == 200
    assert "granularity" in response.content.decode()


def test_an_editor_sees_the_figures_of_its_own_accounts_only(client, agency):
    client.force_login(agency["editor"])

    html = client.get(reverse(URL), MARCH).content.decode()

    assert 'data-figure="views_gained" data-value="2000"' in html


def test_the_page_is_in_the_menu(client, agency):
    client.force_login(agency["owner"])

    assert reverse(URL) in client.get(reverse("admin:index")).content.decode()
