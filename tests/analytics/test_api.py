"""The analytics API (specs/analytics.md): figures from the rollups, previous period, role
scoping, and a 400 naming the parameter at fault."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from analytics.queries import Period, scope_accounts, series
from tests.analytics.agency import MARCH
from tests.analytics.reporting import rollups
from tests.creators.factories import AccountFactory
from tests.settings_app.factories import UserFactory
from tests.utils import key_client
from tests.workflow.factories import CampaignFactory, DeliverableFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/analytics"


def get(user, endpoint: str, **params):
    client = APIClient()
    client.force_login(user)
    return client.get(f"{API}/{endpoint}/", params)


def test_the_overview_sums_a_clients_accounts_and_compares_with_the_previous_period(agency):
    answer = get(agency["owner"], "overview", client=agency["client_a"].pk, **MARCH).json()

    assert answer["period"] == {"start_date": "2026-03-01", "end_date": "2026-03-10", "days": 10}
    assert answer["previous_period"]["start_date"] == "2026-02-19"
    # Instagram +2 000 in March 1-10, TikTok +10; the previous 10 days +1 000.
    assert answer["totals"]["views_gained"] == 2_010
    assert answer["previous"]["views_gained"] == 1_000
    assert answer["change"]["views_gained"] == 101.0
    assert answer["totals"]["followers"] == 1_300
    assert answer["totals"]["followers_gained"] == 200
    assert len(answer["series"]) == 10
    assert answer["series"][4] == {
        "bucket": "2026-03-05",
        "followers": 1_100,
        "followers_gained": 0,
        "views_gained": 210,
    }


def test_weeks_and_months_are_buckets_cut_to_the_period(agency):
    weeks = get(agency["owner"], "growth", granularity="week", **MARCH).json()["series"]
    months = get(
        agency["owner"],
        "engagement",
        granularity="month",
        start_date="2026-02-15",
        end_date="2026-03-10",
        account=agency["insta"].pk,
    ).json()["series"]

    assert [p["bucket"] for p in weeks] == ["2026-02-23", "2026-03-02", "2026-03-09"]
    assert weeks[-1]["followers"] == 1_300
    assert [p["bucket"] for p in months] == ["2026-02-01", "2026-03-01"]
    assert [p["views_gained"] for p in months] == [1_400, 2_000]
    assert months[1]["likes_gained"] == 200 and months[1]["engagement_rate"] == 10.0


def test_content_lists_the_top_and_bottom_posts_with_their_labels(agency):
    answer = get(agency["owner"], "content", client=agency["client_a"].pk, **MARCH).json()

    assert [p["id"] for p in answer["top"]] == [agency["hit"].pk, agency["flop"].pk]
    assert answer["top"][0]["views_gained"] == 2_000
    assert answer["top"][0]["category"] == "Fitness"
    assert answer["top"][0]["subcategories"] == ["Workout"]
    assert answer["bottom"][0]["id"] == agency["flop"].pk


def test_compare_puts_the_platforms_side_by_side(agency):
    answer = get(agency["owner"], "compare", client=agency["client_a"].pk, **MARCH).json()

    by_platform = {row["platform"]: row["totals"]["views_gained"] for row in answer["platforms"]}
    assert by_platform == {"instagram": 2_000, "tiktok": 10}


def test_the_scopes_board_editor_campaign_and_platforms_choose_the_accounts(agency):
    campaign = CampaignFactory(client=agency["client_a"])
    DeliverableFactory(campaign=campaign, creator=agency["creator"])
    owner = agency["owner"]

    def views(**params):
        return get(owner, "overview", **MARCH, **params).json()["totals"]["views_gained"]

    assert views(board=agency["board"].pk) == 2_000
    assert views(editor=agency["insta"].editor_id) == 2_000
    assert views(campaign=campaign.pk) == 2_000
    assert views(platforms="tiktok") == 10
    assert views() == 2_010 + 9_999


def test_an_editor_sees_only_its_own_accounts_and_a_creator_only_itself(agency):
    editor = get(agency["editor"], "overview", **MARCH).json()
    creator = key_client(agency["creator"].user).get(f"{API}/overview/", MARCH).json()
    other = get(agency["editor"], "overview", client=agency["client_b"].pk, **MARCH).json()

    assert editor["totals"]["views_gained"] == 2_000
    assert creator["totals"]["views_gained"] == 2_000
    assert other["totals"]["views_gained"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"granularity": "hour"}, "granularity"),
        ({"start_date": "2026-13-01"}, "start_date"),
        ({"start_date": "2026-03-10", "end_date": "2026-03-01"}, "end_date"),
        ({"start_date": "2023-01-01", "end_date": "2026-03-01"}, "end_date"),
        ({"platforms": "instagram,myspace"}, "platforms"),
        ({"client": "abc"}, "client"),
        ({"client": "999999"}, "client"),
        ({"client": "1", "board": "1"}, "board"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(agency, params, field):
    response = get(agency["owner"], "overview", **params)

    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


def test_a_user_without_a_role_may_not_read_analytics(db):
    client = APIClient()
    client.force_login(UserFactory(roles=[], is_staff=True))
    assert client.get(f"{API}/overview/").status_code == 403


@pytest.mark.postgresql_only
@pytest.mark.parametrize("endpoint", ["compare", "overview"])
def test_with_jit_off_on_the_server_the_figures_come_without_a_transaction_for_it(
    agency, endpoint, monkeypatch
):
    import weakref

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from analytics import queries

    params = {"client": agency["client_a"].pk, **MARCH}
    monkeypatch.setattr(queries, "_JIT_ON", weakref.WeakKeyDictionary())
    with CaptureQueriesContext(connection) as jit_on:  # the test server's default: JIT on
        with_jit = get(agency["owner"], endpoint, **params).json()
    # What `ALTER ROLE … SET jit = off` on the server gives every new session.
    queries._JIT_ON[connection.connection] = False
    with CaptureQueriesContext(connection) as jit_off:
        without = get(agency["owner"], endpoint, **params).json()

    assert without == with_jit
    assert any("SET LOCAL jit = off" in q["sql"] for q in jit_on.captured_queries)
    assert not any("jit" in q["sql"] for q in jit_off.captured_queries)


@pytest.mark.postgresql_only
def test_the_content_answer_turns_jit_off_once_for_all_its_figures(agency, monkeypatch):
    # Its series, totals and top posts each ask for JIT off; nested inside the answer's own
    # block they add no transaction or SET of their own.
    import weakref

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from analytics import queries

    monkeypatch.setattr(queries, "_JIT_ON", weakref.WeakKeyDictionary())
    with CaptureQueriesContext(connection) as captured:
        answer = get(agency["owner"], "content", client=agency["client_a"].pk, **MARCH)

    assert answer.status_code == 200
    assert sum("SET LOCAL jit = off" in q["sql"] for q in captured.captured_queries) == 1


def test_a_day_series_takes_the_first_days_followers_gained_from_the_day_before_only():
    """By day, the gains and the followers come from one query that also reads the day before
    the period: for its followers (the first day's gain), never for its gains."""
    account = AccountFactory()
    # Feb 28: 1 000 followers (+5 a day after), 70 views a day; a gap on Mar 3.
    rollups(account, start=date(2026, 2, 28), days=3, followers=1_000, per_day=5, views=70)
    rollups(account, start=date(2026, 3, 4), days=1, followers=1_040, per_day=0, views=9)
    accounts = scope_accounts(scope="account", scope_id=account.pk)

    points = series(accounts=accounts, period=Period(date(2026, 3, 1), date(2026, 3, 4)))

    assert [p["bucket"] for p in points] == [date(2026, 3, d) for d in (1, 2, 3, 4)]
    assert [p["views_gained"] for p in points] == [70, 70, 0, 9]  # Feb 28's 70 left out
    assert [p["followers"] for p in points] == [1_005, 1_010, None, 1_040]
    assert [p["followers_gained"] for p in points] == [5, 5, None, None]
    assert points[0]["likes_gained"] == 7 and points[0]["engagement_rate"] == 10.0
    unfollowed = series(
        accounts=accounts, period=Period(date(2026, 3, 1), date(2026, 3, 4)), with_followers=False
    )
    assert [p["views_gained"] for p in unfollowed] == [70, 70, 0, 9]
    assert {p["followers"] for p in unfollowed} == {None}
