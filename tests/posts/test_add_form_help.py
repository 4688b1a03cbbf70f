"""The post add form's help text names only forms the form accepts: it used to offer profile
URLs, which the form refuses (they are added as accounts)."""

import pytest
from django.urls import reverse

from platforms.urls import parse_url
from posts.admin import POST_URL_FORMS
from posts.services.adding import parse_post_url

pytestmark = pytest.mark.django_db

PLACEHOLDERS = {"ID": "Chunk8-jurw", "USER": "someone", "CODE": "ZTR45GpSF"}
NUMERIC = "7106594312292453675"
VIDEO = "18NGQq7p3LY"


def examples(forms: tuple[str, ...]) -> list[str]:
    """Each form of the help text as a URL a person would paste."""
    urls = []
    for group in forms:
        host = ""
        for form in (part.strip() for part in group.split(",")):
            if form.startswith("/"):
                form = host + form
            else:
                host = form.split("/", 1)[0]
            if "tiktok" in form:
                form = form.replace("/ID", f"/{NUMERIC}")
            if "youtu" in form:
                form = form.replace("ID", VIDEO)
            for placeholder, value in PLACEHOLDERS.items():
                form = form.replace(placeholder, value)
            urls.append(f"https://{form}")
    return urls


def test_every_form_the_post_help_text_names_is_a_post_the_form_accepts():
    def resolve(url):  # a short link's redirect, without the network
        return parse_url(f"https://www.tiktok.com/@someone/video/{NUMERIC}")

    urls = examples(POST_URL_FORMS)
    assert len(urls) == 9
    for url in urls:
        assert parse_post_url(url, resolve=resolve).kind == "post", url


def test_the_post_add_page_does_not_offer_profile_urls(superuser_client):
    page = superuser_client.get(reverse("admin:posts_post_add")).content.decode()

    assert "instagram.com/p/ID" in page
    assert "profile (instagram.com/USER)" not in page
    assert "is added as an account instead" in page
