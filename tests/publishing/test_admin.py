"""Publishing in the admin: read-only lists and pages, a target's publishing log, tokens never
shown, and editors see only their own accounts' targets and connections."""

import pytest
from django.urls import reverse

from tests.creators.factories import AccountFactory
from tests.publishing.factories import (
    PublishAttemptFactory,
    PublishTargetFactory,
    SocialConnectionFactory,
)
from tests.settings_app.factories import EditorFactory

pytestmark = pytest.mark.django_db


def test_a_target_page_shows_its_publishing_log(client, staff):
    attempt = PublishAttemptFactory(remote_handle={"container_id": "17890"}, error="Server busy")
    client.force_login(staff)

    page = client.get(reverse("admin:publishing_publishtarget_change", args=[attempt.target.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Publishing log" in html
    assert "17890" in html and "ig_2207001" in html and "Server busy" in html
    assert 'name="state"' not in html  # read-only: no form field to change the state


def test_connection_tokens_never_appear_in_the_admin(client, staff):
    connection = SocialConnectionFactory(access_token="SECRET-ACCESS", refresh_token="SECRET-R")
    client.force_login(staff)

    page = client.get(reverse("admin:publishing_socialconnection_change", args=[connection.pk]))

    assert page.status_code == 200
    assert "SECRET" not in page.content.decode()


def test_an_editor_sees_only_their_accounts_targets_and_connections(client, role_user):
    editor = role_user("Editor")
    mine = SocialConnectionFactory(account=AccountFactory(editor=EditorFactory(user=editor)))
    my_target = PublishTargetFactory(connection=mine)
    their_target = PublishTargetFactory()
    client.force_login(editor)

    targets = client.get(reverse("admin:publishing_publishtarget_changelist")).content.decode()
    posts = client.get(reverse("admin:publishing_scheduledpost_changelist")).content.decode()

    assert str(my_target.post) in targets and str(their_target.post) not in targets
    assert str(my_target.post) in posts and str(their_target.post) not in posts
    theirs = client.get(reverse("admin:publishing_publishtarget_change", args=[their_target.pk]))
    assert theirs.status_code == 302  # outside their rows: answered as missing


def test_the_scheduled_post_list_shows_the_derived_status(client, staff):
    PublishTargetFactory(state="failed")
    client.force_login(staff)

    html = client.get(reverse("admin:publishing_scheduledpost_changelist")).content.decode()

    assert '<td class="field-status">Failed</td>' in html
