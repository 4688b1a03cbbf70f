"""The trial reels board in the admin: pending trials per client and editor, with their stats
and a views sparkline; approve or reject one or many, with a note."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from posts.choices import ProcessingStatus, TrialStatus
from posts.models import Post
from tests.posts.factories import PostFactory, PostSnapshotFactory
from tests.settings_app.factories import ClientFactory, EditorFactory, UserFactory

pytestmark = pytest.mark.django_db

BOARD = "/admin/posts/post/trial-board/"
MAX_QUERIES = 12


def trial(**fields) -> Post:
    return PostFactory(is_trial=True, trial_status=TrialStatus.PENDING, **fields)


def with_history(post: Post, views: list[int]) -> Post:
    now = timezone.now()
    for days_ago, value in zip(range(len(views) - 1, -1, -1), views, strict=True):
        PostSnapshotFactory(post=post, captured_at=now - timedelta(days=days_ago), views=value)
    return post


def rows(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'class="[^"]*trial-row" data-id="(\d+)"', html)]


def test_the_board_lists_pending_trials_grouped_by_client_and_editor(superuser_client):
    acme, zeta = ClientFactory(name="Acme"), ClientFactory(name="Zeta")
    ana = EditorFactory(name="Ana")
    low = trial(client=zeta, editor=ana, views=10)
    high = trial(client=acme, editor=ana, views=900, likes=90, engagement_rate="10.00")
    mid = trial(client=acme, editor=ana, views=500)
    PostFactory(views=10_000)  # not a trial
    PostFactory(is_trial=True, trial_status=TrialStatus.REJECTED)

    response = superuser_client.get(BOARD)

    html = response.content.decode()
    assert response.status_code == 200
    assert rows(html) == [high.pk, mid.pk, low.pk]  # Acme first, best views first
    assert "Acme · Ana" in html and "Zeta · Ana" in html
    assert "3 pending trial reels in 2 groups" in html
    assert "10.00%" in html and "900" in html


def test_sorting_by_performance_within_groups(superuser_client):
    client = ClientFactory()
    a = trial(client=client, views=100, engagement_rate="9.00")
    b = trial(client=client, views=300, engagement_rate="1.00")

    assert rows(superuser_client.get(BOARD + "?o=views").content.decode()) == [a.pk, b.pk]
    assert rows(superuser_client.get(BOARD + "?o=-engagement").content.decode()) == [a.pk, b.pk]
    assert rows(superuser_client.get(BOARD + "?o=-views").content.decode()) == [b.pk, a.pk]
    assert rows(superuser_client.get(BOARD + f"?client={client.pk}").content.decode()) == [
        b.pk,
        a.pk,
    ]
    assert rows(superuser_client.get(BOARD + "?client=none").content.decode()) == []


def test_each_trial_has_a_views_sparkline_from_its_daily_history(superuser_client):
    post = with_history(trial(), [100, 250, 400, 900])
    trial()  # no snapshot yet

    html = superuser_client.get(BOARD).content.decode()

    assert html.count('class="co-sparkline"') == 2
    assert 'data-points="4"' in html and 'data-points="0"' in html
    assert f'data-id="{post.pk}"' in html


def test_approve_one_with_a_note(superuser_client, superuser):
    post = trial(views=1234, processing_status=ProcessingStatus.FAILED, ai_attempts=3)

    response = superuser_client.post(
        BOARD + "?o=views", {"approve_one": post.pk, "note": "Great hook"}, follow=True
    )

    assert response.redirect_chain[-1][0] == BOARD + "?o=views"
    assert "1 trial reel(s) approved" in response.content.decode()
    post.refresh_from_db()
    assert (post.is_trial, post.trial_status, post.trial_note) == (
        False,
        TrialStatus.APPROVED,
        "Great hook",
    )
    assert post.trial_decided_by == superuser and post.trial_decided_at is not None
    assert (post.processing_status, post.ai_attempts, post.views) == ("pending", 0, 1234)


def test_reject_one_keeps_the_post_and_its_history(superuser_client):
    post = with_history(trial(views=5), [1, 5])

    superuser_client.post(BOARD, {"reject_one": post.pk, "note": ""})

    post.refresh_from_db()
    assert (post.is_trial, post.trial_status, post.views) == (True, TrialStatus.REJECTED, 5)
    assert post.snapshots.count() == 2
    assert post.pk not in rows(superuser_client.get(BOARD).content.decode())
    assert post.pk in rows(superuser_client.get(BOARD + "?status=rejected").content.decode())


def test_approve_and_reject_many(superuser_client, superuser):
    first, second, third = trial(), trial(), trial()
    regular = PostFactory(trial_note="kept")

    superuser_client.post(
        BOARD, {"approve": "1", "ids": [first.pk, second.pk, regular.pk], "note": "batch"}
    )
    response = superuser_client.post(BOARD, {"reject": "1", "ids": [third.pk]}, follow=True)

    assert "1 trial reel(s) rejected" in response.content.decode()
    statuses = dict(Post.objects.values_list("pk", "trial_status"))
    assert statuses[first.pk] == statuses[second.pk] == TrialStatus.APPROVED
    assert statuses[third.pk] == TrialStatus.REJECTED
    assert statuses[regular.pk] is None
    first.refresh_from_db()
    assert (first.is_trial, first.trial_note, first.trial_decided_by) == (False, "batch", superuser)
    assert first.processing_status == ProcessingStatus.PENDING
    regular.refresh_from_db()
    assert regular.trial_note == "kept"


def test_nothing_selected_is_a_warning(superuser_client):
    response = superuser_client.post(BOARD, {"approve": "1"}, follow=True)
    assert "Select at least one trial reel." in response.content.decode()


def test_viewers_see_the_board_but_cannot_decide(client):
    viewer = UserFactory(is_staff=True, roles=[])
    viewer.user_permissions.add(Permission.objects.get(codename="view_post"))
    client.force_login(viewer)
    post = trial()

    assert client.get(BOARD).status_code == 200
    assert "Approve selected" not in client.get(BOARD).content.decode()
    assert client.post(BOARD, {"approve_one": post.pk}).status_code == 403
    post.refresh_from_db()
    assert post.trial_status == TrialStatus.PENDING


def test_add_trial_reels_links_to_bulk_add_with_trial_preselected(superuser_client):
    html = superuser_client.get(BOARD).content.decode()
    assert 'href="/admin/posts/post/bulk-add/?is_trial=1"' in html

    form = superuser_client.get("/admin/posts/post/bulk-add/?is_trial=1").content.decode()
    checkbox = re.search(r'<input[^>]*name="is_trial"[^>]*>', form).group(0)
    assert "checked" in checkbox
    plain = superuser_client.get("/admin/posts/post/bulk-add/").content.decode()
    assert "checked" not in re.search(r'<input[^>]*name="is_trial"[^>]*>', plain).group(0)


def test_the_admin_index_links_to_the_workspace_pages(superuser_client):
    html = superuser_client.get(reverse("admin:index")).content.decode()
    assert f'href="{BOARD}"' in html and "Trial reels board" in html
    assert 'href="/admin/posts/post/boards/"' in html
    assert html.index("Trial reels board") < html.index("Payments board")  # Posts, then Finance


@pytest.mark.parametrize("count", [2, 40])
def test_the_board_issues_a_bounded_number_of_queries(
    superuser_client, django_assert_max_num_queries, count
):
    clients = [ClientFactory() for _ in range(3)]
    editors = [EditorFactory() for _ in range(2)]
    for i in range(count):
        post = trial(client=clients[i % 3], editor=editors[i % 2], views=i)
        with_history(post, [1, 2, 3])

    with django_assert_max_num_queries(MAX_QUERIES):
        response = superuser_client.get(BOARD)

    assert len(rows(response.content.decode())) == count
