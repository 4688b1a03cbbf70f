"""Refresh now on an account: the API action, the changelist action and the change page's
button queue the profile refresh once the transaction commits, and say so; only for people who
may edit the account, and only while it is tracked."""

import pytest
from django.urls import reverse
from django_q.models import OrmQ
from rest_framework.test import APIClient

from tests.creators.factories import AccountFactory

pytestmark = pytest.mark.django_db


def queued() -> list[tuple[str, list[int]]]:
    return [(task.func(), task.args()[0]) for task in OrmQ.objects.order_by("id")]


def test_the_api_queues_an_accounts_refresh_on_commit_and_says_so(
    api, django_capture_on_commit_callbacks
):
    account = AccountFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/accounts/{account.pk}/refresh/")

    assert response.status_code == 202
    assert "queued" in response.json()["message"]
    assert queued() == [("creators.tasks.refresh_accounts", [account.pk])]


def test_an_account_whose_tracking_is_off_is_not_refreshed(api, django_capture_on_commit_callbacks):
    account = AccountFactory(tracking_enabled=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/accounts/{account.pk}/refresh/")

    assert response.status_code == 409
    assert "Tracking is off" in response.json()["error"]["message"]
    assert queued() == []


def test_a_role_that_may_not_edit_accounts_cannot_refresh_them(
    role_user, django_capture_on_commit_callbacks
):
    account = AccountFactory()
    client = APIClient()
    client.force_login(role_user("Analyst"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/accounts/{account.pk}/refresh/")

    assert response.status_code == 403
    assert queued() == []


def test_the_changelist_action_and_the_button_queue_accounts(
    superuser_client, django_capture_on_commit_callbacks
):
    tracked, off = AccountFactory(), AccountFactory(tracking_enabled=False)
    refresh_url = reverse("admin:creators_account_refresh_now", args=[tracked.pk])

    with django_capture_on_commit_callbacks(execute=True):
        listed = superuser_client.post(
            reverse("admin:creators_account_changelist"),
            {"action": "refresh_now", "_selected_action": [tracked.pk, off.pk]},
            follow=True,
        )
    page = superuser_client.get(reverse("admin:creators_account_change", args=[tracked.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        pressed = superuser_client.post(refresh_url, follow=True)

    assert "Refresh queued for 1 account:" in listed.content.decode()
    assert "tracking is off" in listed.content.decode()
    assert f'action="{refresh_url}"' in page.content.decode()
    assert "Refresh queued for 1 account:" in pressed.content.decode()
    assert queued() == [
        ("creators.tasks.refresh_accounts", [tracked.pk]),
        ("creators.tasks.refresh_accounts", [tracked.pk]),
    ]
