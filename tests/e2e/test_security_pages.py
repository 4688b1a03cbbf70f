"""The pages the security work changed, in a real browser at 1440 x 900, as the roles that use
them: an editor's API keys (their own only, no user choice), an owner's (a choice without the
superuser), an analyst's finance item and statement (no payee's personal data)."""

import pytest

from finance.models import StatementEvent
from settings_app.services import api_key_create
from tests.finance.factories import FinanceItemFactory, PayoutStatementFactory
from tests.settings_app.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERSONAL = ("+1 555 0100", "IBAN XX00 1234", "Wise", "WISE-7781")


@pytest.fixture
def desk(page):
    page.set_viewport_size({"width": 1440, "height": 900})
    return page


def fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_editor_creates_a_key_for_themselves_and_sees_only_their_own(
    desk, live_server, admin_login, screenshot
):
    editor = UserFactory(username="ed", is_staff=True, roles=["Editor"])
    owner = UserFactory(username="boss", is_staff=True, roles=["Owner"])
    api_key_create(user=owner, name="owner's script")
    admin_login(desk, live_server, editor)

    desk.goto(f"{live_server.url}/admin/settings_app/apikey/add/")
    assert desk.locator("#id_user").count() == 0  # a key is always their own
    desk.fill("#id_name", "my export")
    desk.click("input[name=_save]")

    assert "copy it now" in desk.inner_text("ul.messagelist")
    listing = desk.inner_text("#result_list")
    assert "my export" in listing and "owner's script" not in listing
    assert fits_the_width(desk)
    screenshot(desk, "security-editor-api-keys")


def test_an_owner_may_choose_a_user_but_not_a_superuser(desk, live_server, admin_login, screenshot):
    owner = UserFactory(username="boss", is_staff=True, roles=["Owner"])
    UserFactory(username="ed", is_staff=True, roles=["Editor"])
    UserFactory(username="root", is_staff=True, is_superuser=True)
    admin_login(desk, live_server, owner)

    desk.goto(f"{live_server.url}/admin/settings_app/apikey/add/")

    choices = desk.locator("#id_user option").all_inner_texts()
    assert "ed" in choices and "boss" in choices and "root" not in choices
    assert fits_the_width(desk)
    screenshot(desk, "security-owner-api-key-add")


def test_an_analyst_sees_the_figures_without_the_payees_personal_data(
    desk, live_server, admin_login, screenshot
):
    analyst = UserFactory(username="ana", is_staff=True, roles=["Analyst"])
    item = FinanceItemFactory(
        code="FIN-0042",
        payee_name="Ana Clips",
        phone_number=PERSONAL[0],
        payment_details=PERSONAL[1],
        payment_method=PERSONAL[2],
    )
    statement = PayoutStatementFactory(finance_item=item, status="paid")
    StatementEvent.objects.create(
        statement=statement,
        kind="paid",
        at=statement.created_at,
        payment_method=PERSONAL[2],
        payment_reference=PERSONAL[3],
    )
    admin_login(desk, live_server, analyst)

    pages = {
        "item": f"/admin/finance/financeitem/{item.pk}/change/",
        "item-history": f"/admin/finance/financeitem/{item.pk}/history/",
        "statement": f"/admin/finance/payoutstatement/{statement.pk}/change/",
        "statements": "/admin/finance/payoutstatement/",
    }
    for name, path in pages.items():
        answer = desk.goto(f"{live_server.url}{path}")
        assert answer.status == 200, name
        text = desk.inner_text("body")
        assert "FIN-0042" in text, name
        assert not [value for value in PERSONAL if value in text], name
        assert fits_the_width(desk), name
        screenshot(desk, f"security-analyst-{name}")
