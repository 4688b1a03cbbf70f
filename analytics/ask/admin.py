"""The admin's "Ask the workspace" page (a form POST, no script) and the list of asked
questions."""

from django.contrib import admin
from django.http import HttpResponse

from ai.config import config_from_settings
from core.admin.pages import AdminPage, AdminPagesMixin
from core.errors import DomainError

from ..models import AskedQuestion
from .api import ASK_PERMISSIONS
from .services import FEATURE, workspace_ask
from .tools import TOOLS

EXAMPLES = (
    "Which TikTok accounts lost followers this month?",
    "What were our top 5 posts by views in the last 7 days?",
    "Which content tasks are overdue?",
    "How far along are the active campaigns?",
)


class AskPage(AdminPage):
    """`/admin/analytics/askedquestion/ask/`: a question box; the answer, the rows it cites
    as links, and the tools it used."""

    route = "ask/"
    url_name = "analytics_ask"
    title = "Ask the workspace"
    template = "admin/analytics/ask.html"
    permissions = ASK_PERMISSIONS

    def get_context(self, **kwargs) -> dict:
        return {
            "examples": EXAMPLES,
            "tools": TOOLS,
            "question": "",
            "ai_off": config_from_settings().assistance_off_reason,
        }

    def post(self, **kwargs) -> HttpResponse:
        question = self.request.POST.get("question", "")
        context = self.get_context()
        context["question"] = question
        try:
            outcome = workspace_ask(user=self.request.user, question=question)
        except DomainError as exc:  # an empty or too long question
            context["question_error"] = exc.message
        else:
            context["outcome"] = outcome
            context["calls"] = [
                {**call, "args_text": ", ".join(f"{k}={v}" for k, v in call["args"].items())}
                for call in outcome.tool_calls
            ]
        return self.render(context)


@admin.register(AskedQuestion)
class AskedQuestionAdmin(AdminPagesMixin, admin.ModelAdmin):
    pages = (AskPage,)
    list_display = (
        "at",
        "user",
        "question",
        "tool_calls",
        "ok",
        "prompt_tokens",
        "completion_tokens",
    )
    list_filter = ("ok",)
    list_select_related = ("user",)
    show_full_result_count = False
    ordering = ("-at",)
    readonly_fields = (
        "at",
        "user",
        "model",
        "prompt_version",
        "prompt_tokens",
        "completion_tokens",
        "calls",
        "ok",
        "error",
        "detail",
    )
    fields = readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).filter(feature=FEATURE)

    @admin.display(description="question")
    def question(self, obj) -> str:
        return (obj.detail or {}).get("question", "")

    @admin.display(description="tool calls (rows)")
    def tool_calls(self, obj) -> str:
        calls = (obj.detail or {}).get("tool_calls", [])
        return ", ".join(f"{c.get('name')} ({c.get('rows')})" for c in calls)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
