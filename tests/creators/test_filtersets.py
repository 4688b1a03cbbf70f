"""Every filter of AccountFilterSet keeps the matching accounts and drops the others."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.utils import timezone

from creators.filters import AccountFilterSet, AccountSnapshotFilterSet
from creators.models import Account, AccountSnapshot, KpiStatus
from posts.choices import ProcessingStatus
from tests.creators.factories import AccountFactory, AccountSnapshotFactory
from tests.finance.factories import FinanceItemFactory
from tests.settings_app.factories import BoardFactory, ClientFactory, EditorFactory

pytestmark = pytest.mark.django_db


def filtered(params: dict) -> list[int]:
    data = QueryDict(urlencode(params, doseq=True))
    filterset = AccountFilterSet(data, queryset=Account.objects.all())
    assert filterset.is_valid(), filterset.errors
    return list(filterset.qs.values_list("id", flat=True))


def ids(*accounts) -> set[int]:
    return {a.pk for a in accounts}


def tiktok_account(username: str, **fields) -> Account:
    return AccountFactory(
        platform="tiktok", username=username, url=f"https://www.tiktok.com/@{username}", **fields
    )


def test_platform_keeps_the_accounts_of_the_given_platforms():
    instagram = AccountFactory()
    tiktok = tiktok_account("dancer")
    youtube = AccountFactory(
        platform="youtube", username="@chan", url="https://www.youtube.com/@chan"
    )

    assert set(filtered({"platform": "tiktok"})) == ids(tiktok)
    assert set(filtered({"platform": ["instagram", "youtube"]})) == ids(instagram, youtube)


def test_username_keeps_exactly_that_account_whatever_the_case_or_at_sign():
    wanted = AccountFactory(username="sunny")
    AccountFactory(username="sunny2")

    assert set(filtered({"username": " @SUNNY"})) == ids(wanted)


@pytest.mark.parametrize(
    ("name", "factory"),
    [("client", ClientFactory), ("editor", EditorFactory), ("finance_item", FinanceItemFactory)],
)
def test_a_business_relation_filter_keeps_the_accounts_linked_to_it(name, factory):
    wanted = factory()
    linked = AccountFactory(**{name: wanted})
    AccountFactory(**{name: factory()})
    AccountFactory()

    assert set(filtered({name: wanted.pk})) == ids(linked)


def test_board_keeps_the_accounts_on_a_board_once_each():
    board, other_board = BoardFactory(), BoardFactory()
    on_both = AccountFactory()
    on_both.boards.set([board, other_board])
    AccountFactory().boards.set([other_board])
    AccountFactory()

    assert set(filtered({"board": board.pk})) == ids(on_both)
    either = filtered({"board": [board.pk, other_board.pk]})
    assert len(either) == len(set(either)) == 2


def test_type_keeps_main_or_side_accounts():
    main = AccountFactory(type="main")
    side = AccountFactory(type="clip_side")
    AccountFactory()

    assert set(filtered({"type": "main"})) == ids(main)
    assert set(filtered({"type": ["main", "clip_side"]})) == ids(main, side)


def test_tracking_enabled_keeps_tracked_or_disabled_accounts():
    tracked = AccountFactory(tracking_enabled=True)
    disabled = AccountFactory(tracking_enabled=False, disabled_reason="Private")

    assert set(filtered({"tracking_enabled": "true"})) == ids(tracked)
    assert set(filtered({"tracking_enabled": "false"})) == ids(disabled)


def test_kpi_status_keeps_the_accounts_in_those_states():
    behind = AccountFactory(kpi_status=KpiStatus.BEHIND)
    met = AccountFactory(kpi_status=KpiStatus.MET)
    AccountFactory()

    assert set(filtered({"kpi_status": "behind"})) == ids(behind)
    assert set(filtered({"kpi_status": ["behind", "met"]})) == ids(behind, met)


def test_processing_status_keeps_the_accounts_in_those_states():
    failed = AccountFactory(processing_status=ProcessingStatus.FAILED)
    AccountFactory(processing_status=ProcessingStatus.COMPLETED)

    assert set(filtered({"processing_status": "failed"})) == ids(failed)


def test_followers_range_keeps_the_accounts_between_min_and_max():
    small, medium, big = (AccountFactory(followers=n) for n in (100, 5_000, 1_000_000))
    AccountFactory(followers=None)

    assert set(filtered({"followers_min": 5_000, "followers_max": 5_000})) == ids(medium)
    assert set(filtered({"followers_min": 1_000})) == ids(medium, big)
    assert set(filtered({"followers_max": 1_000})) == ids(small)


def test_search_by_any_form_of_a_profile_url_finds_that_account():
    wanted = tiktok_account("dancer.one")
    tiktok_account("dancer.one.two")
    AccountFactory(username="dancer.one")  # the same name on another platform

    for form in ("https://www.tiktok.com/@Dancer.One", "tiktok.com/@dancer.one?lang=en"):
        assert filtered({"search": form}) == [wanted.pk]


def test_search_by_a_post_url_naming_its_author_finds_the_author():
    author = AccountFactory(username="sunny.days")
    AccountFactory(username="other")

    found = filtered({"search": "https://www.instagram.com/sunny.days/reel/DAbc123xyz/"})

    assert found == [author.pk]


def test_search_by_a_post_url_without_an_author_finds_no_account():
    AccountFactory(username="sunny.days")

    assert filtered({"search": "https://www.instagram.com/p/DAbc123xyz/"}) == []


def test_search_by_text_matches_a_username_prefix_or_the_full_name():
    by_prefix = AccountFactory(username="sunny.days")
    by_name = AccountFactory(full_name="The Sunny Side")
    AccountFactory(username="rain", full_name="Clouds")

    assert set(filtered({"search": "sunny"})) == ids(by_prefix, by_name)
    assert set(filtered({"search": "@sun"})) == ids(by_prefix)


@pytest.mark.parametrize(
    "field",
    [
        "username",
        "followers",
        "avg_views",
        "total_views",
        "posts_last_7d",
        "posts_last_30d",
        "posts_last_90d",
        "views_last_7d",
        "views_last_30d",
        "views_last_90d",
        "views_last_365d",
        "last_stats_update",
        "created_at",
    ],
)
def test_ordering_sorts_by_each_offered_field_both_ways(field):
    now = timezone.now()
    values = {
        "username": ["alpha", "gamma", "beta"],
        "last_stats_update": [now - timedelta(days=d) for d in (3, 1, 2)],
    }.get(field, [1, 100, 10])
    low, high, middle = (AccountFactory(**{field: value}) for value in values)
    if field == "created_at":
        for account, moment in zip((low, high, middle), (3, 1, 2), strict=True):
            Account.objects.filter(pk=account.pk).update(created_at=now - timedelta(days=moment))

    assert filtered({"ordering": field}) == [low.pk, middle.pk, high.pk]
    assert filtered({"ordering": f"-{field}"}) == [high.pk, middle.pk, low.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"followers_min": "many"},
        {"platform": "myspace"},
        {"type": "secondary"},
        {"kpi_status": "great"},
        {"client": "987654"},
        {"board": "abc"},
        {"ordering": "biography"},
    ],
)
def test_invalid_values_make_the_filterset_invalid_instead_of_failing(params):
    filterset = AccountFilterSet(QueryDict(urlencode(params)), queryset=Account.objects.all())

    assert not filterset.is_valid()


def test_snapshots_filter_by_a_captured_at_range():
    account = AccountFactory()
    now = timezone.now()
    old = AccountSnapshotFactory(account=account, captured_at=now - timedelta(days=9))
    recent = AccountSnapshotFactory(account=account, captured_at=now - timedelta(days=1))

    def snapshots(params):
        filterset = AccountSnapshotFilterSet(params, queryset=AccountSnapshot.objects.all())
        assert filterset.is_valid(), filterset.errors
        return set(filterset.qs.values_list("id", flat=True))

    week_ago = (now - timedelta(days=7)).isoformat()
    assert snapshots({"captured_at_after": week_ago}) == {recent.pk}
    assert snapshots({"captured_at_before": week_ago}) == {old.pk}
