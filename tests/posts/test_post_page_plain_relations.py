"""The post admin page never links a reader to a page they may not open: who added a post (a
user) is plain text for a Manager, who cannot open the users' list (core.admin.related); the
superuser still gets the link."""

import pytest
from django.test import Client

from tests.posts.factories import PostFactory
from tests.settings_app.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_manager_reads_who_added_a_post_as_text_not_a_link_answering_403():
    adder = UserFactory(username="planner-pia")
    post = PostFactory(added_by=adder)
    manager = Client()
    manager.force_login(UserFactory(is_staff=True, roles=["Manager"]))

    html = manager.get(f"/admin/posts/post/{post.pk}/change/").content.decode()

    user_url = f"/admin/auth/user/{adder.pk}/change/"
    assert "planner-pia" in html
    assert user_url not in html
    assert manager.get(user_url).status_code == 403  # why it must not be linked


def test_the_superuser_still_gets_the_link_to_who_added_a_post(superuser_client):
    adder = UserFactory(username="planner-pia")
    post = PostFactory(added_by=adder)

    html = superuser_client.get(f"/admin/posts/post/{post.pk}/change/").content.decode()

    assert f"/admin/auth/user/{adder.pk}/change/" in html
