import datetime
from decimal import Decimal

import factory

from finance.models import FinanceItem, PayoutStatement


class FinanceItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinanceItem

    code = factory.Sequence(lambda n: f"FIN-{n:04d}")
    payee_name = factory.Sequence(lambda n: f"Payee {n}")


class PayoutStatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PayoutStatement

    finance_item = factory.SubFactory(FinanceItemFactory)
    month = datetime.date(2026, 3, 1)
    base = Decimal("100.00")
    computed = Decimal("100.00")
    amount_due = Decimal("100.00")
