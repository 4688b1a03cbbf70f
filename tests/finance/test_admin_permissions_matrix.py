"""Finance by role, in the admin and the API: who may add, change, approve, pay, recompute and
export finance items and statements, and who may filter, sort or search by the payees'
personal data (settings_app.access): refused for a role that cannot see it, never answered
with a count."""

from decimal import Decimal

import pytest
from django.urls import reverse

from finance.choices import StatementStatus
from finance.models import FinanceItem, PayoutStatement
from tests.finance.factories import FinanceItemFactory, PayoutStatementFactory
from tests.settings_app.factories import UserFactory
from tests.utils import key_client

ROLES = ["Owner", "Manager", "Finance", "Editor", "Analyst"]
READERS = ["Owner", "Manager", "Finance", "Analyst"]
WRITERS = ["Owner", "Finance"]
SEES_PERSONAL = ["Owner", "Manager", "Finance"]


@pytest.fixture
def world(db):
    """One user per role; a finance item paid by Wise with a draft and an approved statement,
    another paid in cash, and one without statements (deletable)."""
    users = {role: UserFactory(username=f"m-{role.lower()}", roles=[role]) for role in ROLES}
    wise = FinanceItemFactory(
        code="FIN-0900",
        payment_method="wise",
        phone_number="+1 555 0900",
        payment_details="IBAN GB00 0900",
    )
    cash = FinanceItemFactory(code="FIN-0901", payment_method="cash")
    return {
        "users": users,
        "wise": wise,
        "cash": cash,
        "spare": FinanceItemFactory(code="FIN-0902"),
        "draft": PayoutStatementFactory(finance_item=wise, payment_reference="REF-0900"),
        "approved": PayoutStatementFactory(
            finance_item=cash, status=StatementStatus.APPROVED, amount_due=Decimal("50.00")
        ),
    }


# --- Admin pages: (name, args, roles allowed) ------------------------------------------------

BOARD = "admin:finance_payments_board"
ADMIN_GETS = [
    ("admin:finance_financeitem_changelist", [], READERS),
    ("admin:finance_financeitem_add", [], WRITERS),
    ("admin:finance_financeitem_change", ["wise"], READERS),
    ("admin:finance_financeitem_history", ["wise"], READERS),
    ("admin:finance_financeitem_delete", ["spare"], WRITERS),
    ("admin:finance_payoutstatement_changelist", [], READERS),
    ("admin:finance_payoutstatement_add", [], []),
    ("admin:finance_payoutstatement_change", ["draft"], READERS),
    ("admin:finance_payoutstatement_history", ["draft"], READERS),
    ("admin:finance_payoutstatement_delete", ["draft"], []),
    (BOARD, [], READERS),
    ("admin:finance_breakdown", ["wise"], READERS),
    ("admin:finance_mark_paid", ["approved"], WRITERS),
    ("admin:finance_adjust", ["draft"], WRITERS),
    ("admin:finance_void", ["draft"], WRITERS),
]


def _url(world, name, args) -> str:
    return reverse(name, args=[world[a].pk for a in args])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "args", "allowed"), ADMIN_GETS, ids=lambda v: str(v)[:45])
def test_each_role_opens_the_finance_admin_pages_its_role_allows(
    client, world, role, name, args, allowed
):
    client.force_login(world["users"][role])
    response = client.get(_url(world, name, args))
    assert response.status_code == (200 if role in allowed else 403), (role, name)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_exports_the_board_csv_only_if_it_reads_finance(client, world, role):
    client.force_login(world["users"][role])
    response = client.get(reverse(BOARD), {"month": "2026-03", "format": "csv"})
    if role in READERS:
        assert response.status_code == 200
        assert b"FIN-0900" in response.content
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_only_owners_and_finance_add_a_finance_item_in_the_admin(client, world, role):
    client.force_login(world["users"][role])
    form = {"code": "FIN-0999", "payee_name": "New", "currency": "USD", "base_monthly_pay": "1"}

    response = client.post(reverse("admin:finance_financeitem_add"), form)

    created = FinanceItem.objects.filter(code="FIN-0999").exists()
    assert (response.status_code, created) == ((302, True) if role in WRITERS else (403, False))


@pytest.mark.parametrize("role", ROLES)
def test_only_owners_and_finance_change_a_finance_item_in_the_admin(client, world, role):
    client.force_login(world["users"][role])
    item = world["cash"]
    form = {"code": item.code, "payee_name": "Renamed", "currency": "USD", "base_monthly_pay": "1"}
    if role in SEES_PERSONAL:
        form["payment_method"] = item.payment_method

    response = client.post(reverse("admin:finance_financeitem_change", args=[item.pk]), form)

    item.refresh_from_db()
    if role in WRITERS:
        assert (response.status_code, item.payee_name) == (302, "Renamed")
    else:
        assert response.status_code == 403
        assert item.payee_name != "Renamed"


