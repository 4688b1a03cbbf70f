"""One month parser (finance.queries.parse_month) for the API, the admin, the CSV export and the
breakdown: "YYYY-MM" in ASCII digits, within a range a date can hold; anything else is a 4xx
naming `month`, never a 500."""

import pytest
from django.urls import reverse

from finance.choices import StatementStatus
from tests.finance.factories import FinanceItemFactory, PayoutStatementFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/finance"
BAD_MONTHS = ["0000-01", "9999-12", "２０２６-１２", "2026-13", "2026-3", "2026-03-01", "x"]


@pytest.fixture
def item(db):
    item = FinanceItemFactory(code="FIN-0600")
    PayoutStatementFactory(finance_item=item)
    return item


@pytest.mark.parametrize("month", BAD_MONTHS)
@pytest.mark.parametrize(
    "path", ["/statements/", "/statements/export.csv", "/items/{item}/breakdown/"]
)
def test_the_api_answers_400_naming_month_for_a_month_it_cannot_read(api, item, path, month):
    response = api.get(API + path.format(item=item.pk), {"month": month})

    assert response.status_code == 400, response.content[:200]
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "month" in error["fields"]
    assert "YYYY-MM" in error["message"]


def test_the_api_reads_an_ascii_month_at_the_edges_of_the_range(api, item):
    for month in ("1900-01", "2999-12"):
        assert api.get(f"{API}/items/{item.pk}/breakdown/", {"month": month}).status_code == 200
        assert api.get(f"{API}/statements/", {"month": month}).status_code == 200


def test_the_list_and_the_breakdown_agree_on_a_month(api, item):
    listed = api.get(f"{API}/statements/", {"month": "2026-03"}).json()["results"]
    breakdown = api.get(f"{API}/items/{item.pk}/breakdown/", {"month": "2026-03"}).json()
    assert [row["month"] for row in listed] == [breakdown["month"]] == ["2026-03"]


@pytest.mark.parametrize("month", BAD_MONTHS)
def test_the_admin_says_a_month_is_not_valid_instead_of_failing(superuser_client, item, month):
    board = reverse("admin:finance_payments_board")
    breakdown = reverse("admin:finance_breakdown", args=[item.pk])
    statements = reverse("admin:finance_payoutstatement_changelist")

    for url in (board, breakdown):
        for extra in ({}, {"format": "csv"}):
            response = superuser_client.get(url, {"month": month, **extra}, follow=True)
            assert response.status_code == 200
            assert response.redirect_chain[0][0] == url  # back to the default month
            assert "is not valid: use YYYY-MM" in response.content.decode()
            assert not response["Content-Type"].startswith("text/csv")
    listing = superuser_client.get(statements, {"month": month})
    assert listing.status_code == 200
    assert "Some filters were ignored" in listing.content.decode()


def test_the_admin_board_posts_to_a_bad_month_change_nothing(superuser_client, item):
    statement = item.statements.get()
    board = reverse("admin:finance_payments_board")

    response = superuser_client.post(f"{board}?month=0000-01", {"approve_one": statement.pk})

    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.status == StatementStatus.DRAFT
