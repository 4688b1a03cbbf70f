"""A placeholder task admin so the board's pages have a home until workflow's own admin lands:
the lead keeps workflow's ContentTaskAdmin and gives it `AdminPagesMixin`, `pages =
BOARD_PAGES` and `filterset_class = ContentTaskFilterSet` (the board's "n more" links use the
FilterSet's parameters)."""

from django.contrib import admin

from core.admin.changelist import FilterSetAdminMixin
from core.admin.pages import AdminPagesMixin
from settings_app.access import tasks_visible_to

from .admin_board import BOARD_PAGES
from .filters import ContentTaskFilterSet
from .models import ContentTask


@admin.register(ContentTask)
class ContentTaskAdmin(AdminPagesMixin, FilterSetAdminMixin, admin.ModelAdmin):
    pages = BOARD_PAGES
    filterset_class = ContentTaskFilterSet
    list_display = ("title", "creator", "platform", "column", "position", "due_at")
    list_select_related = ("creator",)
    ordering = ("column", "position", "id")

    def get_queryset(self, request):
        return tasks_visible_to(request.user, super().get_queryset(request))
