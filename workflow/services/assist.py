"""AI assistance on content tasks and campaigns (specs/ai.md "AI assistance"): captions saved
as AI-generated versions, the quality check of the latest caption, the thread summary as the
viewer may see it, and brief to tasks (a proposal; staff confirm before anything is created).

Every answer's usage is recorded (core.AIUsage, failed answers too) by publishing's
`ai_feature_run`, which also turns the AI's errors into an UnavailableError saying why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q

from ai.briefs import MAX_QUANTITY, BriefInput, brief_to_tasks
from ai.captions import MAX_VARIANTS, TONES, CaptionInput, caption_repurpose, caption_suggest
from ai.quality import QualityInput, caption_quality_check
from ai.threads import ThreadComment, thread_summarize
from core.errors import DomainError
from creators.models import Creator
from posts.choices import Platform
from publishing.services.captions import (
    ai_feature_run,
    caption_as_dict,
    client_voice,
    media_facts,
    platform_caption_limits,
)
from settings_app.access import comments_visible_to, creators_visible_to

from ..choices import CommentVisibility, DeliverableKind
from ..models import Asset, Campaign, CaptionCheck, CaptionVersion, Comment, ContentTask
from .campaigns import deliverable_create
from .submissions import _check_open, task_caption_add
from .tasks import task_create

MAX_PROPOSAL_CREATORS = 30


def _client(task: ContentTask):
    return task.campaign.client if task.campaign_id else None


def _task_brief(task: ContentTask) -> str:
    parts = [task.title, task.description]
    if task.campaign_id and task.campaign.brief and task.campaign.brief != task.description:
        parts.append(task.campaign.brief)
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def task_captions_generate(
    *, task: ContentTask, user, tone: str = "professional", variants: int = 1
) -> tuple[list[CaptionVersion], list[dict]]:
    """`variants` captions for the task's platform, each saved as a new AI-generated caption
    version after the existing ones (a human version is never changed); returns the versions
    and the answers (hook, and what was trimmed to fit the platform)."""
    if tone not in TONES:
        raise DomainError(
            f"“{tone}” is not a tone.", fields={"tone": [f"One of: {', '.join(TONES)}."]}
        )
    if not 1 <= variants <= MAX_VARIANTS:
        raise DomainError(
            f"Ask for 1 to {MAX_VARIANTS} variants.",
            fields={"variants": [f"Between 1 and {MAX_VARIANTS}."]},
        )
    _check_open(task, "caption version")  # before spending tokens on a caption never saved
    data = _task_caption_input(task, tone)
    answer = ai_feature_run(
        "caption",
        lambda config: caption_suggest(config, data, variants=variants),
        user=user,
        detail={"task": task.pk, "platform": task.platform, "variants": variants},
        field="tone",
    )
    return _ai_captions_save(task, user, answer.value)


def task_caption_repurpose(
    *, task: ContentTask, user, source_platform: str, tone: str = "professional"
) -> tuple[CaptionVersion, dict]:
    """The task's latest caption version, written for `source_platform`, rewritten for the
    task's platform and saved as a new AI-generated version after the existing ones (the
    human versions are never changed); returns the version and the answer."""
    if tone not in TONES:
        raise DomainError(
            f"“{tone}” is not a tone.", fields={"tone": [f"One of: {', '.join(TONES)}."]}
        )
    if source_platform == task.platform:
        raise DomainError(
            "Pick the other platform the latest caption was written for.",
            fields={"source_platform": ["Not the task's own platform."]},
        )
    source = platform_caption_limits(source_platform).label
    latest = CaptionVersion.objects.filter(task=task).order_by("-number").first()
    if latest is None:
        raise DomainError(
            "The task has no caption to repurpose yet.", fields={"caption": ["None."]}
        )
    _check_open(task, "caption version")  # before spending tokens on a caption never saved
    data = _task_caption_input(task, tone)
    answer = ai_feature_run(
        "caption",
        lambda config: caption_repurpose(
            config,
            caption=latest.text,
            hashtags=tuple(latest.hashtags or ()),
            source_platform=source,
            data=data,
        ),
        user=user,
        detail={
            "task": task.pk,
            "platform": task.platform,
            "variants": 1,
            "repurposed_from": source_platform,
            "caption": latest.number,
        },
        field="caption",
    )
    (saved,), (suggestion,) = _ai_captions_save(task, user, answer.value[:1])
    return saved, suggestion


def _task_caption_input(task: ContentTask, tone: str) -> CaptionInput:
    """What the model knows for a caption of `task`: its brief, its platform's limits, the
    tone and client's voice, and the latest draft's media facts."""
    latest = Asset.objects.filter(task=task).order_by("-version").values("version")[:1]
    media = [
        a.media for a in Asset.objects.filter(task=task, version__in=latest).select_related("media")
    ]
    return CaptionInput(
        brief=_task_brief(task),
        limits=platform_caption_limits(task.platform),
        tone=tone,
        **client_voice(_client(task)),
        media_facts=media_facts(media),
    )


def _ai_captions_save(task: ContentTask, user, captions) -> tuple[list[CaptionVersion], list[dict]]:
    """Each caption saved as a new AI-generated version after the existing ones."""
    with transaction.atomic():
        saved = [
            task_caption_add(
                task=task, text=c.caption, hashtags=c.hashtags, author=user, ai_generated=True
            )
            for c in captions
        ]
    return saved, [caption_as_dict(c) for c in captions]


def task_caption_check(*, task: ContentTask, user) -> CaptionCheck:
    """The quality check of the task's latest caption version, stored with its flags.
    Advisory: nothing else changes."""
    caption = CaptionVersion.objects.filter(task=task).order_by("-number").first()
    if caption is None:
        raise DomainError("The task has no caption to check yet.", fields={"caption": ["None."]})
    client = _client(task)
    voice = client_voice(client)
    data = QualityInput(
        caption=caption.text,
        hashtags=tuple(caption.hashtags or ()),
        limits=platform_caption_limits(task.platform),
        guidelines=voice.get("guidelines", ()),
        brand_terms=voice.get("brand_terms", ()),
    )
    answer = ai_feature_run(
        "quality_check",
        lambda config: caption_quality_check(config, data),
        user=user,
        detail={"task": task.pk, "caption": caption.number},
        field="caption",
    )
    return CaptionCheck.objects.create(
        caption=caption,
        flags=[asdict(flag) for flag in answer.value],
        model=answer.model,
        prompt_version=answer.prompt_version,
        checked_by=user if getattr(user, "pk", None) else None,
    )


def task_caption_check_latest(task: ContentTask) -> CaptionCheck | None:
    """The newest check of the task's latest caption version (None if it was never checked)."""
    caption = CaptionVersion.objects.filter(task=task).order_by("-number").values("pk")[:1]
    return (
        CaptionCheck.objects.filter(caption__in=caption)
        .select_related("caption")
        .order_by("-checked_at", "-id")
        .first()
    )


