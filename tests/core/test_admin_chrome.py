"""The admin's chrome: the header's site link leads somewhere a staff user can open (the API
docs), never to a page that does not exist; every page has a favicon."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["Editor", "Manager", "Finance"])
def test_the_header_links_to_the_api_docs_which_open(client, role_user, role):
    client.force_login(role_user(role))

    html = client.get(reverse("admin:index")).content.decode()

    assert "View site" not in html
    link = re.search(r'<a href="([^"]+)" id="site-link">API docs</a>', html)
    assert link and link.group(1) == reverse("api-docs")
    assert client.get(link.group(1)).status_code == 200


def test_every_admin_page_links_a_favicon_that_exists(superuser_client):
    for html in (
        Client().get(reverse("admin:login")).content.decode(),  # signed out
        superuser_client.get(reverse("admin:posts_trial_board")).content.decode(),
    ):
        icon = re.search(r'<link rel="icon" href="/static/([^"]+)"', html)
        assert icon, "no favicon link"
        assert finders.find(icon.group(1))
