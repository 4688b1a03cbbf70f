"""A filter with a hundred values is a select narrowed by a search box, not a hundred links."""

import re

import pytest
from django.urls import reverse

from tests.posts.factories import PostFactory
from tests.settings_app.factories import CategoryFactory, ClientFactory, SubcategoryFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:posts_post_changelist"


@pytest.fixture
def hundred_subcategories():
    category = CategoryFactory(name="Lifestyle")
    return [SubcategoryFactory(category=category, name=f"Topic {n:03}") for n in range(100)]


def test_a_hundred_subcategories_are_one_select_not_a_hundred_links(
    superuser_client, hundred_subcategories
):
    content = superuser_client.get(reverse(CHANGELIST)).content.decode()

    assert '<select name="subcategory"' in content
    assert content.count("?subcategory=") == 0
    assert re.search(r"Type to narrow \d+ values", content)
    assert (
        f'<option value="{hundred_subcategories[42].pk}">Lifestyle › Topic 042</option>' in content
    )
    assert "core/select_filter.js" in content
    assert "onchange" not in content and "oninput" not in content


def test_the_select_keeps_the_other_filters_and_marks_the_chosen_value(
    superuser_client, hundred_subcategories
):
    chosen = hundred_subcategories[7]
    post = PostFactory(platform="tiktok", post_id="7301")
    post.subcategories.add(chosen)

    content = superuser_client.get(
        reverse(CHANGELIST), {"subcategory": chosen.pk, "platform": "tiktok"}
    ).content.decode()

    assert f'<option value="{chosen.pk}" selected>' in content
    assert '<input type="hidden" name="platform" value="tiktok">' in content
    assert reverse("admin:posts_post_change", args=[post.pk]) in content


def test_a_short_filter_stays_links(superuser_client):
    client = ClientFactory(name="Acme")

    content = superuser_client.get(reverse(CHANGELIST)).content.decode()

    assert f"?client={client.pk}" in content
    assert '<select name="client"' not in content


def test_many_clients_are_a_select_too(superuser_client):
    clients = [ClientFactory(name=f"Client {n:02}") for n in range(30)]

    content = superuser_client.get(reverse(CHANGELIST)).content.decode()

    assert '<select name="client"' in content
    assert f"?client={clients[0].pk}" not in content
