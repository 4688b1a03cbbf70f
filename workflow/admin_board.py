"""The content board: the Kanban of content tasks in the admin (specs/workflow.md "Board and
pages"), `/admin/workflow/contenttask/board/`.

Columns with counts and their first cards (workflow.board, a fixed number of queries), the
workflow FilterSet as a filter bar, and moves by drag-and-drop (workflow/static/workflow/
board.js, SortableJS) or by the cards' buttons, both POSTing to `ContentBoardMove`, which calls
`task_move` (the moves table decides; a refusal answers the rule's message). Registered by the
task ModelAdmin's `pages` (BOARD_PAGES).
"""

from __future__ import annotations

from html import escape as e

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe

from core.admin.pages import AdminPage, posted_ids
from core.errors import ConflictError, DomainError, NotFoundError
from creators.models import Creator
from posts.choices import Platform
from settings_app.access import campaigns_visible_to, creators_visible_to, tasks_visible_to
from settings_app.models import Client

from .board import CARDS_PER_COLUMN, Card, board_card_get, board_columns, board_drop_position
from .choices import Column
from .filters import ContentTaskFilterSet
from .models import Campaign, ContentTask
from .services.tasks import task_move

# The cards' comment count icon (drawn, not an emoji: a font may lack it).
COMMENT_ICON = mark_safe(
    '<svg class="kb-icon" viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">'
    '<path d="M2 2h12v9H6l-3 3v-3H2z" fill="none" stroke="currentColor" stroke-width="1.5" '
    'stroke-linejoin="round"/></svg>'
)
# The FilterSet's filters the bar offers, in its order.
BOARD_FILTERS = ("campaign", "client", "creator", "assignee", "platform", "overdue")
MAX_NOTE = 2000


def _user_label(user) -> str:
    return user.get_full_name() or user.get_username()


def card_html(card: Card, *, move_url: str, csrf_token: str, next_query: str = "") -> SafeString:
    """One card's HTML. Written here rather than in a template: a board draws hundreds of
    cards, and the template engine costs about a millisecond each where this costs a few
    dozen microseconds (bench/kanban.py)."""
    task = card.task
    parts = [
        f'<li class="kb-card" data-task="{task.pk}" data-column="{e(task.column)}">',
        '<div class="kb-head">',
    ]
    if card.thumbnail:
        parts.append(
            f'<img class="kb-thumb" src="{e(card.thumbnail)}" alt="" loading="lazy" '
            'referrerpolicy="no-referrer">'
        )
    parts.append(
        f'<div><a class="kb-title" href="{e(card.url)}">{e(card.title)}</a>'
        f'<span class="kb-creator">{e(task.creator.display_name)}</span></div></div>'
        f'<div class="kb-meta"><span class="kb-platform kb-platform-{e(task.platform)}" '
        f'title="{e(card.platform_label)}">{e(card.platform_abbr)}</span>'
    )
    if card.due_label:
        late = " kb-overdue" if card.overdue else ""
        parts.append(
            f'<span class="kb-due{late}" title="{e(card.due_title)}">{e(card.due_label)}</span>'
        )
    count = card.comment_count
    parts.append(
        f'<span class="kb-comments" title="{count} comment{"" if count == 1 else "s"}">'
        f"{COMMENT_ICON} {count}</span></div>"
    )
    if card.caption:
        parts.append(f'<p class="kb-caption">“{e(card.caption)}”</p>')
    if card.moves:
        parts.append(
            f'<form method="post" action="{e(move_url)}" class="kb-moves">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{e(csrf_token)}">'
            f'<input type="hidden" name="task" value="{task.pk}">'
        )
        if next_query:
            parts.append(f'<input type="hidden" name="next" value="{e(next_query)}">')
        if card.asks_for_a_note:
            parts.append(
                '<input type="text" name="note" maxlength="2000" placeholder="What to change" '
                'aria-label="What to change">'
            )
        parts.extend(
            f'<button type="submit" name="to" value="{e(value)}" title="Move to {e(label)}">'
            f"→ {e(label)}</button>"
            for value, label in card.buttons
        )
        parts.append("</form>")
    parts.append("</li>")
    return mark_safe("".join(parts))  # every value above is escaped


