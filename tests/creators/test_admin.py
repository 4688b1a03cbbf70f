"""The account admin: seed columns, FilterSet filters through admin URLs, adding by profile URL,
tracking actions, editing through the service."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from creators.filters import AccountFilterSet
from creators.models import Account
from platforms.urls import ACCEPTED_FORMS
from tests.creators.factories import AccountFactory, AccountSnapshotFactory
from tests.finance.factories import FinanceItemFactory
from tests.posts.factories import PostFactory
from tests.settings_app.factories import BoardFactory, ClientFactory, EditorFactory

pytestmark = pytest.mark.django_db


CHANGELIST = "admin:creators_account_changelist"


def change_url(account: Account) -> str:
    return reverse("admin:creators_account_change", args=[account.pk])


def changelist(client, params=None):
    response = client.get(reverse(CHANGELIST), params or {})
    assert response.status_code == 200, response.get("Location")
    return response


def tiktok_account(username: str, **kwargs) -> Account:
    return AccountFactory(
        platform="tiktok", username=username, url=f"https://www.tiktok.com/@{username}", **kwargs
    )


# --- Every FilterSet filter through the admin URL ---------------------------------------------


def case_search():
    match, other = AccountFactory(username="pastedprofile"), AccountFactory()
    return {"search": "https://www.instagram.com/pastedprofile/?hl=en"}, match, other


def case_platform():
    return {"platform": "tiktok"}, tiktok_account("ontiktok"), AccountFactory()


def case_username():
    match, other = AccountFactory(username="alice"), AccountFactory(username="alicette")
    return {"username": "@Alice"}, match, other


def case_client():
    client = ClientFactory()
    return {"client": client.pk}, AccountFactory(client=client), AccountFactory()


def case_editor():
    editor = EditorFactory()
    return {"editor": editor.pk}, AccountFactory(editor=editor), AccountFactory()


def case_board():
    board = BoardFactory()
    match, other = AccountFactory(), AccountFactory()
    match.boards.add(board)
    other.boards.add(BoardFactory())
    return {"board": board.pk}, match, other


def case_type():
    match, other = AccountFactory(type="clip_side"), AccountFactory(type="main")
    return {"type": "clip_side"}, match, other


def case_tracking_enabled():
    match = AccountFactory(tracking_enabled=False, disabled_reason="Private account")
    return {"tracking_enabled": "false"}, match, AccountFactory()


def case_refresh_failing():
    match = AccountFactory(detect_failures=1, detect_error="TemporaryError: 500")
    return {"refresh_failing": "true"}, match, AccountFactory()


def case_finance_item():
    item = FinanceItemFactory()
    match = AccountFactory(finance_item=item)
    return {"finance_item": item.pk}, match, AccountFactory(finance_item=FinanceItemFactory())


def case_kpi_status():
    match, other = AccountFactory(kpi_status="behind"), AccountFactory(kpi_status="met")
    return {"kpi_status": "behind"}, match, other


def case_processing_status():
    match, other = AccountFactory(processing_status="failed"), AccountFactory()
    return {"processing_status": "failed"}, match, other


def case_followers():
    match, other = AccountFactory(followers=50_000), AccountFactory(followers=500)
    return {"followers_min": "10000", "followers_max": "100000"}, match, other


FILTER_CASES = {
    name.removeprefix("case_"): function
    for name, function in list(globals().items())
    if name.startswith("case_")
}


def test_every_filter_of_the_filterset_has_an_admin_case():
    assert set(FILTER_CASES) | {"ordering"} == set(AccountFilterSet.base_filters)


@pytest.mark.parametrize("name", sorted(FILTER_CASES))
def test_the_admin_url_filters_accounts_through_the_filterset(superuser_client, name):
    params, match, other = FILTER_CASES[name]()

    content = changelist(superuser_client, params).content.decode()

    assert change_url(match) in content
    assert change_url(other) not in content


def test_ordering_from_the_filterset_orders_the_changelist(superuser_client):
    small, big = AccountFactory(followers=10), AccountFactory(followers=1_000)

    content = changelist(superuser_client, {"ordering": "-followers"}).content.decode()

    assert content.index(change_url(big)) < content.index(change_url(small))


def test_the_search_box_finds_an_account_by_its_pasted_profile_url(superuser_client):
    match, other = tiktok_account("dancer"), tiktok_account("singer")

    content = changelist(
        superuser_client, {"q": "https://www.tiktok.com/@Dancer?lang=en"}
    ).content.decode()

    assert change_url(match) in content
    assert change_url(other) not in content


# --- The table --------------------------------------------------------------------------------


def test_the_changelist_shows_the_seeds_columns(superuser_client):
    AccountFactory(
        username="bigcreator",
        profile_pic_url="https://cdn.example.com/pic.jpg",
        followers=2_500_000,
        avg_views=123_456,
        posts_last_7d=3,
        posts_last_30d=12,
        posts_last_90d=1_234,
        tracking_enabled=False,
        disabled_reason="Account is private",
        editor=EditorFactory(name="Eve"),
        client=ClientFactory(name="Acme"),
        finance_item=FinanceItemFactory(code="FIN-0777"),
    )
    AccountFactory(profile_pic_url="", followers=None)

    # Every seed column, on demand (the default shows those that fit 1440 px).
    content = changelist(superuser_client, {"cols": "all"}).content.decode()

    for header in (
        "Picture",
        "Username",
        "Platform",
        "Followers",
        "Average views",
        "Posts 7d",
        "Posts 30d",
        "Posts 90d",
        "Tracking enabled",
        "Disabled reason",
        "Editor",
        "Client",
        "Finance item",
    ):
        assert f">{header}<" in content, header
    for value in (
        'src="https://cdn.example.com/pic.jpg"',
        'loading="lazy"',
        'referrerpolicy="no-referrer"',
        "co-thumb-empty",
        "@bigcreator",
        "2,500,000",
        "123,456",
        "1,234",
        "Account is private",
        "Eve",
        "Acme",
        "FIN-0777",
        "—",
    ):
        assert value in content, value


def test_the_changelist_query_count_does_not_grow_with_rows(superuser_client):
    def make(count):
        board = BoardFactory()
        for _ in range(count):
            account = AccountFactory(
                client=ClientFactory(), editor=EditorFactory(), finance_item=FinanceItemFactory()
            )
            account.boards.add(board)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            changelist(superuser_client)
        return len(queries)

    make(3)
    few = count_queries()
    make(27)

    assert count_queries() == few


# --- Adding by profile URL --------------------------------------------------------------------


def test_adding_an_account_by_profile_url_creates_it_through_the_service(superuser_client):
    client, board = ClientFactory(), BoardFactory()
    post = PostFactory(
        platform="tiktok",
        post_id="7322222222222222222",
        url="https://www.tiktok.com/@newcreator/video/7322222222222222222",
        username="newcreator",
    )

    response = superuser_client.post(
        reverse("admin:creators_account_add"),
        {
            "url": "https://www.tiktok.com/@NewCreator?lang=en",
            "client": client.pk,
            "type": "main",
            "boards": [board.pk],
        },
    )

    assert response.status_code == 302
    account = Account.objects.get(platform="tiktok", username="newcreator")
    assert account.client == client and account.type == "main"
    assert list(account.boards.all()) == [board]
    post.refresh_from_db()
    assert post.account == account


def test_adding_an_already_tracked_account_redirects_to_it(superuser_client):
    existing = AccountFactory(username="known")

    response = superuser_client.post(
        reverse("admin:creators_account_add"), {"url": "instagram.com/Known/"}
    )

    assert response.status_code == 302
    assert response["Location"] == change_url(existing)
    assert Account.objects.count() == 1
    assert any("already tracked" in str(m) for m in get_messages(response.wsgi_request))


def test_adding_an_unsupported_url_shows_the_accepted_forms(superuser_client):
    response = superuser_client.post(
        reverse("admin:creators_account_add"), {"url": "https://example.com/someone"}
    )

    assert response.status_code == 200
    error = response.context["adminform"].form.errors["url"][0]
    assert ACCEPTED_FORMS in error
    assert Account.objects.count() == 0


def test_adding_a_post_url_as_an_account_says_to_paste_the_profile(superuser_client):
    response = superuser_client.post(
        reverse("admin:creators_account_add"), {"url": "https://www.instagram.com/p/Abc123/"}
    )

    assert "not a profile" in response.context["adminform"].form.errors["url"][0]


def test_bulk_add_accounts_reports_each_url(superuser_client):
    AccountFactory(username="already")
    editor = EditorFactory()
    urls = [
        "https://www.instagram.com/firstnew/",
        "https://www.instagram.com/already/",
        "https://www.instagram.com/p/NotAProfile/",
        "https://www.tiktok.com/@secondnew",
    ]

    response = superuser_client.post(
        reverse("admin:creators_account_bulk_add"), {"urls": "\n".join(urls), "editor": editor.pk}
    )

    assert response.status_code == 200
    assert [r["status"] for r in response.context["results"]] == [
        "created",
        "exists",
        "invalid",
        "created",
    ]
    assert "not a profile" in response.context["results"][2]["error"]
    assert set(Account.objects.filter(editor=editor).values_list("username", flat=True)) == {
        "firstnew",
        "secondnew",
    }
    assert (
        reverse("admin:creators_account_bulk_add") in changelist(superuser_client).content.decode()
    )


# --- Tracking and editing ---------------------------------------------------------------------


def test_disable_and_enable_tracking_actions_update_the_selected_accounts(
    superuser_client, superuser
):
    first, second = AccountFactory(), AccountFactory()
    private = AccountFactory(tracking_enabled=False, disabled_reason="Private account")
    url = reverse(CHANGELIST)

    response = superuser_client.post(
        url, {"action": "disable_tracking", "_selected_action": [first.pk, private.pk]}, follow=True
    )

    first.refresh_from_db()
    private.refresh_from_db()
    second.refresh_from_db()
    assert not first.tracking_enabled and superuser.username in first.disabled_reason
    assert private.disabled_reason == "Private account"  # already off: keeps the job's reason
    assert second.tracking_enabled
    assert "Tracking turned off for 1 account(s)." in response.content.decode()

    superuser_client.post(
        url, {"action": "enable_tracking", "_selected_action": [first.pk, private.pk]}
    )

    first.refresh_from_db()
    private.refresh_from_db()
    assert first.tracking_enabled and private.tracking_enabled
    assert first.disabled_reason == "" and private.disabled_reason == ""


def test_the_change_page_saves_business_fields_and_keeps_identity_read_only(superuser_client):
    account = AccountFactory(username="owner", followers=100)
    client, board = ClientFactory(), BoardFactory()

    response = superuser_client.post(
        change_url(account),
        {
            "client": client.pk,
            "editor": "",
            "type": "main",
            "boards": [board.pk],
            "finance_item": "",
            "started_date": "2026-01-05",
            "extra": '{"notes": "VIP"}',
            # tracking_enabled unchecked: turned off through the service, with a reason
            "username": "hijacked",
            "followers": 999,
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    account.refresh_from_db()
    assert account.client == client and account.type == "main"
    assert account.extra == {"notes": "VIP"}
    assert list(account.boards.all()) == [board]
    assert str(account.started_date) == "2026-01-05"
    assert not account.tracking_enabled and "in the admin" in account.disabled_reason
    assert account.username == "owner" and account.followers == 100


def test_the_change_page_shows_recent_snapshots_and_links_to_the_rest(superuser_client):
    account = AccountFactory()
    start = timezone.now() - timedelta(days=40)
    for day in range(30):
        AccountSnapshotFactory(
            account=account, captured_at=start + timedelta(days=day), followers=10_000 + day
        )

    response = superuser_client.get(change_url(account))

    content = response.content.decode()
    assert "10,029" in content and "10,010" in content
    assert "10,009" not in content
    assert f"{reverse('admin:creators_accountsnapshot_changelist')}?account={account.pk}" in content
    assert f"{reverse('admin:posts_post_changelist')}?account={account.pk}" in content


def test_the_snapshot_list_filters_by_account_and_is_read_only(superuser_client):
    account = AccountFactory()
    mine, theirs = AccountSnapshotFactory(account=account), AccountSnapshotFactory()
    url = reverse("admin:creators_accountsnapshot_changelist")

    content = superuser_client.get(url, {"account": account.pk}).content.decode()

    assert reverse("admin:creators_accountsnapshot_change", args=[mine.pk]) in content
    assert reverse("admin:creators_accountsnapshot_change", args=[theirs.pk]) not in content
    assert superuser_client.get(reverse("admin:creators_accountsnapshot_add")).status_code == 403
