"""What posts sends to the AI library and how: the taxonomy and a post as the library takes
them (ai.Taxonomy, ai.PostInput), and the concurrent calls of a batch. No database writes here."""

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings

from ai.classify import classify
from ai.client import build_client
from ai.config import AIConfig
from ai.errors import AIError, AINotConfigured, AITransientError
from ai.types import PostInput, Taxonomy
from core.jobs import job_backoff
from settings_app.models import Subcategory

from ..choices import BaseFormat, Platform, ReelStyle
from ..models import Post

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AITaxonomy:
    """The taxonomy as the AI library takes it, and the ids of its names."""

    taxonomy: Taxonomy
    category_ids: dict[str, int]
    subcategory_ids: dict[tuple[str, str], int]


@dataclass(frozen=True)
class Released:
    """A post not sent (the pass stopped): back to pending, the attempt not counted."""

    until: datetime | None = None


def ai_taxonomy() -> AITaxonomy:
    """The current taxonomy (categories with at least one sub-category), in one query."""
    categories: dict[str, list[str]] = {}
    descriptions, category_ids, subcategory_ids = {}, {}, {}
    rows = Subcategory.objects.order_by("category__name", "name").values_list(
        "category_id", "category__name", "category__description", "pk", "name"
    )
    for category_id, category, description, pk, name in rows:
        categories.setdefault(category, []).append(name)
        category_ids[category] = category_id
        subcategory_ids[(category, name)] = pk
        if description:
            descriptions[category] = description
    taxonomy = Taxonomy(
        categories={name: tuple(subs) for name, subs in categories.items()},
        reel_styles=tuple(ReelStyle.labels),
        descriptions=descriptions,
    )
    return AITaxonomy(taxonomy, category_ids, subcategory_ids)


def post_ai_input(post: Post) -> PostInput:
    """What the model is told about `post` (load it with its account)."""
    account = post.account if post.account_id else None
    return PostInput(
        platform=Platform(post.platform).label if post.platform in Platform.values else "",
        is_video=post.base_format == BaseFormat.VIDEO,
        base_format=post.get_base_format_display() if post.base_format else "",
        content_type=post.get_content_type_display() if post.content_type else "",
        caption=post.caption,
        duration_s=post.duration_s,
        username=post.username,
        account_bio=getattr(account, "biography", "") or "",
        thumbnail_url=post.thumbnail_url,
    )


def classify_all(
    inputs: list[PostInput],
    taxonomy: Taxonomy,
    config: AIConfig,
    *,
    now: datetime,
    deadline: float | None,
) -> tuple[list[Any], bool]:
    """Classify `inputs` with AI_CONCURRENCY requests in flight at most; one outcome per input
    (a Classification, an AI error, or Released). No database work here: threads only wait
    on the network. A rate limit, a refused key or the deadline stops sending: the posts not
    sent yet are released. Returns (outcomes, stopped)."""
    client = build_client(config)
    stop = threading.Event()
    pause: list[datetime | None] = [None]

    def work(post_input: PostInput) -> Any:
        if stop.is_set() or (deadline is not None and time.monotonic() > deadline):
            return Released(until=pause[0])
        try:
            return classify(post_input, taxonomy, config, client=client)
        except AINotConfigured as exc:
            stop.set()
            return exc
        except AITransientError as exc:
            if exc.rate_limited:
                pause[0] = now + job_backoff(failures=1, error=exc)
                stop.set()
            return exc
        except AIError as exc:
            return exc
        except Exception as exc:  # a bug must not leave the post in processing
            logger.exception("Classifying a post crashed")
            return exc

    workers = max(1, min(settings.AI_CONCURRENCY, len(inputs)))
    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ai") as pool:
            outcomes = list(pool.map(work, inputs))
    finally:
        client.close()
    return outcomes, stop.is_set()
