"""Approving or rejecting a trial reel; an approved one is queued for the AI."""

import pytest

from core.errors import DomainError, NotFoundError
from posts.choices import ProcessingStatus, TrialStatus
from posts.models import Post
from posts.queries import posts_ai_queue
from posts.services.trials import (
    post_approve_trial,
    post_reject_trial,
    posts_approve_trials,
    posts_reject_trials,
)
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db


def trial(**fields) -> Post:
    return PostFactory(is_trial=True, trial_status=TrialStatus.PENDING, **fields)


def test_an_approved_trial_becomes_a_regular_post_queued_for_the_ai(staff):
    post = trial(processing_status=ProcessingStatus.FAILED, ai_attempts=2, ai_error="old")

    post = post_approve_trial(post=post, user=staff, note="Strong hook")

    post.refresh_from_db()
    assert (post.is_trial, post.trial_status) == (False, TrialStatus.APPROVED)
    assert (post.trial_decided_by, post.trial_note) == (staff, "Strong hook")
    assert post.trial_decided_at is not None
    assert (post.processing_status, post.ai_attempts, post.ai_error) == ("pending", 0, "")
    assert posts_ai_queue(now=post.added_date.replace(year=2100)).filter(pk=post.pk).exists()


def test_a_rejected_trial_stays_a_trial_and_is_never_queued(staff):
    post = trial(views=1234)

    post_reject_trial(post=post, user=staff, note="Weak retention")

    post.refresh_from_db()
    assert (post.is_trial, post.trial_status, post.trial_note) == (
        True,
        TrialStatus.REJECTED,
        "Weak retention",
    )
    assert post.views == 1234  # its stats are kept
    assert not posts_ai_queue(now=post.added_date.replace(year=2100)).filter(pk=post.pk).exists()


def test_a_rejected_trial_can_still_be_approved(staff):
    post = trial()
    post_reject_trial(post=post, user=staff)

    post_approve_trial(post=post, user=staff)

    post.refresh_from_db()
    assert (post.is_trial, post.trial_status) == (False, TrialStatus.APPROVED)


def test_a_regular_post_cannot_be_approved_or_rejected(staff):
    post = PostFactory()

    for decide in (post_approve_trial, post_reject_trial):
        with pytest.raises(DomainError, match="not a trial reel"):
            decide(post=post, user=staff)


def test_an_editor_cannot_decide_through_the_service_a_trial_they_cannot_see(role_user):
    editor = role_user("Editor")
    theirs = trial()  # another editor's: not added by, assigned to or edited by this one
    mine = trial(added_by=editor)

    assert posts_approve_trials(ids=[theirs.pk, mine.pk], user=editor) == 1
    assert posts_reject_trials(ids=[theirs.pk], user=editor) == 0
    for decide in (post_approve_trial, post_reject_trial):
        with pytest.raises(NotFoundError):
            decide(post=theirs, user=editor)

    theirs.refresh_from_db()
    assert (theirs.is_trial, theirs.trial_status) == (True, TrialStatus.PENDING)
    assert theirs.trial_decided_by is None
