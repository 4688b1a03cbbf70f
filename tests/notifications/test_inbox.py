"""Each person's inbox, in the API and the admin: only their own notifications, marked read
when opened, the unread count in the header, and their preferences."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from notifications.choices import NotificationKind
from notifications.models import Notification, NotificationPreference
from notifications.services import notify
from tests.settings_app.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(role_user):
    return role_user("Editor")


def _tell(user, n, **kw):
    notify([user], kind=NotificationKind.SUBMITTED, text=f"Draft {n} submitted", key=f"d:{n}", **kw)


def _api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_the_api_lists_only_your_own_notifications_and_counts_the_unread(editor):
    other = UserFactory()
    _tell(editor, 1)
    _tell(editor, 2)
    _tell(other, 3)
    api = _api(editor)

    listed = api.get("/api/v1/notifications/").json()["results"]
    count = api.get("/api/v1/notifications/unread-count/").json()
    foreign = Notification.objects.get(user=other)

    assert [row["text"] for row in listed] == ["Draft 2 submitted", "Draft 1 submitted"]
    assert count == {"unread": 2}
    assert api.get(f"/api/v1/notifications/{foreign.pk}/").status_code == 404


def test_the_api_marks_some_or_all_read(editor):
    _tell(editor, 1)
    _tell(editor, 2)
    first = Notification.objects.get(key="d:1")
    api = _api(editor)

    assert api.post(
        "/api/v1/notifications/mark-read/", {"ids": [first.pk]}, format="json"
    ).json() == {"marked": 1}
    assert (
        api.get("/api/v1/notifications/?unread=true").json()["results"][0]["text"]
        == "Draft 2 submitted"
    )
    assert api.post("/api/v1/notifications/mark-read/", {}, format="json").json() == {"marked": 1}


def test_preferences_round_trip_and_a_bad_event_name_is_named(editor, settings):
    settings.NOTIFICATION_WEBHOOK_HOSTS = ["hooks.slack.com"]
    api = _api(editor)

    defaults = api.get("/api/v1/notifications/preferences/").json()
    saved = api.put(
        "/api/v1/notifications/preferences/",
        {
            "slack_kinds": ["publish_failed"],
            "slack_webhook_url": "https://hooks.slack.com/services/T/B/X",
        },
        format="json",
    )
    refused = api.put(
        "/api/v1/notifications/preferences/", {"email_kinds": ["party"]}, format="json"
    )
    off_host = api.put(
        "/api/v1/notifications/preferences/",
        {"slack_webhook_url": "http://169.254.169.254/latest"},
        format="json",
    )

    assert "approved" in defaults["email_kinds"] and defaults["has_slack_webhook"] is False
    assert saved.status_code == 200 and saved.json()["has_slack_webhook"] is True
    assert "slack_webhook_url" not in saved.json()  # a secret is never read back
    assert refused.status_code == 400 and "email_kinds" in refused.json()["error"]["fields"]
    assert off_host.status_code == 400 and "slack_webhook_url" in off_host.json()["error"]["fields"]
    assert NotificationPreference.objects.get(user=editor).slack_kinds == ["publish_failed"]


def test_the_admin_inbox_shows_only_your_own_and_opening_one_marks_it_read(client, editor):
    other = UserFactory()
    _tell(editor, 1, obj=editor)
    _tell(other, 2)
    client.force_login(editor)

    page = client.get(reverse("admin:notifications_notification_changelist"))
    mine = Notification.objects.get(user=editor)
    opened = client.get(reverse("admin:notifications_open", args=[mine.pk]))
    foreign = client.get(
        reverse("admin:notifications_open", args=[Notification.objects.get(user=other).pk])
    )

    assert page.status_code == 200
    assert "Draft 1 submitted" in page.text and "Draft 2 submitted" not in page.text
    assert opened.status_code == 302 and opened["Location"] == mine.url
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert foreign.status_code == 404


def test_a_notification_pointing_off_site_opens_the_inbox_instead(client, editor):
    _tell(editor, 1, url="https://evil.example.com/")
    client.force_login(editor)

    opened = client.get(reverse("admin:notifications_open", args=[Notification.objects.get().pk]))

    assert opened["Location"] == reverse("admin:notifications_notification_changelist")


def test_every_admin_page_links_the_inbox_with_its_unread_count_source(client, editor):
    client.force_login(editor)

    page = client.get(reverse("admin:index"))

    assert 'id="notifications-link"' in page.text
    assert reverse("notification-unread-count") in page.text
    assert "notifications/unread.js" in page.text


def test_the_preferences_page_saves_and_explains_a_refused_webhook(client, editor, settings):
    settings.NOTIFICATION_WEBHOOK_HOSTS = ["hooks.slack.com"]
    client.force_login(editor)
    url = reverse("admin:notifications_preferences")

    shown = client.get(url)
    refused = client.post(
        url,
        {
            "slack_kinds": ["approved"],
            "slack_webhook_url": "https://example.org/x",
            "digest_after": 5,
        },
    )
    saved = client.post(url, {"email_kinds": ["approved", "overdue"], "digest_after": 4})

    assert shown.status_code == 200 and "Draft submitted by e-mail" in shown.text
    assert refused.status_code == 200 and "example.org" in refused.text
    assert saved.status_code == 302
    preference = NotificationPreference.objects.get(user=editor)
    assert preference.email_kinds == ["approved", "overdue"] and preference.digest_after == 4
