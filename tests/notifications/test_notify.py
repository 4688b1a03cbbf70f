"""Telling people about events: once per event, in the event's transaction, by the channels
each person chose, with a digest when many wait at once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from notifications.choices import NotificationKind
from notifications.models import Notification
from notifications.queries import users_with_perm
from notifications.services import (
    notification_preference_update,
    notifications_deliver,
    notifications_mark_read,
    notify,
)
from operations import jobs
from operations.models import FailedItem, JobRun
from tests.settings_app.factories import UserFactory
from tests.webhook_fake import FakeWebhook

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFICATION_WEBHOOK_HOSTS = ["127.0.0.1"]
    settings.SITE_URL = "https://ops.example.com"


@pytest.fixture
def slack():
    fake = FakeWebhook()
    yield fake
    fake.close()


def _approved(users, n=1):
    return notify(users, kind=NotificationKind.APPROVED, text=f"Task {n} approved", key=f"task:{n}")


def test_the_same_event_told_twice_is_one_notification_per_person():
    ana, bo = UserFactory(email="ana@example.com"), UserFactory(email="bo@example.com")

    _approved([ana, bo])
    _approved([ana, bo.pk])

    assert Notification.objects.filter(key="task:1").count() == 2
    assert set(Notification.objects.values_list("user", flat=True)) == {ana.pk, bo.pk}


def test_a_rolled_back_event_leaves_no_notification_and_sends_nothing():
    ana = UserFactory(email="ana@example.com")

    with pytest.raises(RuntimeError), transaction.atomic():
        _approved([ana])
        raise RuntimeError("the move failed")
    notifications_deliver()

    assert not Notification.objects.exists() and mail.outbox == []


def test_by_default_everything_goes_by_email_and_is_sent_once():
    ana = UserFactory(email="ana@example.com")
    _approved([ana])

    first = notifications_deliver()
    second = notifications_deliver()

    assert (first.ok, second.ok) == (1, 0)
    (message,) = mail.outbox
    assert message.to == ["ana@example.com"] and "Task 1 approved" in message.subject
    assert Notification.objects.get().delivered_at is not None


def test_a_person_without_email_address_gets_the_inapp_notification_only():
    nobody = UserFactory(email="")
    _approved([nobody])

    notifications_deliver()

    assert mail.outbox == [] and Notification.objects.get().delivered_at is None


def test_slack_gets_only_the_events_chosen_for_it(slack):
    ana = UserFactory(email="ana@example.com")
    notification_preference_update(
        user=ana,
        email_kinds=[],
        slack_kinds=[NotificationKind.PUBLISH_FAILED],
        slack_webhook_url=slack.url,
    )
    _approved([ana])
    notify([ana], kind=NotificationKind.PUBLISH_FAILED, text="Reel to @demo failed", key="t:9")

    notifications_deliver()

    assert mail.outbox == []
    assert [body["text"] for body in slack.bodies] == ["Reel to @demo failed"]


def test_many_messages_waiting_at_once_go_as_one_digest():
    ana = UserFactory(email="ana@example.com")
    notification_preference_update(
        user=ana, email_kinds=NotificationKind.values, slack_kinds=[], digest_after=3
    )
    for n in range(4):
        _approved([ana], n)

    notifications_deliver()

    (digest,) = mail.outbox
    assert "4 updates" in digest.subject
    assert all(f"Task {n} approved" in digest.body for n in range(4))
    assert Notification.objects.filter(delivered_at__isnull=False).count() == 4


def test_email_links_lead_to_the_object_on_the_site():
    ana = UserFactory(email="ana@example.com")
    notify([ana], kind=NotificationKind.APPROVED, text="Approved", key="k", obj=ana)

    notifications_deliver()

    assert f"https://ops.example.com/admin/auth/user/{ana.pk}/change/" in mail.outbox[0].body


def test_a_failing_webhook_is_retried_then_given_up_as_a_dead_letter(settings, slack):
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    slack.status = 500
    ana = UserFactory(email="")
    notification_preference_update(
        user=ana, email_kinds=[], slack_kinds=NotificationKind.values, slack_webhook_url=slack.url
    )
    _approved([ana])
    later = timezone.now() + timedelta(hours=1)

    first = notifications_deliver()
    again_too_soon = notifications_deliver()  # still claimed by the first pass
    second = notifications_deliver(now=later)
    row = Notification.objects.get()

    assert (first.failed, again_too_soon.failed, second.failed) == (1, 0, 1)
    assert len(slack.bodies) == 2 and not row.slack_pending
    assert "500" in row.delivery_error and len(second.dead_letters) == 1


def test_the_job_records_a_run_only_when_it_sent_something():
    assert jobs.deliver_notifications() is None
    _approved([UserFactory(email="ana@example.com")])

    run_id = jobs.deliver_notifications()

    assert JobRun.objects.get(pk=run_id).items_ok == 1
    assert not FailedItem.objects.exists()


def test_marking_read_touches_only_your_own_notifications():
    ana, bo = UserFactory(), UserFactory()
    _approved([ana, bo])
    theirs = Notification.objects.get(user=bo)

    assert notifications_mark_read(user=ana, ids=[theirs.pk]) == 0
    assert notifications_mark_read(user=ana) == 1
    assert Notification.objects.get(user=bo).read_at is None


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("https://evil.example.com/hook", "evil.example.com"),
        ("file:///etc/passwd", "http(s) URL"),
    ],
)
def test_a_webhook_outside_the_allowed_hosts_is_refused(url, error):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        notification_preference_update(
            user=UserFactory(), email_kinds=[], slack_kinds=[], slack_webhook_url=url
        )
    assert error in str(refused.value.message_dict["slack_webhook_url"])


def test_users_with_perm_finds_role_holders_and_superusers_only():
    manager = UserFactory(roles=["Manager"])
    root = UserFactory(is_superuser=True)
    UserFactory(roles=["Editor"])
    UserFactory(roles=["Manager"], is_active=False)

    found = set(users_with_perm("publishing.change_socialconnection"))

    assert found == {manager, root}
