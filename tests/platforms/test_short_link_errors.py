"""A short link that cannot be followed says why in plain words, in the API and the admin.

The name lookup fails the way it does on a server without DNS: `socket.getaddrinfo` raises,
and requests and urllib3 wrap it as they do in production.
"""

import socket

import pytest
from django.urls import reverse

from platforms.resolve import ShortLinkError, resolve_short_link
from posts.models import Post

SHORT_LINK = "https://vm.tiktok.com/ZTR45GpSF/"
RAW_WORDS = ("HTTPSConnectionPool", "NameResolutionError", "Max retries", "Errno")


@pytest.fixture
def no_dns(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)


def assert_plain(message: str) -> None:
    assert "could not look this address up" in message
    assert "vm.tiktok.com" in message
    for raw in RAW_WORDS:
        assert raw not in message


def test_a_failed_name_lookup_is_told_in_plain_words(no_dns):
    with pytest.raises(ShortLinkError) as caught:
        resolve_short_link(SHORT_LINK)

    assert_plain(str(caught.value))


def test_the_api_answers_an_unresolvable_short_link_in_plain_words(api, no_dns):
    response = api.post("/api/v1/posts/", {"url": SHORT_LINK})

    assert response.status_code == 400
    error = response.data["error"]
    assert_plain(error["message"])
    assert "Paste the full post URL instead" in error["message"]
    assert not Post.objects.exists()


def test_the_admin_form_shows_an_unresolvable_short_link_in_plain_words(superuser_client, no_dns):
    response = superuser_client.post(reverse("admin:posts_post_add"), {"url": SHORT_LINK})

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["url"]
    assert_plain(errors[0])
    assert not Post.objects.exists()
