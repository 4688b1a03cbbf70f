"""Adding posts queues their first stats refresh once the transaction commits: a pasted URL gets
its stats as soon as a worker is free, not on the next scheduled pass. Posts already tracked
queue nothing, and a bulk add of many URLs queues a few tasks, not one per post."""

import pytest
from django_q.models import OrmQ

from posts.models import PostSnapshot
from posts.services import adding
from posts.services.adding import post_add, post_bulk_add
from posts.tasks import refresh_posts
from tests.operations import fakes
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db


def queued() -> list[tuple[str, list[int]]]:
    return [(task.func(), task.args()[0]) for task in OrmQ.objects.order_by("id")]


def test_a_post_added_by_url_queues_its_refresh_on_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post, created = post_add(url="https://www.instagram.com/p/Chunk8-jurw/")
    assert created and queued() == []  # nothing before the commit

    for callback in callbacks:
        callback()

    assert queued() == [("posts.tasks.refresh_posts", [post.pk])]


def test_posts_already_tracked_queue_nothing(django_capture_on_commit_callbacks):
    existing = PostFactory(url="https://www.instagram.com/p/Chunk8-jurw/", post_id="Chunk8-jurw")

    with django_capture_on_commit_callbacks(execute=True):
        post, created = post_add(url="https://www.instagram.com/p/Chunk8-jurw/")

    assert (post.pk, created) == (existing.pk, False)
    assert queued() == []


def test_a_bulk_add_queues_the_created_posts_in_a_few_tasks(
    django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(adding, "REFRESH_TASK_IDS", 2)
    PostFactory(url="https://www.instagram.com/p/AAAAAAAAAA0/", post_id="AAAAAAAAAA0")
    urls = [f"https://www.instagram.com/p/AAAAAAAAAA{n}/" for n in range(5)]

    with django_capture_on_commit_callbacks(execute=True):
        results = post_bulk_add(urls=urls)

    created = sorted(r.obj.pk for r in results if r.status == "created")
    assert len(created) == 4
    assert queued() == [
        ("posts.tasks.refresh_posts", created[:2]),
        ("posts.tasks.refresh_posts", created[2:]),
    ]


def test_the_queued_task_refreshes_the_new_post(
    django_capture_on_commit_callbacks, settings, monkeypatch
):
    fake = fakes.install(settings, monkeypatch)
    fake.posts["Chunk8-jurw"] = fakes.post_stats("Chunk8-jurw", views=1200)
    with django_capture_on_commit_callbacks(execute=True):
        post, _ = post_add(url="https://www.instagram.com/p/Chunk8-jurw/")
    ((_, ids),) = queued()

    assert refresh_posts(ids) == "1 ok, 0 failed"

    post.refresh_from_db()
    assert (post.views, post.last_updated is not None) == (1200, True)
    assert PostSnapshot.objects.filter(post=post).count() == 1
