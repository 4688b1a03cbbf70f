"""Trial reels: approve (it becomes a regular post, queued for the AI) or reject (it stays a
trial with its stats), one or many, by a user who may see them."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.audit import audit_record_many
from core.errors import DomainError, NotFoundError
from settings_app.access import posts_visible_to

from ..choices import TrialStatus
from ..models import Post
from .classification import AI_REQUEUE_FIELDS

TRIAL_AUDIT_FIELDS = ("is_trial", "trial_status", "trial_note")


def _trials_decide(*, ids: Iterable[int], user, note: str, approve: bool) -> int:
    """The one trial decision: one UPDATE for the trial reels among `ids` that `user` may see;
    posts that are not trial reels (any more) are left alone. Each decision is audited. Returns
    how many were decided."""
    now = timezone.now()
    fields: dict[str, Any] = {
        "trial_decided_by": user if getattr(user, "pk", None) else None,
        "trial_decided_at": now,
        "trial_note": note,
        "updated_at": now,
    }
    if approve:
        # No longer a trial: the classify_posts job picks it up (specs/ai.md).
        fields.update(is_trial=False, trial_status=TrialStatus.APPROVED, **AI_REQUEUE_FIELDS)
    else:
        fields["trial_status"] = TrialStatus.REJECTED
    visible = posts_visible_to(user, Post.objects.filter(pk__in=list(ids))).order_by().values("pk")
    with transaction.atomic():
        decided = Post.objects.select_for_update().filter(pk__in=visible, is_trial=True)
        rows = list(decided.values_list("pk", "url", "trial_status", "trial_note"))
        count = Post.objects.filter(pk__in=[row[0] for row in rows]).update(**fields)
        audit_record_many(
            actor=user,
            model=Post,
            rows=[
                (pk, url, changes)
                for pk, url, *before in rows
                if (changes := _changes(before, {**fields, "is_trial": not approve}))
            ],
            action="trial_approve" if approve else "trial_reject",
        )
    return count


def _changes(before: list, fields: dict[str, Any]) -> dict[str, list]:
    # As core.audit.audit_record: only the audited fields whose value changed.
    was = dict(zip(("trial_status", "trial_note"), before, strict=True), is_trial=True)
    return {
        name: [was[name], fields[name]] for name in TRIAL_AUDIT_FIELDS if was[name] != fields[name]
    }


def _trial_decide(*, post: Post, user, note: str, approve: bool) -> Post:
    if not posts_visible_to(user, Post.objects.filter(pk=post.pk)).exists():
        raise NotFoundError("This post is not among the posts you can see.")
    if not _trials_decide(ids=[post.pk], user=user, note=note, approve=approve):
        raise DomainError(
            "This post is not a trial reel (an approved trial is a regular post).",
            code="not_a_trial",
        )
    return Post.objects.get(pk=post.pk)


def post_approve_trial(*, post: Post, user, note: str = "") -> Post:
    """Approve a trial reel `user` may see: it becomes a regular post and is queued for the AI.
    Raises NotFoundError for a post `user` may not see, DomainError for one that is no trial."""
    return _trial_decide(post=post, user=user, note=note, approve=True)


def post_reject_trial(*, post: Post, user, note: str = "") -> Post:
    """Reject a trial reel `user` may see: it stays a trial (its stats are kept), never sent to
    the AI. Raises as post_approve_trial."""
    return _trial_decide(post=post, user=user, note=note, approve=False)


def posts_approve_trials(*, ids: Iterable[int], user, note: str = "") -> int:
    """Approve the trial reels among `ids` that `user` may see (see post_approve_trial): they
    become regular posts, queued for the AI; every other field is kept. Returns how many."""
    return _trials_decide(ids=ids, user=user, note=note, approve=True)


def posts_reject_trials(*, ids: Iterable[int], user, note: str = "") -> int:
    """Reject the trial reels among `ids` that `user` may see (see post_reject_trial): they stay
    trials, with their stats and history. Returns how many."""
    return _trials_decide(ids=ids, user=user, note=note, approve=False)
