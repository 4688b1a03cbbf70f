"""A post whose refresh fails shows why from its first failure: the provider's error, when,
how many attempts and the next one, on its admin page, in the changelist filter and the API."""

from datetime import UTC, datetime

import pytest

from platforms.providers.base import TemporaryError
from posts.models import Post
from posts.services.refresh import post_refresh_due
from tests.operations import fakes
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


@pytest.fixture
def fake(settings, monkeypatch):
    settings.REFRESH_MAX_FAILURES = 5
    settings.REFRESH_BACKOFF_SECONDS = 300
    return fakes.install(settings, monkeypatch)


def test_a_failed_refresh_keeps_the_providers_error_on_the_post_and_a_success_clears_it(fake):
    post = PostFactory(post_id="AAA")
    fake.posts["AAA"] = TemporaryError("Instagram answered 503 Service Unavailable")

    post_refresh_due(now=NOW)

    post.refresh_from_db()
    assert post.refresh_failures == 1
    assert post.refresh_error == "TemporaryError: Instagram answered 503 Service Unavailable"
    assert post.refresh_error_at == NOW

    fake.posts["AAA"] = fakes.post_stats("AAA", views=10)
    post_refresh_due(now=post.next_refresh_at)

    post.refresh_from_db()
    assert (post.refresh_failures, post.refresh_error, post.refresh_error_at) == (0, "", None)


def test_the_admin_page_the_changelist_filter_and_the_api_show_why_a_refresh_fails(
    fake, api, superuser_client
):
    failing = PostFactory(post_id="BAD1")
    healthy = PostFactory(post_id="OK1")
    fake.posts["BAD1"] = TemporaryError("Instagram answered 503 Service Unavailable")
    fake.posts["OK1"] = fakes.post_stats("OK1")
    post_refresh_due(now=NOW)

    page = superuser_client.get(f"/admin/posts/post/{failing.pk}/change/").content.decode()
    assert "Failing: 1 attempt in a row" in page
    assert "Instagram answered 503 Service Unavailable" in page
    assert "March 18, 2026" in page  # when it failed, and the next attempt

    listed = superuser_client.get("/admin/posts/post/?refresh_failing=true")
    assert [p.pk for p in listed.context["cl"].result_list] == [failing.pk]
    assert "refresh failing" in listed.content.decode().lower()

    body = api.get(f"/api/v1/posts/{failing.pk}/").json()
    assert body["refresh_failures"] == 1
    assert body["refresh_error"] == "TemporaryError: Instagram answered 503 Service Unavailable"
    assert body["refresh_error_at"] == "2026-03-18T12:00:00Z"
    assert body["next_refresh_at"] == "2026-03-18T12:05:00Z"
    ids = [row["id"] for row in api.get("/api/v1/posts/?refresh_failing=true").json()["results"]]
    assert ids == [failing.pk]
    ids = [row["id"] for row in api.get("/api/v1/posts/?refresh_failing=false").json()["results"]]
    assert ids == [healthy.pk]
    assert Post.objects.count() == 2
