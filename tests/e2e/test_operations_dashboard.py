"""The operations dashboard in a real browser: an operator opens it from the admin index,
sees what failed and why, replays a dead letter, resolves another and re-enables an account."""

import pytest
from django.core.management import call_command

from creators.models import Account
from operations.alerts import heartbeat_beat
from operations.models import FailedItem, FailedItemKind, JobStatus
from tests.creators.factories import AccountFactory
from tests.operations import fakes
from tests.operations.factories import FailedItemFactory, JobRunFactory
from tests.posts.factories import PostFactory
from tests.settings_app.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_operator_sees_what_failed_and_fixes_it(
    page, live_server, admin_login, screenshot, settings, monkeypatch
):
    settings.REFRESH_MAX_FAILURES = 2
    fake = fakes.install(settings, monkeypatch)
    call_command("sync_schedules")
    heartbeat_beat()
    JobRunFactory(job="refresh_post_stats", status=JobStatus.PARTIAL, items_ok=8, items_failed=2)
    JobRunFactory(job="classify_posts", status=JobStatus.FAILED, error="AIError: server said 500")
    back = PostFactory(post_id="BACKAGAIN", refresh_failures=2)
    fake.posts["BACKAGAIN"] = fakes.post_stats("BACKAGAIN", views=999)
    replayed = FailedItemFactory(object_id=str(back.pk), object_label="the comeback post")
    settled = FailedItemFactory(kind=FailedItemKind.ACCOUNT_REFRESH, object_label="gone")
    account = AccountFactory(
        username="hidden", tracking_enabled=False, disabled_reason="Private account"
    )
    user = UserFactory(username="operator", is_staff=True, is_superuser=True)
    admin_login(page, live_server, user)

    page.click("text=Operations dashboard")  # first under Operations on the index
    page.wait_for_selector("#jobs")
    assert page.inner_text("#health-status") == "up"
    assert page.get_attribute("tr[data-job='classify_posts']", "data-state") == "failed"
    assert "AIError: server said 500" in page.inner_text("tr[data-job='classify_posts']")
    assert page.locator("tr.dead-letter").count() == 2
    assert "Private account" in page.inner_text("#disabled-accounts")
    screenshot(page, "operations_dashboard")

    page.locator(f"tr.dead-letter[data-id='{replayed.pk}']").get_by_role(
        "button", name="Replay"
    ).click()
    page.wait_for_selector("ul.messagelist")
    assert "1 succeeded, 0 failed again" in page.inner_text("ul.messagelist")
    assert page.locator("tr.dead-letter").count() == 1

    page.check(f"tr.dead-letter[data-id='{settled.pk}'] input[name=ids]")
    page.click("#resolve-selected")
    page.wait_for_selector("text=1 dead letter(s) resolved.")
    assert "No open dead letter." in page.inner_text("#dead-letter-list")

    page.locator(f"tr.disabled-account[data-id='{account.pk}']").get_by_role(
        "button", name="Re-enable"
    ).click()
    page.wait_for_selector("text=1 account(s) tracked again.")

    assert not FailedItem.objects.filter(resolved_at__isnull=True).exists()
    assert Account.objects.get(pk=account.pk).tracking_enabled
