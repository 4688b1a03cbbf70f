"""The Kanban board's reads (specs/workflow.md "Board and pages"): the columns with their
counts and their first cards, in a fixed number of queries whatever the number of tasks.

The board shows at most `CARDS_PER_COLUMN` cards per column (the rest are a link to the
filtered task list): with 5 000 open tasks it still renders a few hundred cards. The tasks come
already filtered (the workflow FilterSet) and scoped to the user (settings_app.access).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils import timezone

from posts.choices import Platform
from posts.models import Post
from publishing.models import MediaAsset
from settings_app.access import comments_visible_to

from .choices import BOARD_COLUMNS, OPEN_COLUMNS, AssetKind, Column
from .models import Asset, CaptionVersion, Comment, ContentTask
from .moves import next_columns

# A column shows about five cards at 1440 x 900: fifty is plenty to scroll through, and the
# rest are a link to the filtered task list.
CARDS_PER_COLUMN = 50
CAPTION_EXCERPT = 140
PLATFORM_ABBREVIATIONS = {"instagram": "IG", "tiktok": "TT", "youtube": "YT"}
PLATFORM_LABELS = {value: str(label) for value, label in Platform.choices}
COLUMN_LABELS = {column: str(column.label) for column in Column}
TITLE_EXCERPT = 80
# What a card reads of a task and its creator.
CARD_FIELDS = (
    "id",
    "title",
    "platform",
    "column",
    "position",
    "due_at",
    "creator__id",
    "creator__display_name",
    "creator__user_id",
)


@dataclass
class Card:
    """One card: the task (with its creator), and what the card shows about it."""

    task: ContentTask
    thumbnail: str
    caption: str
    comment_count: int
    overdue: bool
    moves: list[Column] = field(default_factory=list)
    url: str = ""

    title: str = ""
    due_label: str = ""
    due_title: str = ""

    @property
    def platform_abbr(self) -> str:
        return PLATFORM_ABBREVIATIONS.get(self.task.platform, self.task.platform[:2].upper())

    @property
    def platform_label(self) -> str:
        return PLATFORM_LABELS.get(self.task.platform, self.task.platform)

    @property
    def asks_for_a_note(self) -> bool:
        return Column.NEEDS_CHANGES in self.moves

    @property
    def buttons(self) -> list[tuple[str, str]]:
        return [(column.value, COLUMN_LABELS[column]) for column in self.moves]


@dataclass
class BoardColumn:
    column: Column
    count: int
    cards: list[Card]
    cards_html: str = ""  # drawn by the admin page
    more_url: str = ""

    @property
    def value(self) -> str:
        return self.column.value

    @property
    def label(self) -> str:
        return str(self.column.label)

    @property
    def more(self) -> int:
        """How many of the column's tasks the board does not show."""
        return max(0, self.count - len(self.cards))


