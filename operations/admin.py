"""Operations in the admin: job runs and dead letters, read-only (the jobs write them)."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from core.admin.changelist import EstimatedCountPaginator, ReadOnlyAdminMixin
from core.admin.display import EMPTY
from core.admin.pages import AdminPagesMixin

from .admin_dashboard import OperationsDashboard
from .models import FailedItem, JobRun
from .services import failed_items_close, failed_items_retry


class _ReadOnlyBigList(ReadOnlyAdminMixin, admin.ModelAdmin):
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


@admin.register(JobRun)
class JobRunAdmin(AdminPagesMixin, _ReadOnlyBigList):
    list_display = (
        "job",
        "status",
        "started_at",
        "finished_at",
        "duration",
        "items_ok",
        "items_failed",
        "short_error",
    )
    list_filter = ("status", "job")
    ordering = ("-started_at", "-id")
    sortable_by = ()
    search_fields = ("=job",)
    pages = (OperationsDashboard,)

    @admin.display(description="Duration")
    def duration(self, obj: JobRun) -> str:
        if obj.finished_at is None:
            return EMPTY
        seconds = int((obj.finished_at - obj.started_at).total_seconds())
        return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"

    @admin.display(description="Error")
    def short_error(self, obj: JobRun) -> str:
        return (obj.error[:120] + "…") if len(obj.error) > 120 else (obj.error or EMPTY)


class OpenFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return (("open", "Open"), ("resolved", "Resolved"))

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(FailedItem)
class FailedItemAdmin(_ReadOnlyBigList):
    list_display = (
        "kind",
        "object_link",
        "short_error",
        "attempts",
        "first_failed_at",
        "last_failed_at",
        "resolved_at",
    )
    list_filter = (OpenFilter, "kind", "object_type")
    ordering = ("-last_failed_at", "-id")
    sortable_by = ()
    search_fields = ("=object_id", "^object_label")
    actions = ("retry_now", "resolve")

    @admin.display(description="Object")
    def object_link(self, obj: FailedItem) -> str:
        label = obj.object_label or f"{obj.object_type} #{obj.object_id}"
        app_label, _, model = obj.object_type.partition(".")
        try:
            url = reverse(f"admin:{app_label}_{model.lower()}_change", args=[obj.object_id])
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description="Error")
    def short_error(self, obj: FailedItem) -> str:
        return (obj.error[:120] + "…") if len(obj.error) > 120 else obj.error

    @admin.action(description="Retry now (on the next run of the job)", permissions=["view"])
    def retry_now(self, request, queryset):
        count = failed_items_retry(items=queryset.filter(resolved_at__isnull=True))
        self.message_user(
            request, f"{count:,} item(s) will be retried on the next run.", messages.SUCCESS
        )

    @admin.action(description="Resolve (settled by hand)", permissions=["view"])
    def resolve(self, request, queryset):
        count = failed_items_close(items=queryset)
        self.message_user(request, f"{count:,} dead letter(s) resolved.", messages.SUCCESS)
