"""Reads of workflow: campaign progress, timelines, caption diffs, the creator page's sections."""

import difflib
import re
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from settings_app.access import comments_visible_to

from .choices import OPEN_COLUMNS, Column
from .models import CaptionVersion, Comment, ContentTask, Deliverable, TaskMove


@dataclass
class CreatorProgress:
    creator_id: int
    creator_name: str
    promised: int = 0
    delivered: int = 0
    overdue: int = 0


@dataclass
class CampaignProgress:
    promised: int = 0
    delivered: int = 0
    overdue: int = 0
    per_creator: list[CreatorProgress] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.delivered / self.promised) if self.promised else 0


def campaigns_progress(
    campaign_ids: list[int], *, now=None, creator_id: int | None = None
) -> dict[int, CampaignProgress]:
    """Delivered (tasks Published) vs promised (the deliverables' quantities), per creator and
    in total, and overdue units, for each campaign: two queries whatever the number of
    campaigns, creators or tasks.

    Overdue units: per deliverable past its due time, the units not published yet; plus the
    open tasks with no deliverable past their own due time.

    With `creator_id`, only that creator's row (and totals): what a creator's login sees."""
    now = now or timezone.now()
    only = {"creator_id": creator_id} if creator_id is not None else {}
    published_of = (
        ContentTask.objects.filter(deliverable=OuterRef("pk"), column=Column.PUBLISHED)
        .order_by()
        .values("deliverable")
        .annotate(n=Count("pk"))
        .values("n")
    )
    promised_rows = (
        Deliverable.objects.filter(campaign_id__in=campaign_ids, **only)
        .annotate(published=Coalesce(Subquery(published_of, output_field=IntegerField()), 0))
        .order_by()
        .values("campaign_id", "creator_id", "creator__display_name")
        .annotate(
            promised=Sum("quantity"),
            overdue=Sum(
                Case(
                    When(
                        due__lt=now,
                        then=Greatest(F("quantity") - F("published"), Value(0)),
                    ),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            ),
        )
    )
    delivered_rows = (
        ContentTask.objects.filter(campaign_id__in=campaign_ids, **only)
        .order_by()
        .values("campaign_id", "creator_id", "creator__display_name")
        .annotate(
            delivered=Count("pk", filter=Q(column=Column.PUBLISHED)),
            loose_overdue=Count(
                "pk",
                filter=Q(deliverable__isnull=True, column__in=OPEN_COLUMNS, due_at__lt=now),
            ),
        )
    )
    result = {pk: CampaignProgress() for pk in campaign_ids}
    rows: dict[tuple[int, int], CreatorProgress] = {}

    def row(campaign_id: int, creator_id: int, name: str) -> CreatorProgress:
        key = (campaign_id, creator_id)
        if key not in rows:
            rows[key] = CreatorProgress(creator_id=creator_id, creator_name=name)
            result[campaign_id].per_creator.append(rows[key])
        return rows[key]

    for r in promised_rows:
        entry = row(r["campaign_id"], r["creator_id"], r["creator__display_name"])
        entry.promised += r["promised"] or 0
        entry.overdue += r["overdue"] or 0
    for r in delivered_rows:
        entry = row(r["campaign_id"], r["creator_id"], r["creator__display_name"])
        entry.delivered += r["delivered"]
        entry.overdue += r["loose_overdue"]
    for progress in result.values():
        progress.per_creator.sort(key=lambda p: (p.creator_name, p.creator_id))
        progress.promised = sum(p.promised for p in progress.per_creator)
        progress.delivered = sum(p.delivered for p in progress.per_creator)
        progress.overdue = sum(p.overdue for p in progress.per_creator)
    return result


def campaign_progress(campaign, *, creator_id: int | None = None) -> CampaignProgress:
    return campaigns_progress([campaign.pk], creator_id=creator_id)[campaign.pk]


def task_timeline(task: ContentTask):
    return TaskMove.objects.filter(task=task).select_related("actor").order_by("at", "id")


def task_comments(task: ContentTask, user):
    return comments_visible_to(user, Comment.objects.filter(task=task)).select_related("author")


_TOKENS = re.compile(r"\s+|[^\s]+")


def caption_diff(old: str, new: str) -> list[dict]:
    """Word-level diff of two captions: [{"op": "equal"|"insert"|"delete", "text"}], in
    order (whitespace kept, so joining the equal and insert parts gives `new`)."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    parts: list[dict] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append({"op": "equal", "text": "".join(a[i1:i2])})
            continue
        if op in ("delete", "replace"):
            parts.append({"op": "delete", "text": "".join(a[i1:i2])})
        if op in ("insert", "replace"):
            parts.append({"op": "insert", "text": "".join(b[j1:j2])})
    return parts


def caption_versions_diff(task: ContentTask, *, old: int | None = None, new: int | None = None):
    """The diff between two caption versions of `task` (by number; default the last two).
    None when the task has fewer than two versions."""
    versions = CaptionVersion.objects.filter(task=task)
    if old is None and new is None:
        pair = list(versions.order_by("-number")[:2])
        if len(pair) < 2:
            return None
        newer, older = pair
    else:
        found = {v.number: v for v in versions.filter(number__in=[old, new])}
        if old not in found or new not in found:
            return None
        older, newer = found[old], found[new]
    return {
        "old": older.number,
        "new": newer.number,
        "parts": caption_diff(
            _with_tags(older.text, older.hashtags), _with_tags(newer.text, newer.hashtags)
        ),
    }


def _with_tags(text: str, tags) -> str:
    return text + ("\n" + " ".join(f"#{t}" for t in tags) if tags else "")


def overdue_q(now=None) -> Q:
    return Q(column__in=OPEN_COLUMNS, due_at__lt=now or timezone.now())
