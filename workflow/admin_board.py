"""The content board: the Kanban of content tasks in the admin (specs/workflow.md "Board and
pages"), `/admin/workflow/contenttask/board/`.

Columns with counts and their first cards (workflow.board, a fixed number of queries), the
workflow FilterSet as a filter bar, and moves by drag-and-drop (workflow/static/workflow/
board.js, SortableJS) or by the cards' buttons, both POSTing to `ContentBoardMove`, which calls
`task_move` (the moves table decides; a refusal answers the rule's message). Registered by the
task ModelAdmin's `pages` (BOARD_PAGES).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from core.admin.pages import AdminPage, posted_ids
from core.errors import ConflictError, DomainError, NotFoundError
from creators.models import Creator
from posts.choices import Platform
from settings_app.access import campaigns_visible_to, creators_visible_to, tasks_visible_to
from settings_app.models import Client

from .board import CARDS_PER_COLUMN, board_card_get, board_columns, board_drop_position
from .choices import Column
from .filters import ContentTaskFilterSet
from .models import Campaign, ContentTask
from .services.tasks import task_move

# The FilterSet's filters the bar offers, in its order.
BOARD_FILTERS = ("campaign", "client", "creator", "assignee", "platform", "overdue")
MAX_NOTE = 2000


def _user_label(user) -> str:
    return user.get_full_name() or user.get_username()


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
            "move_url": reverse("admin:workflow_contenttask_board_move"),
            "next_query": self.request.GET.urlencode(),
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
            {
                "name": name,
                "label": label,
                "selected": data.get(name, ""),
                "options": [(str(value), text) for value, text in options],
            }
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
            html = render_to_string(
                "admin/workflow/board_card.html",
                {"card": card, "move_url": self.url()},
                request=self.request,
            )
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
