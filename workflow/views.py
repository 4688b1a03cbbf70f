"""The client's review page (no login): a plain page showing the drafts and latest captions
of what a review link covers, with Approve / Request changes. CSRF-protected forms, no script,
no admin chrome; an unknown, expired or revoked link shows a clear page and never the content."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from core.client_address import client_ip
from core.counters import counter_take
from core.errors import DomainError

from .choices import AssetKind, ReviewAction
from .models import Asset, CaptionVersion, Comment
from .services.review import (
    ReviewLinkInvalid,
    review_decide,
    review_link_resolve,
    review_link_tasks,
    review_use_record,
)

# Attempts per client address per minute (guessing tokens is pointless, but cheap to stop).
ATTEMPTS_PER_MINUTE = 60


def _drafts(tasks) -> list[dict]:
    """Each task with its latest draft files and caption, and the shared comments: a fixed
    number of queries whatever the number of tasks."""
    ids = [t.pk for t in tasks]
    assets: dict[int, list] = {}
    latest: dict[int, int] = {}
    for asset in (
        Asset.objects.filter(task_id__in=ids)
        .select_related("media")
        .order_by("task_id", "-version", "id")
    ):
        version = latest.setdefault(asset.task_id, asset.version)
        if asset.version == version:
            assets.setdefault(asset.task_id, []).append(asset)
    captions: dict[int, CaptionVersion] = {}
    for caption in CaptionVersion.objects.filter(task_id__in=ids).order_by("task_id", "-number"):
        captions.setdefault(caption.task_id, caption)
    comments: dict[int, list] = {}
    for comment in Comment.objects.filter(task_id__in=ids, visibility="shared").select_related(
        "author"
    ):
        comments.setdefault(comment.task_id, []).append(comment)
    return [
        {
            "task": task,
            "files": [
                {
                    "url": a.media.file.url,
                    "is_video": a.kind == AssetKind.VIDEO,
                    "kind": a.get_kind_display(),
                }
                for a in assets.get(task.pk, [])
            ],
            "version": latest.get(task.pk),
            "caption": captions.get(task.pk),
            "comments": comments.get(task.pk, []),
        }
        for task in tasks
    ]


def _invalid(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return TemplateResponse(
        request, "workflow/review_invalid.html", {"message": message}, status=status
    )


@never_cache
@csrf_protect
def review_page(request: HttpRequest, token: str) -> HttpResponse:
    ip = client_ip(request)
    if not counter_take(f"review-link:{ip}", limit=ATTEMPTS_PER_MINUTE, window_s=60).allowed:
        return _invalid(request, "Too many attempts from your address: wait a minute.", 429)
    try:
        link = review_link_resolve(token, ip=ip)
    except ReviewLinkInvalid as error:
        return _invalid(request, error.message, 410 if "exist" not in error.message else 404)
    error_message = ""
    if request.method == "POST":
        try:
            task_id = int(request.POST.get("task", ""))
        except ValueError:
            task_id = 0
        try:
            task = review_decide(
                link=link,
                task_id=task_id,
                action=request.POST.get("action", ""),
                comment=request.POST.get("comment", ""),
                ip=ip,
            )
        except DomainError as error:
            error_message = error.message
        else:
            done = "approved" if request.POST.get("action") == ReviewAction.APPROVE else "changes"
            return HttpResponseRedirect(f"{request.path}?done={done}&task={task.pk}")
    else:
        review_use_record(link=link, action=ReviewAction.VIEW, ip=ip, task=link.task)
    tasks = list(review_link_tasks(link))
    context = {
        "link": link,
        "drafts": _drafts(tasks),
        "error": error_message,
        "done": request.GET.get("done", ""),
        "title": link.campaign.name if link.campaign_id else (link.task.title if link.task else ""),
    }
    return TemplateResponse(
        request, "workflow/review.html", context, status=400 if error_message else 200
    )
