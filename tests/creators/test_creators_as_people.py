"""Creators as people: accounts grouped under a creator from the accounts list (an intermediate
page), the creator page listing its accounts, finance figures, tasks and campaigns."""

import pytest
from django.test import Client
from django.urls import reverse

from core.errors import DomainError
from creators.models import Account, Creator
from creators.services.grouping import accounts_group_under_creator
from tests.creators.factories import AccountFactory, CreatorFactory
from tests.finance.factories import FinanceItemFactory
from tests.workflow.factories import CampaignFactory, DeliverableFactory, task_make

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_existing_accounts_start_without_a_creator():
    assert AccountFactory().creator is None


def test_grouping_under_a_new_creator_takes_their_shared_finance_item():
    item = FinanceItemFactory()
    accounts = [AccountFactory(finance_item=item), AccountFactory(finance_item=item)]
    creator, attached = accounts_group_under_creator(
        accounts_qs=Account.objects.filter(pk__in=[a.pk for a in accounts]), new_name="Maya"
    )
    assert attached == 2
    assert creator.display_name == "Maya" and creator.finance_item == item
    assert set(creator.accounts.all()) == set(accounts)


def test_grouping_needs_exactly_one_of_an_existing_creator_or_a_name():
    with pytest.raises(DomainError, match="not both"):
        accounts_group_under_creator(
            accounts_qs=Account.objects.all(), creator=CreatorFactory(), new_name="Also"
        )


def test_the_admin_action_asks_for_the_creator_then_groups(staff):
    accounts = [AccountFactory(), AccountFactory()]
    existing = CreatorFactory(display_name="Existing Maya")
    client = _client(staff)
    url = reverse("admin:creators_account_changelist")
    selected = {"action": "group_under_creator", "_selected_action": [a.pk for a in accounts]}

    form = client.post(url, selected)
    assert form.status_code == 200
    assert "Existing Maya" in form.content.decode()
    assert Account.objects.filter(creator__isnull=False).count() == 0

    invalid = client.post(url, {**selected, "apply": "Group"})
    assert "not both" in invalid.content.decode()

    done = client.post(url, {**selected, "apply": "Group", "creator": existing.pk}, follow=True)
    assert "2 account(s) grouped under Existing Maya" in done.content.decode()
    assert set(existing.accounts.all()) == set(accounts)


def test_the_creator_page_lists_accounts_figures_tasks_and_campaigns(staff):
    creator = CreatorFactory(display_name="Maya")
    AccountFactory(creator=creator, username="maya.ig", this_month_posting_volume=7)
    campaign = CampaignFactory(name="Summer drop")
    DeliverableFactory(campaign=campaign, creator=creator, quantity=3)
    task_make(creator=creator, title="Teaser", campaign=campaign)
    task_make(title="Someone else's task")

    page = _client(staff).get(reverse("admin:creators_creator_change", args=[creator.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "@maya.ig" in html
    assert "Posting volume this month" in html and ">7<" in html
    assert "Teaser" in html and "Someone else" not in html
    assert "Summer drop" in html and "0 / 3" in html


def test_a_creator_login_sees_only_itself_in_the_creators_list(creator_login):
    user, creator = creator_login()
    CreatorFactory(display_name="Another Person")
    page = _client(user).get(reverse("admin:creators_creator_changelist"))
    html = page.content.decode()
    assert page.status_code == 200
    assert creator.display_name in html and "Another Person" not in html
    assert Creator.objects.count() == 2