def board_column_counts(tasks: QuerySet) -> dict[str, int]:
    """How many of `tasks` each board column holds (one query)."""
    rows = (
        tasks.filter(column__in=BOARD_COLUMNS)
        .order_by()
        .values_list("column")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


def with_card_fields(tasks: QuerySet, *, user) -> QuerySet:
    """`tasks` with what a card shows, each a correlated subquery (no row multiplication):
    `card_comments` (the comments `user` may read), `card_caption` (the latest caption
    version), `card_media` (the file of the latest submitted image or thumbnail) and
    `card_post_thumbnail` (a published post's thumbnail)."""
    comments = (
        comments_visible_to(user, Comment.objects.filter(task=OuterRef("pk")))
        .order_by()
        .values("task")
        .annotate(n=Count("pk"))
        .values("n")
    )
    caption = (
        CaptionVersion.objects.filter(task=OuterRef("pk")).order_by("-number").values("text")[:1]
    )
    media = (
        Asset.objects.filter(task=OuterRef("pk"), kind__in=[AssetKind.THUMBNAIL, AssetKind.IMAGE])
        .annotate(
            thumbnail_first=Case(
                When(kind=AssetKind.THUMBNAIL, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("-version", "thumbnail_first", "-id")
        .values("media__file")[:1]
    )
    post_thumbnail = (
        Post.objects.filter(content_tasks=OuterRef("pk"))
        .exclude(thumbnail_url="")
        .order_by("-post_date", "-id")
        .values("thumbnail_url")[:1]
    )
    return tasks.annotate(
        card_comments=Coalesce(Subquery(comments, output_field=IntegerField()), Value(0)),
        card_caption=Subquery(caption),
        card_media=Subquery(media),
        card_post_thumbnail=Subquery(post_thumbnail),
    )


def board_first_task_ids(tasks: QuerySet, *, limit: int) -> list[int]:
    """The ids of the first `limit` tasks of each board column (one query). Read apart from
    the cards' fields: a list of ids tells the planner how few rows the card query has (on
    PostgreSQL a window-limited subquery is estimated at every task, and the correlated
    subqueries' cost then switches JIT compilation on, ten times the query's own time)."""
    ranked = (
        tasks.filter(column__in=BOARD_COLUMNS)
        .order_by()
        .annotate(
            board_rank=Window(
                RowNumber(), partition_by=F("column"), order_by=[F("position"), F("id")]
            )
        )
        .filter(board_rank__lte=limit)
        .values_list("pk", flat=True)
    )
    return list(ranked)


def _media_url(name: str | None) -> str:
    if not name:
        return ""
    return MediaAsset._meta.get_field("file").storage.url(name)


def task_page_url(pk: int) -> str:
    return reverse("admin:workflow_contenttask_change", args=[pk])


class MovesCache:
    """The columns `user` may move a task to depend on its column and on whether it is the
    user's own (the moves table): worked out once per pair, not once per card."""

    def __init__(self, user) -> None:
        self.user = user
        self.known: dict[tuple[str, bool], list[Column]] = {}

    def __call__(self, task: ContentTask) -> list[Column]:
        key = (task.column, task.creator.user_id == self.user.pk)
        if key not in self.known:
            self.known[key] = [c for c in next_columns(self.user, task) if c in BOARD_COLUMNS]
        return self.known[key]


def board_card(
    task: ContentTask, *, user, now: datetime, url: str = "", moves: MovesCache | None = None
) -> Card:
    """The card of a task read through `with_card_fields` (`url`: its page)."""
    overdue = task_is_overdue(task, now=now)
    due_label = due_title = ""
    if task.due_at:
        local = timezone.localtime(task.due_at)
        due_label = ("Overdue · " if overdue else "") + f"{local:%b} {local.day}"
        due_title = ("Overdue: due " if overdue else "Due ") + f"{local:%Y-%m-%d %H:%M}"
    return Card(
        task=task,
        thumbnail=_media_url(task.card_media) or task.card_post_thumbnail or "",
        caption=_excerpt(task.card_caption or "", CAPTION_EXCERPT),
        comment_count=task.card_comments,
        overdue=overdue,
        moves=(moves or MovesCache(user))(task),
        url=url or task_page_url(task.pk),
        title=_excerpt(task.title, TITLE_EXCERPT),
        due_label=due_label,
        due_title=due_title,
    )


def _excerpt(text: str, size: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def task_is_overdue(task: ContentTask, *, now: datetime) -> bool:
    """Still open past its due time (the FilterSet's `overdue`, for one task)."""
    return bool(task.due_at and task.due_at < now and task.column in OPEN_COLUMNS)


def board_columns(
    tasks: QuerySet, *, user, now: datetime, limit: int = CARDS_PER_COLUMN
) -> list[BoardColumn]:
    """The board: each column of `tasks` (filtered and scoped already) in board order, with its
    count and its first `limit` cards. Two queries, whatever the number of tasks."""
    counts = board_column_counts(tasks)
    cards: dict[str, list[Card]] = {column: [] for column in BOARD_COLUMNS}
    # Reversed once: hundreds of cards share the pattern.
    url = task_page_url(0).replace("/0/", "/{}/")
    ids = board_first_task_ids(tasks, limit=limit)
    shown = (
        ContentTask.objects.filter(pk__in=ids)
        .select_related("creator")
        .only(*CARD_FIELDS)
        .order_by("column", "position", "id")
    )
    moves = MovesCache(user)
    for task in with_card_fields(shown, user=user) if ids else ():
        card = board_card(task, user=user, now=now, url=url.format(task.pk), moves=moves)
        cards[task.column].append(card)
    return [
        BoardColumn(column=column, count=counts.get(column, 0), cards=cards[column])
        for column in BOARD_COLUMNS
    ]


def board_card_get(pk: int, *, user, now: datetime) -> Card | None:
    """One task's card (after a move), or None."""
    task = with_card_fields(
        ContentTask.objects.filter(pk=pk).select_related("creator").only(*CARD_FIELDS), user=user
    ).first()
    return board_card(task, user=user, now=now) if task else None


def board_drop_position(
    task: ContentTask, *, to: str, after: ContentTask | None, before: ContentTask | None
) -> int | None:
    """The position (task_move's, dense per column) of a card dropped on the board between
    `after` (the card shown above it) and `before` (the card shown below it); the board may
    be filtered, so the neighbours say where, not the index among the shown cards. None (the
    end of the column) when it has no neighbour there."""
    same = task.column == to
    if before is not None and before.column == to and before.pk != task.pk:
        if same and task.position < before.position:
            return before.position - 1
        return before.position
    if after is not None and after.column == to and after.pk != task.pk:
        if same and task.position < after.position:
            return after.position
        return after.position + 1
    return None
