"""A platform's post id typed in the search box (admin) or `search` (API) finds its post."""

import pytest
from django.urls import reverse

from tests.creators.factories import AccountFactory
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db

POSTS = "/api/v1/posts/"
ACCOUNTS = "/api/v1/accounts/"


def test_the_admin_search_box_finds_a_post_by_its_platform_id(superuser_client):
    tiktok = PostFactory(platform="tiktok", post_id="7301234567890123456")
    youtube = PostFactory(platform="youtube", post_id="dQw4w9WgXcQ")
    other = PostFactory(post_id="Cxyz987")

    for post in (tiktok, youtube):
        response = superuser_client.get(reverse("admin:posts_post_changelist"), {"q": post.post_id})
        content = response.content.decode()
        assert reverse("admin:posts_post_change", args=[post.pk]) in content
        assert reverse("admin:posts_post_change", args=[other.pk]) not in content


def test_the_api_search_finds_a_post_by_its_platform_id(api):
    wanted = PostFactory(platform="tiktok", post_id="7301234567890123456")
    PostFactory(platform="tiktok", post_id="7301234567890123457")

    response = api.get(POSTS, {"search": "7301234567890123456"})

    assert [p["id"] for p in response.data["results"]] == [wanted.pk]


def test_the_api_search_finds_an_account_by_its_platform_user_id(api):
    wanted = AccountFactory(external_id="6790123456")
    AccountFactory(external_id="6790123457")

    response = api.get(ACCOUNTS, {"search": "6790123456"})

    assert [a["id"] for a in response.data["results"]] == [wanted.pk]
