"""A draft statement is never called frozen: its breakdown shows the figures as of now, says
when the draft is out of date and offers Recompute; changing an item's terms recomputes its
drafts at once."""

from decimal import Decimal

import pytest
from django.urls import reverse

from finance.choices import StatementStatus
from finance.services import finance_item_save, finance_statements_recompute, statement_approve
from tests.creators.factories import AccountFactory
from tests.finance.factories import FinanceItemFactory
from tests.finance.test_statements import APRIL_5, post, statement

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    item = FinanceItemFactory(
        code="FIN-0077", base_monthly_pay=Decimal("500.00"), rate_per_1k_views=Decimal("2")
    )
    account = AccountFactory(finance_item=item)
    post(account, "2026-03-02", [("2026-03-03", 1_500)])
    finance_statements_recompute(now=APRIL_5)
    # Snapshots arrive after the draft was computed: 3 500 more views in March.
    post(account, "2026-03-20", [("2026-03-21", 3_500)])
    return item


def breakdown_url(item) -> str:
    return reverse("admin:finance_breakdown", args=[item.pk]) + "?month=2026-03"


def test_the_breakdown_of_an_out_of_date_draft_offers_recompute(client, role_user, item):
    client.force_login(role_user("Finance"))
    page = client.get(breakdown_url(item)).content.decode()
    assert "frozen" not in page.lower()
    assert "out of date" in page and 'name="recompute_statement"' in page
    assert "5,000" in page  # the views as of now, 1 500 + 3 500

    answer = client.post(breakdown_url(item), {"recompute_statement": "1"})

    assert answer.status_code == 302
    s = statement(item)
    assert (s.views_generated, s.variable, s.amount_due) == (
        5_000,
        Decimal("10.00"),
        Decimal("510.00"),
    )
    page = client.get(breakdown_url(item)).content.decode()
    assert "out of date" not in page and "frozen" not in page.lower()


def test_only_those_who_may_change_statements_recompute_one(client, role_user, item):
    client.force_login(role_user("Manager"))
    page = client.get(breakdown_url(item)).content.decode()
    assert "out of date" in page and 'name="recompute_statement"' not in page
    assert client.post(breakdown_url(item), {"recompute_statement": "1"}).status_code == 403
    assert statement(item).views_generated == 1_500


def test_an_approved_statement_keeps_its_figures_and_says_so(client, role_user, item, staff):
    statement_approve(statement=statement(item), user=staff)
    client.force_login(role_user("Finance"))
    page = client.get(breakdown_url(item)).content.decode()
    assert "frozen" in page and 'name="recompute_statement"' not in page


def test_new_terms_recompute_the_items_drafts_at_once(item, staff):
    item.base_monthly_pay = Decimal("800.00")
    finance_item_save(item=item, actor=staff, fields=["base_monthly_pay"])
    s = statement(item)
    assert (s.status, s.base, s.views_generated) == (
        StatementStatus.DRAFT,
        Decimal("800.00"),
        5_000,
    )