def task_thread_summary(*, task: ContentTask, user) -> dict[str, Any]:
    """The task's comments that `user` may see (internal ones for staff only), summarised into
    decisions and open requests citing comment ids; the ids are checked against those
    comments, so a summary never points at one the viewer may not see."""
    rows = list(
        comments_visible_to(user, Comment.objects.filter(task=task))
        .select_related("author")
        .order_by("created_at", "id")
    )
    if not rows:
        raise DomainError("There are no comments to summarise yet.")
    comments = [
        ThreadComment(
            id=c.pk,
            author=(c.author.get_full_name() or c.author.get_username())
            if c.author
            else c.author_name,
            body=c.body,
            created_at=c.created_at,
            internal=c.visibility == CommentVisibility.INTERNAL,
        )
        for c in rows
    ]
    answer = ai_feature_run(
        "thread_summary",
        lambda config: thread_summarize(config, title=task.title, comments=comments),
        user=user,
        detail={"task": task.pk, "comments": len(comments)},
    )
    summary = answer.value

    def lines(items) -> list[dict]:
        return [{"text": i.text, "comment_ids": list(i.comment_ids)} for i in items]

    return {
        "decisions": lines(summary.decisions),
        "open_requests": lines(summary.open_requests),
        "comments_used": summary.comments_used,
        "model": answer.model,
        "prompt_version": answer.prompt_version,
    }


