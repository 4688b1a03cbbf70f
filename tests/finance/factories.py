import factory

from finance.models import FinanceItem


class FinanceItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinanceItem

    code = factory.Sequence(lambda n: f"FIN-{n:04d}")
    payee_name = factory.Sequence(lambda n: f"Payee {n}")