@pytest.mark.parametrize("role", ROLES)
def test_only_owners_and_finance_delete_a_finance_item_in_the_admin(client, world, role):
    client.force_login(world["users"][role])
    spare = world["spare"]

    response = client.post(
        reverse("admin:finance_financeitem_changelist"),
        {"action": "delete_selected", "_selected_action": [spare.pk], "post": "yes"},
    )

    exists = FinanceItem.objects.filter(pk=spare.pk).exists()
    if role in WRITERS:
        assert (response.status_code, exists) == (302, False)
    elif role in READERS:
        assert exists  # no such action for them: nothing deleted
    else:
        assert (response.status_code, exists) == (403, True)


@pytest.mark.parametrize("role", ROLES)
def test_only_owners_and_finance_approve_on_the_board(client, world, role):
    client.force_login(world["users"][role])
    draft = world["draft"]

    response = client.post(f"{reverse(BOARD)}?month=2026-03", {"approve_one": draft.pk})

    draft.refresh_from_db()
    if role in WRITERS:
        assert (response.status_code, draft.status) == (302, StatementStatus.APPROVED)
    else:
        assert (response.status_code, draft.status) == (403, StatementStatus.DRAFT)


@pytest.mark.parametrize("role", ROLES)
def test_only_owners_and_finance_recompute_on_the_board(client, world, role):
    client.force_login(world["users"][role])
    before = PayoutStatement.objects.count()

    response = client.post(f"{reverse(BOARD)}?month=2026-03", {"recompute": "1"})

    if role in WRITERS:
        assert response.status_code == 302
        assert PayoutStatement.objects.count() > before  # this and last month's drafts
    else:
        assert (response.status_code, PayoutStatement.objects.count()) == (403, before)


@pytest.mark.parametrize("role", ROLES)
def test_only_owners_and_finance_mark_a_statement_paid(client, world, role):
    client.force_login(world["users"][role])
    approved = world["approved"]

    response = client.post(
        reverse("admin:finance_mark_paid", args=[approved.pk]), {"amount": "20.00"}
    )

    approved.refresh_from_db()
    if role in WRITERS:
        assert response.status_code == 302
        assert (approved.status, approved.paid_amount) == (
            StatementStatus.PARTIALLY_PAID,
            Decimal("20"),
        )
    else:
        assert response.status_code == 403
        assert (approved.status, approved.paid_amount) == (StatementStatus.APPROVED, 0)


@pytest.mark.parametrize("role", ROLES)
def test_only_owners_and_finance_adjust_a_statement(client, world, role):
    client.force_login(world["users"][role])
    draft = world["draft"]

    response = client.post(
        reverse("admin:finance_adjust", args=[draft.pk]), {"amount": "-10", "reason": "late"}
    )

    draft.refresh_from_db()
    if role in WRITERS:
        assert (response.status_code, draft.amount_due) == (302, Decimal("90.00"))
    else:
        assert (response.status_code, draft.amount_due) == (403, Decimal("100.00"))


@pytest.mark.parametrize("role", ROLES)
def test_only_owners_and_finance_void_a_statement(client, world, role):
    client.force_login(world["users"][role])
    draft = world["draft"]

    response = client.post(reverse("admin:finance_void", args=[draft.pk]), {"reason": "x"})

    draft.refresh_from_db()
    if role in WRITERS:
        assert (response.status_code, draft.status) == (302, StatementStatus.VOID)
    else:
        assert (response.status_code, draft.status) == (403, StatementStatus.DRAFT)


@pytest.mark.parametrize("role", READERS)
def test_the_board_and_the_statement_page_show_actions_only_to_those_who_may_act(
    client, world, role
):
    client.force_login(world["users"][role])
    draft = world["draft"]
    board = client.get(reverse(BOARD), {"month": "2026-03"}).content.decode()
    page = client.get(
        reverse("admin:finance_payoutstatement_change", args=[draft.pk])
    ).content.decode()
    links = [
        reverse("admin:finance_adjust", args=[draft.pk]),
        reverse("admin:finance_void", args=[draft.pk]),
        reverse("admin:finance_mark_paid", args=[world["approved"].pk]),
    ]
    shown = [link for link in links if link in board or link in page]
    assert shown == (links if role in WRITERS else [])
    assert ("approve_one" in board + page) == (role in WRITERS)
    assert 'name="_save"' not in page


