"""The insight card reads the daily rollups (DailyPostMetric): on the demo agency it picks the
same posts, with the same views gained and account medians, as the snapshot rules of
specs/metrics.md (`posts.metrics.views_gained`, the card's former computation, kept here as the
reference); a period in which nothing moved has nothing to explain."""

import statistics
from collections import defaultdict
from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from analytics.insights import NO_POSTS, TOP, insight_card
from analytics.queries import Period
from analytics.reports.scope import scope_get
from creators.models import Creator
from posts.metrics import views_gained
from settings_app.models import Client
from tests.analytics.agency import demo_rolled_up
from tests.analytics.reporting import agency
from tests.settings_app.factories import UserFactory
from tests.workflow.factories import CampaignFactory, task_make

pytestmark = pytest.mark.django_db


def from_snapshots(scope, period: Period) -> list[tuple[int, int, float]]:
    """The top posts by the snapshot rules: every post of the scope with a views gain in the
    period's window, each account's median over them, the ones that gained ranked by gain over
    that median (a median under 1 counts as 1)."""
    start, end = period.window
    rows = (
        scope.posts()
        .exclude(account=None)
        .exclude(post_date__gte=end)
        .annotate(gained=views_gained(start, end))
        .filter(gained__isnull=False)
        .values_list("pk", "account_id", "gained")
    )
    by_account = defaultdict(list)
    for _, account_id, gained in rows:
        by_account[account_id].append(gained)
    medians = {account_id: statistics.median(gains) for account_id, gains in by_account.items()}
    ranked = sorted(
        ((pk, gained, float(medians[acct])) for pk, acct, gained in rows if gained > 0),
        key=lambda r: (-(r[1] * 1.0 / (1 if r[2] < 1 else r[2])), -r[1], r[0]),
    )
    return ranked[:TOP]


def from_rollups(scope, period: Period) -> list[tuple[int, int, float]]:
    card = insight_card(scope, period.start, period.end, explain=False)
    return [(top.post.pk, top.views_gained, top.median) for top in card.posts]


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_the_rollup_card_picks_what_the_snapshot_rules_pick_on_the_demo_agency(settings, zone):
    today = demo_rolled_up(settings, zone, accounts=6, posts=150, days=60)
    # A campaign of a dozen posts of several accounts.
    campaign = CampaignFactory(name="Spring")
    task = task_make(campaign=campaign)
    some = scope_get("client", Client.objects.order_by("pk").first().pk).posts()
    task.published_posts.add(*some.order_by("pk")[::3][:12])
    scopes = [
        *(scope_get("client", pk) for pk in Client.objects.values_list("pk", flat=True)),
        *(scope_get("creator", pk) for pk in Creator.objects.values_list("pk", flat=True)[:3]),
        scope_get("campaign", campaign.pk),
    ]

    compared = 0
    for first, last in [(-30, -1), (-7, -1), (-14, -8), (-45, -20), (-1, -1)]:
        period = Period(today + timedelta(days=first), today + timedelta(days=last))
        for scope in scopes:
            expected = from_snapshots(scope, period)
            assert from_rollups(scope, period) == expected, (scope.name, period)
            compared += len(expected)
    assert compared > 40  # most scopes and periods have a full card


def test_a_period_in_which_nothing_moved_has_nothing_to_explain():
    world = agency()  # its posts moved on 02-20 and 03-31 only
    client = APIClient()
    client.force_login(UserFactory(roles=["Owner"], is_staff=True))

    still = client.get(
        "/api/v1/analytics/insights/",
        {"client": world["client"].pk, "start_date": "2026-03-01", "end_date": "2026-03-30"},
    ).json()
    moved = client.get(
        "/api/v1/analytics/insights/",
        {"client": world["client"].pk, "start_date": "2026-03-01", "end_date": "2026-03-31"},
    ).json()

    assert still["posts"] == [] and still["note"] == NO_POSTS
    assert len(moved["posts"]) == 3 and moved["note"] != NO_POSTS
