"""Client review links (specs/workflow.md "People"): a random token shown once (only its
SHA-256 is stored), expiring, revocable, scoped to one task or to a campaign's submitted
tasks. Every use is audited (ReviewLinkUse), refused attempts included."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError, NotFoundError

from ..choices import Column, CommentVisibility, MoveVia, ReviewAction
from ..models import ContentTask, ReviewLink, ReviewLinkUse
from .submissions import task_comment_add
from .tasks import task_move

MAX_DAYS = 90
DEFAULT_DAYS = 7


class ReviewLinkInvalid(DomainError):
    """Unknown, expired or revoked: the page says so and shows nothing of the content."""

    code = "review_link_invalid"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def review_link_create(
    *, created_by, task=None, campaign=None, days: int = DEFAULT_DAYS, reviewer_name: str = ""
) -> tuple[ReviewLink, str]:
    """A new link; returns it and its token (shown once, never stored)."""
    if (task is None) == (campaign is None):
        raise DomainError("A review link is for one task or one campaign.")
    if not 1 <= days <= MAX_DAYS:
        raise DomainError(
            f"A review link lasts 1 to {MAX_DAYS} days.", fields={"days": ["Out of range."]}
        )
    token = secrets.token_urlsafe(32)
    link = ReviewLink.objects.create(
        token_hash=token_hash(token),
        prefix=token[:8],
        task=task,
        campaign=campaign,
        reviewer_name=reviewer_name[:200],
        created_by=created_by,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return link, token


def review_link_revoke(link: ReviewLink, *, by) -> bool:
    """Revoke `link` (once; a second revoke changes nothing). Returns whether it changed."""
    return bool(
        ReviewLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=by
        )
    )


def review_use_record(*, link, action: str, ip: str | None, task=None, detail: str = "") -> None:
    ReviewLinkUse.objects.create(
        link=link, task=task, action=action, ip=ip or None, detail=detail[:300]
    )


def review_link_resolve(token: str, *, ip: str | None) -> ReviewLink:
    """The live link of `token`; an unknown, expired or revoked one raises ReviewLinkInvalid
    (and the attempt is audited)."""
    link = (
        ReviewLink.objects.select_related("task", "campaign")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )
    if link is None:
        review_use_record(link=None, action=ReviewAction.REFUSED, ip=ip, detail="unknown token")
        raise ReviewLinkInvalid("This review link does not exist.")
    if link.revoked_at is not None:
        review_use_record(link=link, action=ReviewAction.REFUSED, ip=ip, detail="revoked")
        raise ReviewLinkInvalid("This review link was revoked. Ask the agency for a new one.")
    if link.expires_at <= timezone.now():
        review_use_record(link=link, action=ReviewAction.REFUSED, ip=ip, detail="expired")
        raise ReviewLinkInvalid("This review link has expired. Ask the agency for a new one.")
    return link


def review_link_tasks(link: ReviewLink):
    """What the link shows: its task, or its campaign's submitted tasks."""
    qs = ContentTask.objects.select_related("creator", "campaign")
    if link.task_id:
        return qs.filter(pk=link.task_id)
    return qs.filter(campaign_id=link.campaign_id, column=Column.SUBMITTED).order_by(
        "position", "id"
    )


@transaction.atomic
def review_decide(
    *, link: ReviewLink, task_id: int, action: str, comment: str, ip: str | None
) -> ContentTask:
    """The client approves a task or asks for changes (with a comment), through task_move with
    via=review link: the same table as everyone else."""
    if action not in (ReviewAction.APPROVE, ReviewAction.REQUEST_CHANGES):
        raise DomainError("Approve or ask for changes.")
    task = review_link_tasks(link).filter(pk=task_id).first()
    if link.task_id and task is not None and task.column != Column.SUBMITTED:
        task = None
    if task is None:
        raise NotFoundError("This draft is no longer waiting for your review.")
    who = link.reviewer_name or "Client"
    comment = comment.strip()
    if action == ReviewAction.REQUEST_CHANGES and not comment:
        raise DomainError("Say what to change in the comment.", fields={"comment": ["Required."]})
    if comment:
        task_comment_add(
            task=task, body=comment, author_name=who, visibility=CommentVisibility.SHARED
        )
    to = Column.APPROVED if action == ReviewAction.APPROVE else Column.NEEDS_CHANGES
    note = f"{who} (review link {link.prefix}…)" + (f": {comment}" if comment else "")
    task_move(task=task, to=to, actor=None, via=MoveVia.REVIEW_LINK, note=note)
    review_use_record(link=link, action=action, ip=ip, task=task, detail=comment[:300])
    return task
