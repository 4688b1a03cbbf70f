"""Who may do what through the publishing API: Managers and Owners schedule for every account,
Editors only for the accounts they edit, Analysts read."""

import pytest
from rest_framework.test import APIClient

from publishing.models import ScheduledPost
from tests.creators.factories import AccountFactory
from tests.publishing.factories import (
    MediaAssetFactory,
    PublishTargetFactory,
    SocialConnectionFactory,
)
from tests.settings_app.factories import EditorFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/scheduled-posts/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def schedule(client, connection):
    return client.post(
        URL,
        {
            "caption": "Hi",
            "media": [MediaAssetFactory().pk],  # every platform needs media
            "connections": [connection.pk],
            "local_time": "2030-06-01T09:00",
            "timezone": "Europe/Berlin",
        },
        format="json",
    )


@pytest.fixture
def editor_setup(role_user):
    user = role_user("Editor")
    mine = SocialConnectionFactory(account=AccountFactory(editor=EditorFactory(user=user)))
    other = SocialConnectionFactory()
    return client_for(user), mine, other


@pytest.mark.parametrize("role", ["Owner", "Manager"])
def test_managers_and_owners_schedule_for_every_account_and_disconnect(role_user, role):
    client = client_for(role_user(role))
    connection = SocialConnectionFactory()

    assert schedule(client, connection).status_code == 201
    assert client.post(f"/api/v1/connections/{connection.pk}/disconnect/").status_code == 200


def test_an_editor_schedules_only_for_the_accounts_they_edit(editor_setup):
    client, mine, other = editor_setup

    assert schedule(client, mine).status_code == 201
    refused = schedule(client, other)

    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "permission_denied"
    assert ScheduledPost.objects.count() == 1


def test_an_editor_sees_and_changes_only_posts_on_their_accounts(editor_setup):
    client, mine, other = editor_setup
    own = PublishTargetFactory(connection=mine)
    foreign = PublishTargetFactory(connection=other)
    shared = PublishTargetFactory(connection=mine)
    PublishTargetFactory(post=shared.post, connection=other)

    listed = {row["id"] for row in client.get(URL).json()["results"]}
    connections = [row["id"] for row in client.get("/api/v1/connections/").json()["results"]]

    assert listed == {own.post_id, shared.post_id}
    assert connections == [mine.pk]
    assert client.get(f"{URL}{foreign.post_id}/").status_code == 404
    assert client.post(f"{URL}{own.post_id}/cancel/").status_code == 200
    assert client.post(f"{URL}{shared.post_id}/cancel/").status_code == 403
    assert client.post(f"/api/v1/connections/{mine.pk}/disconnect/").status_code == 403


def test_an_analyst_reads_but_changes_nothing(role_user):
    client = client_for(role_user("Analyst"))
    target = PublishTargetFactory()

    assert client.get(URL).status_code == 200
    assert client.get("/api/v1/connections/").status_code == 200
    assert client.get("/api/v1/media/").status_code == 200
    assert (
        client.get(
            "/api/v1/calendar/?start=2030-01-01T00:00:00Z&end=2030-01-31T00:00:00Z"
        ).status_code
        == 200
    )
    assert schedule(client, target.connection).status_code == 403
    assert client.post(f"{URL}{target.post_id}/cancel/").status_code == 403
    assert client.post(f"{URL}{target.post_id}/publish-now/").status_code == 403
    assert client.post(f"/api/v1/connections/{target.connection_id}/disconnect/").status_code == 403
