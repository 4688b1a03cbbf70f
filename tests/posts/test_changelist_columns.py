"""The posts and accounts changelists show a few columns by default (they fit 1440 px); the
others are chosen in the sidebar's "Columns" box, carried in the URL and kept for the user."""

import pytest
from django.urls import reverse

from tests.creators.factories import AccountFactory
from tests.posts.factories import PostFactory
from tests.settings_app.factories import UserFactory

pytestmark = pytest.mark.django_db

POSTS = "admin:posts_post_changelist"
ACCOUNTS = "admin:creators_account_changelist"


def headers(response) -> str:
    assert response.status_code == 200, response.get("Location")
    return response.content.decode().split('id="result_list"')[1].split("<tbody>")[0]


def test_the_posts_changelist_shows_the_default_columns_only(superuser_client):
    PostFactory(added_by=UserFactory(username="sam"))

    content = headers(superuser_client.get(reverse(POSTS)))

    for shown in ("Thumbnail", "Username", "Views", "Engagement rate", "Category", "AI status"):
        assert f">{shown}<" in content, shown
    for hidden in ("Added by", "Boards", "Subcategories", "Reel style", "Last updated"):
        assert f">{hidden}<" not in content, hidden


def test_columns_chosen_in_the_url_are_shown_and_remembered(superuser_client):
    post = PostFactory(added_by=UserFactory(username="sam"))

    chosen = superuser_client.get(reverse(POSTS), {"cols": ["username_display", "added_by"]})
    later = superuser_client.get(reverse(POSTS))
    reset = superuser_client.get(reverse(POSTS), {"cols": "default"})

    for response in (chosen, later):
        content = headers(response)
        assert ">Added by<" in content
        assert ">Views<" not in content
        # The username still opens the post.
        assert reverse("admin:posts_post_change", args=[post.pk]) in response.content.decode()
    assert ">Added by<" not in headers(reset) and ">Views<" in headers(reset)


def test_all_columns_on_demand_and_the_chooser_lists_every_column(superuser_client):
    PostFactory()

    response = superuser_client.get(reverse(POSTS), {"cols": "all"})

    assert ">Added by<" in headers(response) and ">Boards<" in headers(response)
    content = response.content.decode()
    assert '<input type="checkbox" name="cols" value="added_by" checked>' in content


def test_the_chooser_offers_the_hidden_columns_unticked(superuser_client):
    content = superuser_client.get(reverse(POSTS)).content.decode()

    assert '<input type="checkbox" name="cols" value="added_by">' in content
    assert '<input type="checkbox" name="cols" value="views_display" checked>' in content


def test_the_accounts_changelist_shows_the_default_columns_and_more_on_demand(superuser_client):
    AccountFactory(disabled_reason="Private account")

    default = headers(superuser_client.get(reverse(ACCOUNTS)))
    more = headers(superuser_client.get(reverse(ACCOUNTS), {"cols": "all"}))

    assert ">Followers<" in default and ">Disabled reason<" not in default
    assert ">Posts 90d<" not in default
    assert ">Disabled reason<" in more and ">Posts 90d<" in more
