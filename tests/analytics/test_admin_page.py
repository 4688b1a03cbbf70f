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


def _options(html: str) -> set[str]:
    import re

    return set(re.findall(r'<option value="([a-z]+:\d+)"', html))


def test_the_picker_offers_creators_accounts_and_campaigns(client, agency):
    from tests.workflow.factories import CampaignFactory

    campaign = CampaignFactory(client=agency["client_a"])
    client.force_login(agency["owner"])

    html = client.get(reverse(URL), MARCH).content.decode()

    assert {
        f"creator:{agency['creator'].pk}",
        f"campaign:{campaign.pk}",
        f"account:{agency['insta'].pk}",
        f"account:{agency['other'].pk}",
        f"client:{agency['client_b'].pk}",
    } <= _options(html)
    assert f'label="Accounts · {agency["client_a"].name}"' in html  # grouped by client


def test_an_editor_is_offered_only_what_its_role_sees(client, agency):
    client.force_login(agency["editor"])

    options = _options(client.get(reverse(URL), MARCH).content.decode())

    assert f"account:{agency['insta'].pk}" in options
    assert f"creator:{agency['creator'].pk}" in options
    assert f"account:{agency['other'].pk}" not in options
    assert f"client:{agency['client_b'].pk}" not in options


def test_picking_a_creator_shows_that_creators_figures(client, agency):
    client.force_login(agency["owner"])

    html = client.get(
        reverse(URL), {"scope": f"creator:{agency['creator'].pk}", **MARCH}
    ).content.decode()

    # The creator's one account (insta): 2 000 views gained in March, as the editor's.
    assert 'data-figure="views_gained" data-value="2000"' in html
    assert f'<option value="creator:{agency["creator"].pk}" selected>' in html


def test_a_scope_the_user_may_not_see_is_refused_with_a_message(client, agency):
    client.force_login(agency["editor"])

    response = client.get(reverse(URL), {"account": agency["other"].pk, **MARCH}, follow=True)

    html = response.content.decode()
    assert f"No account with id {agency['other'].pk} that you may see" in html
    assert 'data-figure="views_gained" data-value="2000"' in html  # its own accounts instead


def test_a_top_post_is_named_by_its_account_handle_never_by_a_bare_id(client, agency):
    client.force_login(agency["owner"])
    hit = agency["hit"]
    scope = {"scope": f"client:{agency['client_a'].pk}", **MARCH}

    type(hit).objects.filter(pk=hit.pk).update(username="hitmaker")
    named = client.get(reverse(URL), scope).content.decode()
    type(hit).objects.filter(pk=hit.pk).update(username="")
    unnamed = client.get(reverse(URL), scope).content.decode()

    assert ">@hitmaker</a>" in named
    assert f">Post {hit.pk}</a>" in unnamed and f">@{hit.pk}</a>" not in unnamed