@pytest.mark.parametrize("role", ROLES)
def test_a_statement_page_changes_nothing_whoever_posts_it(client, world, role):
    client.force_login(world["users"][role])
    draft = world["draft"]

    response = client.post(
        reverse("admin:finance_payoutstatement_change", args=[draft.pk]),
        {"status": "paid", "amount_due": "999"},
    )

    draft.refresh_from_db()
    assert (draft.status, draft.amount_due) == (StatementStatus.DRAFT, Decimal("100.00"))
    # Every field is read-only: the page answers (200 or 302) for those who may change
    # statements, through the board's actions only.
    assert response.status_code in ((200, 302) if role in WRITERS else (403,))


# --- Filters on the payees' personal data ----------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_api_filters_by_payment_method_only_for_roles_that_see_it(world, role):
    client = key_client(world["users"][role])

    response = client.get("/api/v1/finance/items/", {"payment_method": "wise"})

    if role in SEES_PERSONAL:
        assert response.status_code == 200
        assert [row["code"] for row in response.json()["results"]] == ["FIN-0900"]
    elif role == "Analyst":
        assert response.status_code == 400
        error = response.json()["error"]
        assert list(error["fields"]) == ["payment_method"]
        assert "payment_method" in error["message"]
        assert "count" not in response.json()
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ["Owner", "Analyst"])
def test_an_empty_hidden_filter_is_no_filter(world, role):
    client = key_client(world["users"][role])
    response = client.get("/api/v1/finance/items/", {"payment_method": ""})
    assert response.status_code == 200


@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize(
    ("path", "parameter", "value"),
    [
        ("/api/v1/finance/items/", "search", "wise"),
        ("/api/v1/finance/items/", "search", "IBAN"),
        ("/api/v1/finance/items/", "search", "555"),
        ("/api/v1/finance/statements/", "search", "REF-0900"),
    ],
)
def test_the_api_search_never_reaches_personal_data(world, role, path, parameter, value):
    response = key_client(world["users"][role]).get(path, {parameter: value})
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize("ordering", ["payment_method", "-phone_number", "payment_details"])
def test_the_api_does_not_sort_items_by_personal_data(world, role, ordering):
    response = key_client(world["users"][role]).get(
        "/api/v1/finance/items/", {"ordering": ordering}
    )
    assert response.status_code == 400
    assert "ordering" in response.json()["error"]["fields"]


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_filters_by_payment_method_only_for_roles_that_see_it(client, world, role):
    client.force_login(world["users"][role])
    changelist = reverse("admin:finance_financeitem_changelist")

    plain = client.get(changelist)
    filtered = client.get(changelist, {"payment_method": "wise"})

    if role not in READERS:
        assert (plain.status_code, filtered.status_code) == (403, 403)
        return
    assert (plain.status_code, filtered.status_code) == (200, 200)
    offered = 'aria-label="Payment method"' in plain.content.decode()
    listed = [item.code for item in filtered.context["cl"].result_list]
    if role in SEES_PERSONAL:
        assert offered
        assert listed == ["FIN-0900"]
    else:
        assert not offered
        assert listed == ["FIN-0900", "FIN-0901", "FIN-0902"]  # not applied
        assert "You may not filter or search by payment_method" in filtered.content.decode()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("changelist", "lookup", "value"),
    [
        ("admin:finance_financeitem_changelist", "phone_number__startswith", "+1"),
        ("admin:finance_financeitem_changelist", "payment_details__icontains", "IBAN"),
        ("admin:finance_financeitem_changelist", "payment_method__in", "wise"),
        ("admin:finance_payoutstatement_changelist", "payment_reference", "REF-0900"),
        ("admin:finance_payoutstatement_changelist", "payment_method__isnull", "False"),
    ],
)
def test_the_admins_own_lookups_on_personal_data_are_refused_to_roles_that_cannot_see_it(
    client, world, role, changelist, lookup, value
):
    client.force_login(world["users"][role])

    response = client.get(reverse(changelist), {lookup: value})

    if role in SEES_PERSONAL:
        assert response.status_code == 200
    else:
        assert response.status_code in (400, 403)
        assert b"FIN-0900" not in response.content


@pytest.mark.parametrize("role", READERS)
def test_the_admin_search_never_reaches_personal_data(client, world, role):
    client.force_login(world["users"][role])
    for term in ("wise", "IBAN", "555 0900"):
        response = client.get(reverse("admin:finance_financeitem_changelist"), {"q": term})
        assert list(response.context["cl"].result_list) == []
    response = client.get(reverse("admin:finance_payoutstatement_changelist"), {"q": "REF-0900"})
    assert list(response.context["cl"].result_list) == []
