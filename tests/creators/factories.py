import factory
from django.utils import timezone

from creators.models import Account, AccountSnapshot
from posts.choices import Platform


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    platform = Platform.INSTAGRAM
    username = factory.Sequence(lambda n: f"creator{n}")
    url = factory.LazyAttribute(lambda a: f"https://www.instagram.com/{a.username}/")


class AccountSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountSnapshot

    account = factory.SubFactory(AccountFactory)
    captured_at = factory.LazyFunction(timezone.now)
    followers = 10_000
    following = 100
    media_count = 50
    source = "test"


class CreatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "creators.Creator"

    display_name = factory.Sequence(lambda n: f"Creator {n}")
    email = factory.Sequence(lambda n: f"creator{n}@example.com")
    timezone = "Europe/Berlin"
