"""Refresh now on a post: the API action, the changelist action and the change page's button
queue the post's stats refresh once the transaction commits, tell the person it is queued, and
are only for people who may edit the post."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django_q.models import OrmQ
from rest_framework.test import APIClient

from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db


def queued() -> list[tuple[str, list[int]]]:
    return [(task.func(), task.args()[0]) for task in OrmQ.objects.order_by("id")]


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_the_api_queues_a_posts_refresh_on_commit_and_says_so(
    api, django_capture_on_commit_callbacks
):
    post = PostFactory(last_updated=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/posts/{post.pk}/refresh/")

    assert response.status_code == 202
    assert response.json()["queued"] == 1
    assert "queued" in response.json()["message"]
    assert queued() == [("posts.tasks.refresh_posts", [post.pk])]


def test_a_role_that_may_not_edit_posts_cannot_refresh_them(
    role_user, django_capture_on_commit_callbacks
):
    post = PostFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(role_user("Analyst")).post(f"/api/v1/posts/{post.pk}/refresh/")

    assert response.status_code == 403
    assert queued() == []


def test_an_editor_cannot_refresh_a_post_they_do_not_see(
    role_user, django_capture_on_commit_callbacks
):
    post = PostFactory()  # nobody's: an editor does not see it

    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(role_user("Editor")).post(f"/api/v1/posts/{post.pk}/refresh/")

    assert response.status_code == 404
    assert queued() == []


def test_an_editor_refreshes_a_post_they_added(role_user, django_capture_on_commit_callbacks):
    editor = role_user("Editor")
    post = PostFactory(added_by=editor)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(editor).post(f"/api/v1/posts/{post.pk}/refresh/")

    assert response.status_code == 202
    assert queued() == [("posts.tasks.refresh_posts", [post.pk])]


def test_a_post_deleted_on_the_platform_is_not_refreshed(api, django_capture_on_commit_callbacks):
    post = PostFactory(deleted_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/posts/{post.pk}/refresh/")

    assert response.status_code == 409
    assert "deleted on the platform" in response.json()["error"]["message"]
    assert queued() == []


def test_the_changelist_action_queues_the_selected_posts(
    superuser_client, django_capture_on_commit_callbacks
):
    posts = [PostFactory(), PostFactory(), PostFactory(deleted_at=timezone.now())]

    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            reverse("admin:posts_post_changelist"),
            {"action": "refresh_now", "_selected_action": [p.pk for p in posts]},
            follow=True,
        )

    text = response.content.decode()
    assert "Refresh queued for 2 posts" in text
    assert "1 left out" in text
    assert queued() == [("posts.tasks.refresh_posts", sorted([posts[0].pk, posts[1].pk]))]


def test_the_change_page_has_a_refresh_now_button_that_queues_the_post(
    superuser_client, django_capture_on_commit_callbacks
):
    post = PostFactory()
    change_url = reverse("admin:posts_post_change", args=[post.pk])
    refresh_url = reverse("admin:posts_post_refresh_now", args=[post.pk])

    page = superuser_client.get(change_url).content.decode()
    assert f'action="{refresh_url}"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(refresh_url, follow=True)

    assert response.redirect_chain[-1][0] == change_url
    assert "Refresh queued for 1 post:" in response.content.decode()
    assert queued() == [("posts.tasks.refresh_posts", [post.pk])]


def test_a_role_that_may_only_view_posts_sees_no_button_and_no_action(client, role_user):
    post = PostFactory()
    client.force_login(role_user("Analyst"))

    page = client.get(reverse("admin:posts_post_change", args=[post.pk]))
    changelist = client.get(reverse("admin:posts_post_changelist"))
    refused = client.post(reverse("admin:posts_post_refresh_now", args=[post.pk]))

    assert page.status_code == 200 and "refresh-now" not in page.content.decode()
    assert 'value="refresh_now"' not in changelist.content.decode()
    assert refused.status_code == 403
    assert queued() == []
