"""The account add form's help text names only profile forms, which the form accepts (it used
to offer post URLs, which the form refuses)."""

import pytest
from django.urls import reverse

from creators.admin import PROFILE_URL_FORMS
from creators.services.adding import parse_profile_url
from tests.posts.test_add_form_help import examples

pytestmark = pytest.mark.django_db


def test_every_form_the_profile_help_text_names_is_a_profile_the_form_accepts():
    urls = [url.replace("UC…", "UC" + "x" * 22) for url in examples(PROFILE_URL_FORMS)]
    assert len(urls) == 6
    for url in urls:
        assert parse_profile_url(url).kind == "profile", url


def test_the_account_add_page_does_not_offer_post_urls(superuser_client):
    page = superuser_client.get(reverse("admin:creators_account_add")).content.decode()

    assert "youtube.com/@handle" in page
    assert "watch?v=ID" not in page
