"""The task page's workspace (brief, drafts with previews, caption versions and their diff,
comments, timeline, the moves this user may make) and the page its buttons post to."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse

from ai.captions import MAX_VARIANTS, TONES
from core.admin.pages import AdminPage
from core.errors import DomainError
from posts.choices import Platform
from publishing.services.captions import ai_status
from publishing.services.media import media_asset_create
from settings_app.access import is_creator_login, posts_visible_to

from .choices import AssetKind, Column, CommentVisibility, MoveVia
from .models import Asset, CaptionVersion, ContentTask, ReviewLink
from .moves import Capacity, capacities_of, next_columns
from .queries import caption_versions_diff, task_comments, task_timeline
from .services.assist import (
    task_caption_check,
    task_caption_check_latest,
    task_caption_repurpose,
    task_captions_generate,
    task_thread_summary,
)
from .services.review import review_link_create, review_link_revoke
from .services.submissions import (
    SUBMITTABLE,
    task_assets_add,
    task_caption_add,
    task_comment_add,
)
from .services.tasks import task_move, tasks_visible_or_404


def task_workspace(task: ContentTask, user) -> dict:
    assets = list(
        Asset.objects.filter(task=task).select_related("media").order_by("-version", "id")
    )
    versions: dict[int, list] = {}
    for asset in assets:
        versions.setdefault(asset.version, []).append(
            {
                "asset": asset,
                "url": asset.media.file.url if asset.media.file else "",
                "is_video": asset.kind == AssetKind.VIDEO,
            }
        )
    staff_view = not is_creator_login(user)
    may_hand_in = task.column in SUBMITTABLE and Capacity.CREATOR in capacities_of(user, task)
    return {
        "task": task,
        "versions": sorted(versions.items(), reverse=True),
        "captions": list(CaptionVersion.objects.filter(task=task).select_related("author")),
        "diff": caption_versions_diff(task),
        "comments": list(task_comments(task, user)),
        "timeline": list(task_timeline(task)),
        # The tracked posts the publisher linked, with their latest stats.
        "published": [
            {"post": post, "url": reverse("admin:posts_post_change", args=[post.pk])}
            for post in posts_visible_to(user, task.published_posts.all()).order_by("pk")
        ],
        "next_columns": [(c.value, c.label) for c in next_columns(user, task)],
        "can_schedule": Column.SCHEDULED in next_columns(user, task),
        "may_write_internal": staff_view and user.is_staff,
        # The creator's side (or an editor's): a new draft version, a new caption version.
        "can_add_draft": may_hand_in
        and user.has_perms(("workflow.add_asset", "publishing.add_mediaasset")),
        "can_add_caption": may_hand_in and user.has_perm("workflow.add_captionversion"),
        "review_links": list(ReviewLink.objects.filter(task=task).order_by("-created_at")[:5])
        if staff_view and user.has_perm("workflow.add_reviewlink")
        else [],
        "can_create_review_link": staff_view and user.has_perm("workflow.add_reviewlink"),
        "action_url": reverse("admin:workflow_task_act", args=[task.pk]),
        "timezone": task.creator.timezone,
        "ai": ai_section(task, user, staff_view=staff_view),
    }


def ai_section(task: ContentTask, user, *, staff_view: bool) -> dict:
    """The task page's AI assistance: why it is off (the rest of the page works the same),
    the stored quality check of the latest caption, and which buttons this user has."""
    writes_captions = user.has_perm("workflow.add_captionversion") and (
        Capacity.CREATOR in capacities_of(user, task)
    )
    return {
        "off": ai_status(),
        "check": task_caption_check_latest(task),
        "can_caption": writes_captions and task.column in SUBMITTABLE,
        "can_check": staff_view and user.is_staff,
        "tones": TONES,
        "max_variants": MAX_VARIANTS,
        # Repurposing rewrites the latest caption, written for another platform, for the task's.
        "platform_label": Platform(task.platform).label,
        "repurpose_from": [(v, label) for v, label in Platform.choices if v != task.platform],
    }


class TaskActionPage(AdminPage):
    """Where the task page's buttons post: a move, a comment, a review link."""

    route = "<int:task_id>/act/"
    url_name = "workflow_task_act"
    permissions = ("workflow.view_contenttask",)

    def get(self, task_id: int):
        return HttpResponseRedirect(reverse("admin:workflow_contenttask_change", args=[task_id]))

    def post(self, task_id: int):
        request = self.request
        back = HttpResponseRedirect(reverse("admin:workflow_contenttask_change", args=[task_id]))
        try:
            task = tasks_visible_or_404(request.user, task_id)
            what = request.POST.get("what")
            if what == "move":
                self._move(task)
            elif what == "comment":
                task_comment_add(
                    task=task,
                    body=request.POST.get("body", ""),
                    author=request.user,
                    visibility=request.POST.get("visibility", CommentVisibility.SHARED),
                    may_write_internal=not is_creator_login(request.user) and request.user.is_staff,
                )
                messages.success(request, "Comment added.")
            elif what == "draft":
                self._draft(task)
            elif what == "caption":
                self._caption(task)
            elif what == "review_link":
                self._review_link(task)
            elif what == "revoke_link":
                self._revoke(task)
            elif what == "ai_captions":
                self._ai_captions(task)
            elif what == "ai_repurpose":
                self._ai_repurpose(task)
            elif what == "quality_check":
                self._quality_check(task)
            elif what == "summary":
                self._summary(task)
            else:
                raise DomainError("Unknown action.")
        except DomainError as error:
            messages.error(request, error.message)
        return back

    def _move(self, task: ContentTask) -> None:
        request = self.request
        to = request.POST.get("to", "")
        scheduled_at = None
        if request.POST.get("scheduled_at"):
            try:
                local = datetime.fromisoformat(request.POST["scheduled_at"])
            except ValueError as error:
                raise DomainError("The publication time is not a date and time.") from error
            scheduled_at = local.replace(tzinfo=ZoneInfo(task.creator.timezone or "UTC"))
        task_move(
            task=task,
            to=to,
            actor=request.user,
            note=request.POST.get("note", ""),
            via=MoveVia.ADMIN,
            scheduled_at=scheduled_at,
            publish_now=request.POST.get("publish_now") == "1",
        )
        messages.success(request, f"Moved to {Column(to).label}.")

    def _ai_captions(self, task: ContentTask) -> None:
        request = self.request
        if not ai_section(task, request.user, staff_view=False)["can_caption"]:
            raise DomainError("You may not add captions to this task.")
        try:
            variants = int(request.POST.get("variants") or 1)
        except ValueError:
            variants = 0
        versions, suggestions = task_captions_generate(
            task=task,
            user=request.user,
            tone=request.POST.get("tone", "professional"),
            variants=variants,
        )
        numbers = ", ".join(f"v{v.number}" for v in versions)
        messages.success(request, f"AI captions saved as {numbers} (your versions are unchanged).")
        for number, suggestion in zip((v.number for v in versions), suggestions, strict=True):
            for flag in suggestion["flags"]:
                messages.warning(request, f"v{number}: {flag}")

    def _ai_repurpose(self, task: ContentTask) -> None:
        request = self.request
        if not ai_section(task, request.user, staff_view=False)["can_caption"]:
            raise DomainError("You may not add captions to this task.")
        version, suggestion = task_caption_repurpose(
            task=task,
            user=request.user,
            source_platform=request.POST.get("source_platform", ""),
            tone=request.POST.get("tone", "professional"),
        )
        messages.success(
            request,
            f"Latest caption repurposed for {Platform(task.platform).label}, saved as "
            f"v{version.number} (your versions are unchanged).",
        )
        for flag in suggestion["flags"]:
            messages.warning(request, f"v{version.number}: {flag}")

    def _quality_check(self, task: ContentTask) -> None:
        request = self.request
        if is_creator_login(request.user) or not request.user.is_staff:
            raise DomainError("The quality check is run by staff.")
        check = task_caption_check(task=task, user=request.user)
        count = len(check.flags)
        messages.success(
            request,
            f"Caption v{check.caption.number} checked: "
            + (f"{count} flag(s), shown under AI assistance." if count else "no flag."),
        )

    def _summary(self, task: ContentTask) -> None:
        request = self.request
        summary = task_thread_summary(task=task, user=request.user)
        messages.info(request, f"Summary of {summary['comments_used']} comment(s):")
        for label, key in (("Decision", "decisions"), ("Open request", "open_requests")):
            for line in summary[key]:
                cited = ", ".join(f"#{i}" for i in line["comment_ids"])
                messages.info(request, f"{label}: {line['text']} (comments {cited})")
        if not (summary["decisions"] or summary["open_requests"]):
            messages.info(request, "No decision and no open request in the comments.")

    def _hands_in(self, task: ContentTask, perms: tuple[str, ...]) -> None:
        user = self.request.user
        if Capacity.CREATOR not in capacities_of(user, task) or not user.has_perms(perms):
            raise DomainError("Only the task's creator or an editor hands in drafts and captions.")

    def _draft(self, task: ContentTask) -> None:
        """The uploaded files go to the media library (the same bytes twice: the same asset),
        then become the task's next draft version."""
        self._hands_in(task, ("workflow.add_asset", "publishing.add_mediaasset"))
        files = self.request.FILES.getlist("files")
        if not files:
            raise DomainError("Choose one or more images or videos to hand in.")
        media = []
        for file in files:
            try:
                asset, _ = media_asset_create(file=file, user=self.request.user)
            except DomainError as error:
                raise DomainError(f"{file.name}: {error.message}") from error
            media.append(asset)
        (first, *_) = task_assets_add(task=task, media=media, submitted_by=self.request.user)
        messages.success(self.request, f"Draft version {first.version} handed in.")

    def _caption(self, task: ContentTask) -> None:
        self._hands_in(task, ("workflow.add_captionversion",))
        tags = self.request.POST.get("hashtags", "").replace(",", " ").split()
        caption = task_caption_add(
            task=task,
            text=self.request.POST.get("text", ""),
            hashtags=tags,
            author=self.request.user,
        )
        messages.success(self.request, f"Caption version {caption.number} added.")

    def _review_link(self, task: ContentTask) -> None:
        request = self.request
        if is_creator_login(request.user) or not request.user.has_perm("workflow.add_reviewlink"):
            raise DomainError("You may not create review links.")
        try:
            days = int(request.POST.get("days") or 7)
        except ValueError:
            days = 0
        _, token = review_link_create(
            created_by=request.user,
            task=task,
            days=days,
            reviewer_name=request.POST.get("reviewer_name", ""),
        )
        url = request.build_absolute_uri(reverse("workflow-review", args=[token]))
        messages.success(request, f"Review link (shown once, copy it now): {url}")

    def _revoke(self, task: ContentTask) -> None:
        request = self.request
        if not request.user.has_perm("workflow.change_reviewlink"):
            raise DomainError("You may not revoke review links.")
        link = ReviewLink.objects.filter(task=task, pk=request.POST.get("link") or 0).first()
        if link is None:
            raise DomainError("No such review link.")
        review_link_revoke(link, by=request.user)
        messages.success(request, f"{link} revoked.")
