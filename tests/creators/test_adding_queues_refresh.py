"""Adding accounts queues their first profile refresh once the transaction commits; accounts
already tracked queue nothing."""

import pytest
from django_q.models import OrmQ

from creators.services.adding import account_add, account_bulk_add
from tests.creators.factories import AccountFactory

pytestmark = pytest.mark.django_db


def queued() -> list[tuple[str, list[int]]]:
    return [(task.func(), task.args()[0]) for task in OrmQ.objects.order_by("id")]


def test_an_account_added_by_url_queues_its_refresh_on_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        account, created = account_add(url="https://www.instagram.com/somebody/")
    assert created and queued() == []

    for callback in callbacks:
        callback()

    assert queued() == [("creators.tasks.refresh_accounts", [account.pk])]


def test_a_bulk_add_queues_only_the_accounts_it_created(django_capture_on_commit_callbacks):
    AccountFactory(platform="instagram", username="known", url="https://www.instagram.com/known/")

    with django_capture_on_commit_callbacks(execute=True):
        results = account_bulk_add(
            urls=["https://www.instagram.com/known/", "https://www.instagram.com/newcomer/"]
        )

    created = [r.obj.pk for r in results if r.status == "created"]
    assert len(created) == 1
    assert queued() == [("creators.tasks.refresh_accounts", created)]
