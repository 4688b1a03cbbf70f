"""Bulk edit of business fields on a selection of posts or accounts, in the admin: an action
with an intermediate form; one UPDATE, boards in bulk, an audit entry per changed row."""

import pytest
from django.contrib.admin import helpers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import AuditEntry
from creators.models import Account
from posts.models import Post
from tests.creators.factories import AccountFactory
from tests.posts.factories import PostFactory
from tests.settings_app.factories import (
    BoardFactory,
    ClientFactory,
    EditorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

POSTS = "admin:posts_post_changelist"
ACCOUNTS = "admin:creators_account_changelist"


def run_action(http, changelist, ids, **data):
    payload = {
        "action": "bulk_edit_selection",
        helpers.ACTION_CHECKBOX_NAME: [str(pk) for pk in ids],
        **data,
    }
    return http.post(reverse(changelist), payload)


def test_the_action_asks_for_the_fields_first(superuser_client):
    posts = [PostFactory(), PostFactory()]

    response = run_action(superuser_client, POSTS, [p.pk for p in posts], index="0")

    content = response.content.decode()
    assert response.status_code == 200
    assert "2 posts selected" in content
    assert 'name="change_client"' in content and 'name="boards_mode"' in content
    assert 'name="change_assignee"' in content and 'name="change_finance_item"' in content


def test_ticked_fields_are_set_on_the_selection_in_one_update_and_audited(superuser_client):
    keep_editor = EditorFactory()
    posts = [PostFactory(editor=keep_editor) for _ in range(5)]
    untouched = PostFactory()
    acme, maria = ClientFactory(name="Acme"), UserFactory(username="maria")
    clipping, old = BoardFactory(name="Clipping"), BoardFactory(name="Old")
    posts[0].boards.add(old)

    with CaptureQueriesContext(connection) as queries:
        response = run_action(
            superuser_client,
            POSTS,
            [p.pk for p in posts],
            apply="1",
            change_client="on",
            client=acme.pk,
            change_assignee="on",
            assignee=maria.pk,
            editor="",  # not ticked: kept
            boards_mode="add",
            boards=[clipping.pk],
        )

    assert response.status_code == 302
    for post in Post.objects.filter(pk__in=[p.pk for p in posts]):
        assert (post.client_id, post.assignee_id, post.editor_id) == (
            acme.pk,
            maria.pk,
            keep_editor.pk,
        )
        assert clipping in post.boards.all()
    assert set(Post.objects.get(pk=posts[0].pk).boards.all()) == {old, clipping}
    assert Post.objects.get(pk=untouched.pk).client is None
    updates = [q for q in queries if q["sql"].startswith('UPDATE "posts_post"')]
    assert len(updates) == 1
    entries = AuditEntry.objects.filter(action="bulk_edit")
    assert entries.count() == 5
    entry = entries.get(object_id=str(posts[0].pk))
    assert entry.changes["client"] == [None, acme.pk]
    assert entry.changes["boards"] == [[old.pk], sorted([old.pk, clipping.pk])]
    assert "editor" not in entry.changes


def test_boards_can_be_removed_or_replaced_in_bulk(superuser_client):
    a, b, c = BoardFactory(), BoardFactory(), BoardFactory()
    posts = [PostFactory(), PostFactory()]
    for post in posts:
        post.boards.add(a, b)

    run_action(
        superuser_client, POSTS, [posts[0].pk], apply="1", boards_mode="remove", boards=[a.pk]
    )
    run_action(
        superuser_client, POSTS, [posts[1].pk], apply="1", boards_mode="replace", boards=[c.pk]
    )

    assert set(posts[0].boards.all()) == {b}
    assert set(posts[1].boards.all()) == {c}


def test_an_empty_value_clears_a_ticked_field(superuser_client):
    post = PostFactory(client=ClientFactory())

    run_action(superuser_client, POSTS, [post.pk], apply="1", change_client="on", client="")

    post.refresh_from_db()
    assert post.client is None


def test_an_editor_changes_only_the_posts_they_may_see(client):
    user = UserFactory(username="ed", is_staff=True, roles=["Editor"])
    mine, other = PostFactory(editor=EditorFactory(user=user)), PostFactory()
    acme = ClientFactory()
    client.force_login(user)

    run_action(client, POSTS, [mine.pk, other.pk], apply="1", change_client="on", client=acme.pk)

    assert Post.objects.get(pk=mine.pk).client == acme
    assert Post.objects.get(pk=other.pk).client is None


def test_accounts_get_business_fields_in_bulk(superuser_client):
    accounts = [AccountFactory(), AccountFactory()]
    acme, clipping = ClientFactory(), BoardFactory()

    response = run_action(
        superuser_client,
        ACCOUNTS,
        [a.pk for a in accounts],
        apply="1",
        change_client="on",
        client=acme.pk,
        boards_mode="add",
        boards=[clipping.pk],
    )

    assert response.status_code == 302
    for account in Account.objects.filter(pk__in=[a.pk for a in accounts]):
        assert account.client == acme
        assert list(account.boards.all()) == [clipping]
    assert AuditEntry.objects.filter(action="bulk_edit").count() == 2
