"""A finance item's currency is an active ISO 4217 code, and its amounts, volumes and dates are
typed in ASCII digits: the API and the admin refuse the same inputs with a clear message."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.currencies import ACTIVE_CURRENCY_CODES
from finance.models import FinanceItem
from tests.finance.factories import FinanceItemFactory, PayoutStatementFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/finance"
NOT_CURRENCIES = ["usd", "US", "USDX", "ABC", "XTS", "１２３", ""]


def _item_form(**changes) -> dict:
    form = {
        "code": "FIN-0700",
        "payee_name": "Payee",
        "is_active": "on",
        "currency": "EUR",
        "base_monthly_pay": "100.00",
        "expected_monthly_posting_volume": "",
        "rate_per_1k_views": "",
        "started_date": "",
        "notes": "",
        "payment_method": "",
        "phone_number": "",
        "payment_details": "",
    }
    return {**form, **changes}


@pytest.mark.parametrize("currency", NOT_CURRENCIES)
def test_the_api_refuses_a_currency_that_is_not_an_iso_4217_code(api, currency):
    response = api.post(
        f"{API}/items/", {"code": "FIN-0700", "payee_name": "P", "currency": currency}
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert "currency" in error["fields"]
    assert not FinanceItem.objects.filter(code="FIN-0700").exists()


@pytest.mark.parametrize("currency", ["ABC", "usd", "XTS"])
def test_the_api_names_the_iso_4217_rule(api, currency):
    error = api.post(
        f"{API}/items/", {"code": "FIN-0700", "payee_name": "P", "currency": currency}
    ).json()["error"]
    assert "ISO 4217" in " ".join(error["fields"]["currency"])


@pytest.mark.parametrize("currency", ["EUR", "GBP", "JPY", "XOF"])
def test_the_api_accepts_an_active_iso_4217_code(api, currency):
    response = api.post(
        f"{API}/items/", {"code": "FIN-0700", "payee_name": "P", "currency": currency}
    )
    assert response.status_code == 201
    assert response.json()["currency"] == currency


@pytest.mark.parametrize("currency", ["ABC", "usd", "XTS"])
def test_the_admin_refuses_a_currency_that_is_not_an_iso_4217_code(superuser_client, currency):
    response = superuser_client.post(
        reverse("admin:finance_financeitem_add"), _item_form(currency=currency)
    )

    assert response.status_code == 200  # the form again, with the error
    assert "not an active ISO 4217 currency code" in response.content.decode()
    assert not FinanceItem.objects.filter(code="FIN-0700").exists()


def test_the_admin_accepts_an_iso_4217_code(superuser_client):
    response = superuser_client.post(
        reverse("admin:finance_financeitem_add"), _item_form(currency="CHF")
    )
    assert response.status_code == 302
    assert FinanceItem.objects.get(code="FIN-0700").currency == "CHF"


def test_the_model_validation_refuses_an_unknown_currency():
    item = FinanceItemFactory.build(currency="ABC")
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert "currency" in error.value.message_dict


def test_the_code_list_holds_only_three_capital_letters():
    assert {"USD", "EUR", "GBP", "JPY"} <= ACTIVE_CURRENCY_CODES
    assert all(len(c) == 3 and c.isascii() and c.isupper() for c in ACTIVE_CURRENCY_CODES)
    assert not {"XTS", "XXX", "XAU", "HRK"} & ACTIVE_CURRENCY_CODES


# --- ASCII digits -----------------------------------------------------------------------------

FULLWIDTH_INPUTS = [
    ("base_monthly_pay", "１２.５０"),
    ("expected_monthly_posting_volume", "３０"),
    ("rate_per_1k_views", "２"),
    ("started_date", "２０２６-０１-３１"),
]


@pytest.mark.parametrize(("field", "value"), FULLWIDTH_INPUTS)
def test_the_api_refuses_numbers_and_dates_in_other_digits(api, field, value):
    response = api.post(f"{API}/items/", {"code": "FIN-0700", "payee_name": "P", field: value})

    assert response.status_code == 400
    # An integer sent as a JSON string is refused for its type before its digits are read.
    message = " ".join(response.json()["error"]["fields"][field])
    assert "digits 0-9" in message or message == "Expected an integer."
    assert not FinanceItem.objects.filter(code="FIN-0700").exists()


@pytest.mark.parametrize(("field", "value"), FULLWIDTH_INPUTS)
def test_the_admin_refuses_numbers_and_dates_in_other_digits(superuser_client, field, value):
    response = superuser_client.post(
        reverse("admin:finance_financeitem_add"), _item_form(**{field: value})
    )

    assert response.status_code == 200
    assert "digits 0-9" in response.content.decode()
    assert not FinanceItem.objects.filter(code="FIN-0700").exists()


def test_ascii_numbers_and_dates_still_work_in_the_api_and_the_admin(api, superuser_client):
    ascii_values = {
        "base_monthly_pay": "12.50",
        "expected_monthly_posting_volume": "30",
        "rate_per_1k_views": "2",
        "started_date": "2026-01-31",
    }
    # The API takes JSON: the integer as a number.
    api_values = {**ascii_values, "expected_monthly_posting_volume": 30}
    created = api.post(f"{API}/items/", {"code": "FIN-0701", "payee_name": "P", **api_values})
    added = superuser_client.post(
        reverse("admin:finance_financeitem_add"), _item_form(**ascii_values)
    )
    assert created.status_code == 201 and added.status_code == 302
    assert FinanceItem.objects.get(code="FIN-0700").base_monthly_pay == Decimal("12.50")


@pytest.mark.parametrize("action", ["adjust", "mark-paid"])
def test_statement_amounts_in_other_digits_are_refused(api, action):
    statement = PayoutStatementFactory(status="approved")

    body = {"amount": "１０", "reason": "r"} if action == "adjust" else {"amount": "１０"}
    response = api.post(f"{API}/statements/{statement.pk}/{action}/", body)

    assert response.status_code == 400
    assert "amount" in response.json()["error"]["fields"]


def test_the_admin_mark_paid_form_refuses_other_digits(superuser_client):
    statement = PayoutStatementFactory(status="approved")

    response = superuser_client.post(
        reverse("admin:finance_mark_paid", args=[statement.pk]), {"amount": "１０"}
    )

    assert response.status_code == 200
    assert "digits 0-9" in response.content.decode()
    statement.refresh_from_db()
    assert statement.paid_amount == Decimal("0.00")


def test_the_statement_filter_by_item_id_refuses_other_digits(api):
    statement = PayoutStatementFactory()
    fullwidth = str(statement.finance_item_id).translate(
        {ord(d): ord(d) + 0xFEE0 for d in "0123456789"}
    )

    response = api.get(f"{API}/statements/", {"finance_item": fullwidth})

    assert response.status_code == 400
    assert "finance_item" in response.json()["error"]["fields"]