def campaign_brief_creators(campaign: Campaign, user, creator_ids: Iterable[int] | None = None):
    """The creators a brief is planned for: those named (each visible to `user`), else the
    ones linked to the campaign or its client's accounts (at most MAX_PROPOSAL_CREATORS)."""
    qs = creators_visible_to(user, Creator.objects.all())
    if creator_ids:
        ids = list(dict.fromkeys(creator_ids))
        found = {c.pk: c for c in qs.filter(pk__in=ids)}
        missing = [i for i in ids if i not in found]
        if missing:
            raise DomainError(
                "Unknown creators.",
                fields={"creators": [f"Unknown: {', '.join(map(str, missing))}."]},
            )
        return list(found.values())
    related = Q(deliverables__campaign=campaign) | Q(tasks__campaign=campaign)
    related |= Q(accounts__client_id=campaign.client_id)
    ids = Creator.objects.filter(related).values("pk")
    creators = list(qs.filter(pk__in=ids).order_by("display_name", "id")[:MAX_PROPOSAL_CREATORS])
    if not creators:
        raise DomainError(
            "No creator is linked to this campaign or its client; name the creators.",
            fields={"creators": ["Required here."]},
        )
    return creators


def campaign_brief_proposal(
    *, campaign: Campaign, user, creator_ids: Iterable[int] | None = None
) -> dict[str, Any]:
    """Proposed deliverables and task titles from the campaign's brief and goals. Nothing is
    created: `campaign_brief_confirm` does, with what staff keep of it."""
    creators = campaign_brief_creators(campaign, user, creator_ids)
    data = BriefInput(
        campaign=campaign.name,
        brief=campaign.brief,
        goals=campaign.goals,
        creators={c.pk: c.display_name for c in creators},
        platforms=tuple(campaign.platforms or Platform.values),
        kinds=tuple(DeliverableKind.values),
    )
    answer = ai_feature_run(
        "brief_to_tasks",
        lambda config: brief_to_tasks(config, data),
        user=user,
        detail={"campaign": campaign.pk, "creators": len(creators)},
        field="brief",
    )
    names = data.creators
    return {
        "deliverables": [
            {
                "creator": d.creator_id,
                "creator_name": names[d.creator_id],
                "platform": d.platform,
                "kind": d.kind,
                "quantity": d.quantity,
                "task_titles": list(d.task_titles),
            }
            for d in answer.value
        ],
        "model": answer.model,
        "prompt_version": answer.prompt_version,
    }


@transaction.atomic
def campaign_brief_confirm(
    *, campaign: Campaign, user, deliverables: list[dict[str, Any]], due: datetime | None = None
) -> list[ContentTask]:
    """Create what staff confirmed of a proposal: per item a deliverable (creator, platform,
    kind, one unit per title) and one Backlog task per title, through the usual services."""
    if not deliverables:
        raise DomainError("Confirm at least one deliverable.", fields={"deliverables": ["Empty."]})
    visible = creators_visible_to(user, Creator.objects.all())
    ids = {item["creator"] for item in deliverables}
    creators = {c.pk: c for c in visible.filter(pk__in=ids)}
    created: list[ContentTask] = []
    for number, item in enumerate(deliverables, start=1):
        creator = creators.get(item["creator"])
        if creator is None:
            raise DomainError(
                f"Deliverable {number}: unknown creator.",
                fields={"deliverables": [f"{number}: creator {item['creator']} is unknown."]},
            )
        titles = [t.strip()[:200] for t in item["task_titles"] if t and t.strip()]
        if not 1 <= len(titles) <= MAX_QUANTITY:
            raise DomainError(
                f"Deliverable {number}: give 1 to {MAX_QUANTITY} task titles.",
                fields={"deliverables": [f"{number}: 1 to {MAX_QUANTITY} task titles."]},
            )
        deliverable = deliverable_create(
            campaign=campaign,
            creator=creator,
            platform=item["platform"],
            kind=item["kind"],
            quantity=len(titles),
            due=due,
            created_by=user,
            create_tasks=False,
        )
        accounts = list(creator.accounts.filter(platform=item["platform"]))
        for title in titles:
            created.append(
                task_create(
                    creator=creator,
                    title=title,
                    platform=item["platform"],
                    campaign=campaign,
                    deliverable=deliverable,
                    description=campaign.brief,
                    due_at=due,
                    target_accounts=accounts,
                    created_by=user,
                )
            )
    return created
