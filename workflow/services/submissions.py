"""What creators hand in: drafts (assets through publishing's media library), caption
versions, comments (specs/workflow.md "Submissions")."""

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Max

from core.errors import DomainError
from publishing.choices import MediaKind
from publishing.models import MediaAsset

from ..choices import AssetKind, Column, CommentVisibility
from ..models import Asset, CaptionVersion, Comment, ContentTask

# A draft is handed in while the task is being worked on, never once it is approved.
SUBMITTABLE = (Column.BACKLOG, Column.IN_PROGRESS, Column.SUBMITTED, Column.NEEDS_CHANGES)


def _check_open(task: ContentTask, what: str) -> None:
    if task.column not in SUBMITTABLE:
        raise DomainError(
            f"A {what} can be added only before approval; this task is {task.get_column_display()}."
        )


@transaction.atomic
def task_assets_add(
    *, task: ContentTask, media: Sequence[MediaAsset], submitted_by, kind: str | None = None
) -> list[Asset]:
    """One new version of the task's draft: every file of `media`, in order. The kind follows
    the media (image or video) unless `kind` says thumbnail."""
    _check_open(task, "draft")
    if not media:
        raise DomainError("Add at least one file.", fields={"media": ["Required."]})
    # Locked: two uploads at once get two versions, not one mixed version.
    ContentTask.objects.select_for_update().filter(pk=task.pk).first()
    version = (Asset.objects.filter(task=task).aggregate(v=Max("version"))["v"] or 0) + 1
    assets = []
    for item in dict.fromkeys(media):
        asset_kind = kind or (AssetKind.VIDEO if item.kind == MediaKind.VIDEO else AssetKind.IMAGE)
        if asset_kind not in AssetKind.values:
            raise DomainError(
                f"“{asset_kind}” is not an asset kind.", fields={"kind": ["Unknown."]}
            )
        assets.append(
            Asset(
                task=task, kind=asset_kind, media=item, version=version, submitted_by=submitted_by
            )
        )
    return Asset.objects.bulk_create(assets)


@transaction.atomic
def task_caption_add(
    *,
    task: ContentTask,
    text: str,
    author,
    hashtags: Sequence[str] = (),
    ai_generated: bool = False,
) -> CaptionVersion:
    _check_open(task, "caption version")
    if not text.strip():
        raise DomainError("A caption cannot be empty.", fields={"text": ["Required."]})
    tags = [str(t).strip().lstrip("#") for t in hashtags if str(t).strip().lstrip("#")]
    ContentTask.objects.select_for_update().filter(pk=task.pk).first()
    number = (CaptionVersion.objects.filter(task=task).aggregate(n=Max("number"))["n"] or 0) + 1
    caption = CaptionVersion(
        task=task,
        number=number,
        text=text.strip(),
        hashtags=tags,
        author=author if getattr(author, "pk", None) else None,
        ai_generated=ai_generated,
    )
    caption.full_clean()
    caption.save()
    return caption


def task_comment_add(
    *,
    task: ContentTask,
    body: str,
    author=None,
    author_name: str = "",
    visibility: str = CommentVisibility.SHARED,
    may_write_internal: bool = False,
) -> Comment:
    """A comment on the task; internal ones only from staff who may (never a creator's login
    nor a client)."""
    if not body.strip():
        raise DomainError("A comment cannot be empty.", fields={"body": ["Required."]})
    if visibility not in CommentVisibility.values:
        raise DomainError(
            f"“{visibility}” is not a visibility.",
            fields={"visibility": [f"One of: {', '.join(CommentVisibility.values)}."]},
        )
    if visibility == CommentVisibility.INTERNAL and not may_write_internal:
        raise DomainError(
            "Only staff write internal comments.", fields={"visibility": ["Use shared."]}
        )
    comment = Comment(
        task=task,
        body=body.strip(),
        author=author if getattr(author, "pk", None) else None,
        author_name=author_name[:200],
        visibility=visibility,
    )
    comment.full_clean()
    comment.save()
    return comment
