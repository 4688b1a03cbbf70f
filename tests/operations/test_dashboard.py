"""The operations dashboard in the admin: one page, a bounded number of queries, and buttons
that call the services."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from creators.models import Account
from operations.alerts import heartbeat_beat
from operations.models import FailedItem, FailedItemKind, JobStatus
from platforms.providers.base import TemporaryError
from posts.choices import ProcessingStatus
from tests.creators.factories import AccountFactory
from tests.operations import fakes
from tests.operations.factories import FailedItemFactory, JobRunFactory
from tests.posts.factories import PostFactory
from tests.settings_app.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/admin/operations/jobrun/dashboard/"


def _fill(count: int) -> None:
    now = timezone.now()
    account = AccountFactory()
    for n in range(count):
        JobRunFactory(job="refresh_post_stats", started_at=now - timedelta(minutes=10 * n))
        JobRunFactory(job="classify_posts", status=JobStatus.FAILED, error=f"AIError {n}")
        FailedItemFactory()
        AccountFactory(tracking_enabled=False, disabled_reason="Private account")
        PostFactory(
            account=account,
            detected_at=now - timedelta(minutes=n),
            processing_status=ProcessingStatus.FAILED,
            ai_error="Invalid answer",
            ai_processed_at=now - timedelta(days=n),
            ai_prompt_tokens=1000,
            ai_completion_tokens=100,
            refresh_failures=1,
        )


def test_the_dashboard_is_linked_first_under_operations(superuser_client):
    page = superuser_client.get(reverse("admin:index")).content.decode()

    assert URL in page
    operations = page[page.index('class="app-operations') :]
    assert operations.index("Operations dashboard") < operations.index("Job runs")


def test_the_dashboard_shows_every_section_in_a_bounded_number_of_queries(superuser_client):
    call_command("sync_schedules")
    heartbeat_beat()
    _fill(3)
    superuser_client.get(URL)  # warm caches (content types, session)

    with CaptureQueriesContext(connection) as few:
        superuser_client.get(URL)
    _fill(12)
    with CaptureQueriesContext(connection) as many:
        response = superuser_client.get(URL)

    assert response.status_code == 200
    assert len(many) == len(few)
    page = response.content.decode()
    for section in ("jobs", "providers", "ai", "feed", "dead-letters", "disabled-accounts"):
        assert f'id="{section}"' in page
    assert 'data-job="refresh_post_stats" data-state="succeeded"' in page
    assert 'data-job="classify_posts" data-state="failed"' in page
    assert "AIError 11" in page and "Private account" in page and "Invalid answer" in page
    assert page.count('class="row1 feed-row"') + page.count('class="row2 feed-row"') == 15
    # Today: two posts of 1,000 + 100 tokens at 0.15 and 0.60 USD per 1M tokens.
    assert '<td class="num">2,000</td><td class="num">200</td><td class="num">0.00042</td>' in page


def test_replay_one_dead_letter_from_the_dashboard(superuser_client, settings, monkeypatch):
    settings.REFRESH_MAX_FAILURES = 2
    fake = fakes.install(settings, monkeypatch)
    post = PostFactory(post_id="AGAIN", refresh_failures=2)
    item = FailedItemFactory(object_id=str(post.pk))
    fake.posts["AGAIN"] = TemporaryError("still down")

    response = superuser_client.post(URL, {"replay_one": item.pk}, follow=True)

    assert "Replayed 1: 0 succeeded, 1 failed again." in response.content.decode()
    item.refresh_from_db()
    assert item.resolved_at is None and "still down" in item.error

    fake.posts["AGAIN"] = fakes.post_stats("AGAIN")
    response = superuser_client.post(URL, {"replay_selected": "1", "ids": [item.pk]}, follow=True)

    assert "Replayed 1: 1 succeeded, 0 failed again." in response.content.decode()
    assert FailedItem.objects.get(pk=item.pk).resolved_at is not None


def test_resolve_all_of_a_kind_reenable_an_account_and_requeue_the_ai(superuser_client):
    FailedItemFactory.create_batch(3)
    other = FailedItemFactory(kind=FailedItemKind.ACCOUNT_REFRESH)
    account = AccountFactory(tracking_enabled=False, disabled_reason="Private account")
    post = PostFactory(processing_status=ProcessingStatus.FAILED, ai_attempts=3)

    superuser_client.post(URL, {"resolve_kind": FailedItemKind.POST_REFRESH})
    superuser_client.post(URL, {"reenable": account.pk})
    response = superuser_client.post(URL, {"requeue_failed": "1"}, follow=True)

    assert list(FailedItem.objects.filter(resolved_at__isnull=True)) == [other]
    account.refresh_from_db()
    assert account.tracking_enabled and account.disabled_reason == ""
    post.refresh_from_db()
    assert post.processing_status == ProcessingStatus.PENDING
    assert "1 failed post(s) queued for the AI again." in response.content.decode()


def test_staff_without_permissions_cannot_press_the_buttons(client):
    from django.contrib.auth.models import Permission

    staff = UserFactory(username="viewer", roles=[])
    staff.user_permissions.add(Permission.objects.get(codename="view_jobrun"))
    client.force_login(staff)
    account = AccountFactory(tracking_enabled=False, disabled_reason="Private account")

    assert client.get(URL).status_code == 200
    assert client.post(URL, {"reenable": account.pk}).status_code == 403
    assert client.post(URL, {"resolve_kind": "post_refresh"}).status_code == 403
    assert not Account.objects.get(pk=account.pk).tracking_enabled


def test_the_dashboard_needs_the_job_runs_view_permission(client):
    client.force_login(UserFactory(username="nobody", roles=[]))

    assert client.get(URL).status_code == 403