def options_html(options, selected: str | None) -> SafeString:
    """A filter's <option>s, "All" first (hundreds of creators: drawn here, not looped over by
    the template engine)."""
    parts = ['<option value="">All</option>']
    for value, text in options:
        value = str(value)
        chosen = " selected" if value == selected else ""
        parts.append(f'<option value="{e(value)}"{chosen}>{e(str(text))}</option>')
    return mark_safe("".join(parts))  # every value above is escaped


class ContentBoard(AdminPage):
    """The board: columns Backlog → Published (Cancelled hidden) of the tasks the user sees,
    filtered by the bar."""

    route = "board/"
    url_name = "workflow_contenttask_board"
    title = "Content board"
    template = "admin/workflow/board.html"
    permissions = ("workflow.view_contenttask",)

    def visible_tasks(self):
        return tasks_visible_to(self.request.user, ContentTask.objects.all())

    def filter_data(self) -> QueryDict:
        data = QueryDict(mutable=True)
        for name in BOARD_FILTERS:
            values = [value for value in self.request.GET.getlist(name) if value]
            if values:
                data.setlist(name, values[:1])
        return data

    def get_context(self) -> dict:
        user, now = self.request.user, timezone.now()
        data = self.filter_data()
        filterset = ContentTaskFilterSet(data, queryset=self.visible_tasks(), request=self.request)
        errors = []
        if filterset.is_valid():
            tasks = filterset.qs
        else:
            errors = [
                f"{name}: {' '.join(messages_)}" for name, messages_ in filterset.errors.items()
            ]
            tasks = self.visible_tasks()
        columns = board_columns(tasks, user=user, now=now, limit=CARDS_PER_COLUMN)
        move_url = reverse("admin:workflow_contenttask_board_move")
        token, next_query = get_token(self.request), self.request.GET.urlencode()
        for column in columns:
            # Joined here: the template engine's loop would cost more than the cards.
            column.cards_html = mark_safe(
                "".join(
                    card_html(card, move_url=move_url, csrf_token=token, next_query=next_query)
                    for card in column.cards
                )
            )
        changelist = reverse("admin:workflow_contenttask_changelist")
        query = data.urlencode() if not errors else ""
        for column in columns:
            params = f"{query}&" if query else ""
            column.more_url = f"{changelist}?{params}column={column.value}"
        return {
            # The board needs the page's width: the menu stays one click away ("Home").
            "is_nav_sidebar_enabled": False,
            "columns": columns,
            "total": sum(column.count for column in columns),
            "filter_fields": self.filter_fields(data),
            "filter_errors": errors,
            "filtered": bool(data),
            "board_url": self.url(),
            "move_url": move_url,
            "changelist_url": changelist,
            "can_add": user.has_perm("workflow.add_contenttask"),
            "add_url": reverse("admin:workflow_contenttask_add"),
        }

    def filter_fields(self, data: QueryDict) -> list[dict]:
        """The bar's selects: the campaigns, clients, creators and assignees this user may see
        (one query each), platforms and overdue."""
        user = self.request.user
        fields = [
            (
                "campaign",
                "Campaign",
                campaigns_visible_to(user, Campaign.objects.all())
                .order_by("name", "pk")
                .values_list("pk", "name"),
            ),
        ]
        if user.has_perm("settings_app.view_client"):
            clients = Client.objects.order_by("name", "pk").values_list("pk", "name")
            fields.append(("client", "Client", clients))
        creators = creators_visible_to(user, Creator.objects.all()).order_by("display_name", "pk")
        fields.append(("creator", "Creator", creators.values_list("pk", "display_name")))
        assignees = get_user_model().objects.filter(
            pk__in=self.visible_tasks().filter(assignee__isnull=False).values("assignee_id")
        )
        fields.append(
            (
                "assignee",
                "Assignee",
                [(u.pk, _user_label(u)) for u in assignees.order_by("username")],
            )
        )
        fields.append(("platform", "Platform", Platform.choices))
        fields.append(("overdue", "Overdue", [("true", "Overdue"), ("false", "Not overdue")]))
        return [
            {"name": name, "label": label, "options_html": options_html(options, data.get(name))}
            for name, label, options in fields
        ]


