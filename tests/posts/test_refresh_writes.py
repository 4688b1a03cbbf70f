"""What a refresh batch writes: only what it refreshed, in a fixed number of statements."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from posts.models import Post, PostSnapshot
from posts.services.refresh import (
    post_refresh_batch,
    post_refresh_due,
    post_refresh_ids,
    posts_claim_due,
)
from tests.operations import fakes
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


@pytest.fixture
def fake(settings, monkeypatch):
    return fakes.install(settings, monkeypatch)


def test_an_edit_made_while_the_provider_answers_is_kept_unless_the_answer_knows_better(fake):
    knows = PostFactory(post_id="AAA", caption="Old A", thumbnail_url="https://x.test/a.jpg")
    silent = PostFactory(post_id="BBB", caption="Old B", thumbnail_url="https://x.test/b.jpg")
    fake.posts["AAA"] = fakes.post_stats("AAA", caption="New A", views=5)
    fake.posts["BBB"] = fakes.post_stats("BBB", caption=None, views=7)
    claimed = posts_claim_due(now=NOW, limit=10)
    # An editor saves the posts while the providers are being asked.
    Post.objects.filter(pk__in=[knows.pk, silent.pk]).update(
        caption="Edited", thumbnail_url="https://x.test/edited.jpg"
    )

    post_refresh_batch(posts=claimed, now=NOW)

    rows = dict(Post.objects.values_list("post_id", "caption"))
    assert rows == {"AAA": "New A", "BBB": "Edited"}
    assert set(Post.objects.values_list("thumbnail_url", flat=True)) == {
        "https://x.test/edited.jpg"
    }
    assert dict(Post.objects.values_list("post_id", "views")) == {"AAA": 5, "BBB": 7}


@pytest.mark.postgresql_only
def test_a_batch_reads_and_writes_its_posts_in_three_statements_whatever_its_size(fake):
    for index in range(12):
        PostFactory(post_id=f"P{index}")
        fake.posts[f"P{index}"] = fakes.post_stats(f"P{index}")

    with CaptureQueriesContext(connection) as queries:
        post_refresh_due(now=NOW, batch_size=6)

    on_posts = [q["sql"] for q in queries if '"posts_post' in q["sql"]]
    # Per batch: the claim (which returns the posts), the snapshots, the posts; then the two
    # claims that find nothing left (after the pass's last position, from the queue's start).
    assert len(on_posts) == 2 * 3 + 2
    assert PostSnapshot.objects.filter(captured_at=NOW).count() == 12


def test_refreshing_no_posts_by_id_does_nothing(fake):
    PostFactory(post_id="AAA")

    report = post_refresh_ids(ids=[], now=NOW)

    assert (report.ok, report.failed) == (0, 0)
    assert not PostSnapshot.objects.exists()
