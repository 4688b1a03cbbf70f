"""Approving and rejecting trial reels through the API, one or many, with a note."""

import pytest

from posts.choices import ProcessingStatus, TrialStatus
from posts.models import Post
from tests.posts.factories import PostFactory, PostSnapshotFactory
from tests.settings_app.factories import UserFactory
from tests.utils import key_client

pytestmark = pytest.mark.django_db

POSTS = "/api/v1/posts/"


def trial(**fields) -> Post:
    return PostFactory(is_trial=True, trial_status=TrialStatus.PENDING, **fields)


def test_approving_a_trial_makes_it_a_regular_post_queued_for_the_ai(api, staff):
    post = trial(views=4321, caption="keep me", processing_status=ProcessingStatus.FAILED)

    response = api.post(f"{POSTS}{post.pk}/approve/", {"note": "Strong hook"}, format="json")

    assert response.status_code == 200
    assert response.data["is_trial"] is False
    assert response.data["trial_status"] == TrialStatus.APPROVED
    post.refresh_from_db()
    assert (post.trial_decided_by, post.trial_note) == (staff, "Strong hook")
    assert post.trial_decided_at is not None
    assert (post.processing_status, post.views, post.caption) == ("pending", 4321, "keep me")


def test_rejecting_a_trial_keeps_it_and_its_history(api):
    post = trial(views=12)
    PostSnapshotFactory(post=post, views=12)

    response = api.post(f"{POSTS}{post.pk}/reject/", {}, format="json")

    assert response.status_code == 200
    assert (response.data["is_trial"], response.data["trial_status"]) == (
        True,
        TrialStatus.REJECTED,
    )
    post.refresh_from_db()
    assert (post.trial_note, post.snapshots.count()) == ("", 1)


def test_deciding_a_post_that_is_not_a_trial_answers_400(api):
    post = PostFactory()

    response = api.post(f"{POSTS}{post.pk}/approve/", {}, format="json")

    assert response.status_code == 400
    assert response.data["error"]["code"] == "not_a_trial"


def test_deciding_an_unknown_post_answers_404(api):
    assert api.post(f"{POSTS}999999/reject/", {}, format="json").status_code == 404


def test_approving_many_trials_leaves_other_posts_alone(api, staff):
    first, second = trial(), trial()
    regular = PostFactory()

    response = api.post(
        f"{POSTS}approve/",
        {"ids": [first.pk, second.pk, regular.pk, second.pk], "note": "batch"},
        format="json",
    )

    assert response.status_code == 200
    assert response.data == {"approved": 2, "requested": 3}
    for post in (first, second):
        post.refresh_from_db()
        assert (post.is_trial, post.trial_status, post.trial_note) == (
            False,
            TrialStatus.APPROVED,
            "batch",
        )
        assert (post.trial_decided_by, post.processing_status) == (staff, "pending")
    regular.refresh_from_db()
    assert (regular.trial_status, regular.trial_decided_by) == (None, None)


def test_rejecting_many_trials(api):
    posts = [trial(), trial()]

    response = api.post(f"{POSTS}reject/", {"ids": [p.pk for p in posts]}, format="json")

    assert response.data == {"rejected": 2, "requested": 2}
    assert set(Post.objects.values_list("trial_status", flat=True)) == {TrialStatus.REJECTED}


@pytest.mark.parametrize(
    "payload", [{}, {"ids": []}, {"ids": ["x"]}, {"ids": [1], "note": 5 * "x" * 500}]
)
def test_bulk_decisions_with_malformed_input_answer_400(api, payload):
    assert api.post(f"{POSTS}approve/", payload, format="json").status_code == 400


def test_a_read_only_key_cannot_decide(db):
    post = trial()

    response = key_client(UserFactory(), scopes=["read"]).post(f"{POSTS}{post.pk}/approve/")

    assert response.status_code == 403
    post.refresh_from_db()
    assert post.trial_status == TrialStatus.PENDING


def test_an_api_key_decision_records_the_key_owner(db):
    owner = UserFactory()
    post = trial()

    response = key_client(owner).post(f"{POSTS}approve/", {"ids": [post.pk]}, format="json")

    assert response.status_code == 200
    post.refresh_from_db()
    assert post.trial_decided_by == owner