class ContentBoardMove(AdminPage):
    """POST {task, to, position | after/before, note}: one move through `task_move`. Answers
    JSON to the board's script (the moved card's HTML, or the error whose message is the rule
    that refused the move) and a redirect with a message to the cards' buttons."""

    route = "board/move/"
    url_name = "workflow_contenttask_board_move"
    title = "Move a task"
    permissions = ("workflow.view_contenttask",)

    def get(self) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:workflow_contenttask_board"))

    def wants_json(self) -> bool:
        return "application/json" in self.request.headers.get("Accept", "")

    def post(self) -> HttpResponse:
        try:
            task = self.move()
        except DomainError as error:
            return self.refused(error)
        if self.wants_json():
            card = board_card_get(task.pk, user=self.request.user, now=timezone.now())
            html = card_html(card, move_url=self.url(), csrf_token=get_token(self.request))
            return JsonResponse(
                {"task": task.pk, "column": task.column, "position": task.position, "card": html}
            )
        messages.success(self.request, f"“{task.title}” moved to {task.get_column_display()}.")
        return HttpResponseRedirect(self.back_url())

    def move(self) -> ContentTask:
        """Read the posted move and make it (DomainError when it cannot be)."""
        post, user = self.request.POST, self.request.user
        ids = posted_ids([post.get("task", "")])
        if not ids:
            raise DomainError("Which task? “task” is a task id.", fields={"task": ["An id."]})
        visible = tasks_visible_to(user, ContentTask.objects.all())
        task = visible.filter(pk=ids[0]).first()
        if task is None:
            raise NotFoundError("No such task, or you may not see it.")
        to = post.get("to", "")
        if to not in Column.values:
            raise DomainError(
                f"“{to}” is not a column.", fields={"to": [f"One of: {', '.join(Column.values)}."]}
            )
        neighbours = {
            name: visible.filter(pk=pks[0]).first()
            for name in ("after", "before")
            if (pks := posted_ids([post.get(name, "")]))
        }
        if neighbours:
            position = board_drop_position(
                task, to=to, after=neighbours.get("after"), before=neighbours.get("before")
            )
        else:
            position = self.posted_position()
        return task_move(
            task=task,
            to=to,
            actor=user,
            note=post.get("note", "").strip()[:MAX_NOTE],
            position=position,
        )

    def posted_position(self) -> int | None:
        value = self.request.POST.get("position", "")
        if value == "":
            return None
        if not (value.isascii() and value.isdigit()):
            raise DomainError("A position is 0 or more.", fields={"position": ["0 or more."]})
        return int(value)

    def refused(self, error: DomainError) -> HttpResponse:
        if self.wants_json():
            status = 400
            if isinstance(error, NotFoundError):
                status = 404
            elif isinstance(error, ConflictError) or error.code == "move_refused":
                status = 409
            body = {"error": {"code": error.code, "message": error.message, "fields": error.fields}}
            return JsonResponse(body, status=status)
        messages.error(self.request, error.message)
        return HttpResponseRedirect(self.back_url())

    def back_url(self) -> str:
        board = reverse("admin:workflow_contenttask_board")
        query = self.request.POST.get("next", "")
        url = f"{board}?{query}" if query else board
        if not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
            return board
        return url


BOARD_PAGES = (ContentBoard, ContentBoardMove)
