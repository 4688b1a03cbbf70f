"""Reports in the admin: the list (status, size, download link, error), a "generate report"
page, the download, deleting (the file goes with the row), and the clients' schedules.
Everything goes through analytics.reports.services, like the API."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from core.admin.changelist import EstimatedCountPaginator
from core.admin.display import EMPTY
from core.admin.pages import AdminPage, AdminPagesMixin
from core.windows import last_calendar_month, local_date

from .choices import ReportKind, ReportStatus, ScopeKind
from .models import Report, ReportSchedule
from .reports.download import report_download_response
from .reports.queries import report_scope_allowed, reports_visible_to, scope_choices
from .reports.services import report_create, report_delete, report_retry


class GenerateForm(forms.Form):
    kind = forms.ChoiceField(choices=ReportKind.choices, initial=ReportKind.MONTHLY)
    scope = forms.ChoiceField(label="About", help_text="A client, a creator or a campaign.")
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), help_text="Inclusive.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(ScopeKind.choices)
        self.fields["scope"].choices = [
            (labels[kind], [(f"{kind}:{pk}", name) for pk, name in rows])
            for kind, rows in scope_choices(user).items()
            if rows
        ]
        start, end = last_calendar_month(timezone.now())
        self.fields["start"].initial = local_date(start)
        self.fields["end"].initial = local_date(end) - timedelta(days=1)

    def scope_parts(self) -> tuple[str, int]:
        kind, _, pk = self.cleaned_data["scope"].partition(":")
        return kind, int(pk)


class GenerateReportPage(AdminPage):
    route = "generate/"
    url_name = "analytics_report_generate"
    title = "Generate a report"
    template = "admin/analytics/report_generate.html"
    permissions = ("analytics.add_report",)

    def get_context(self, form: GenerateForm | None = None, **kwargs) -> dict:
        return {"form": form or GenerateForm(user=self.request.user)}

    def post(self, **kwargs) -> HttpResponse:
        form = GenerateForm(self.request.POST, user=self.request.user)
        if not form.is_valid():
            return self.render(self.get_context(form=form))
        kind, scope_id = form.scope_parts()
        if not report_scope_allowed(self.request.user, kind, scope_id):
            form.add_error("scope", "You may not report on this.")
            return self.render(self.get_context(form=form))
        try:
            report = report_create(
                kind=form.cleaned_data["kind"],
                scope_kind=kind,
                scope_id=scope_id,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                created_by=self.request.user,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                target = field if field in form.fields else ("scope" if "scope" in field else None)
                for problem in problems:
                    form.add_error(target, problem)
            return self.render(self.get_context(form=form))
        messages.success(self.request, f"{report} is being generated.")
        return redirect(reverse("admin:analytics_report_changelist"))


class ReportDownloadPage(AdminPage):
    route = "<int:pk>/download/"
    url_name = "analytics_report_download"
    permissions = ("analytics.view_report",)

    def get(self, pk: int) -> HttpResponse:
        report = reports_visible_to(self.request.user, Report.objects.all()).filter(pk=pk).first()
        if report is None:
            raise Http404
        return report_download_response(report)


@admin.register(Report)
class ReportAdmin(AdminPagesMixin, admin.ModelAdmin):
    pages = (GenerateReportPage, ReportDownloadPage)
    list_display = (
        "__str__",
        "status_display",
        "size_display",
        "download",
        "created_by",
        "created_at",
        "error_display",
    )
    list_display_links = ("__str__",)
    list_filter = ("status", "kind", "scope_kind")
    list_select_related = ("created_by",)
    search_fields = ("scope_name",)
    ordering = ("-created_at", "-id")
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    actions = ("delete_reports", "retry_reports")
    readonly_fields = (
        "kind",
        "scope_kind",
        "scope_id",
        "scope_name",
        "start",
        "end",
        "status",
        "size",
        "download",
        "created_by",
        "created_at",
        "completed_at",
        "emailed_at",
        "attempts",
        "error",
    )
    fields = readonly_fields
    change_list_template = "admin/analytics/report/change_list.html"

    def get_queryset(self, request):
        return reports_visible_to(request.user, super().get_queryset(request))

    def has_add_permission(self, request) -> bool:
        return False  # the "generate report" page creates reports

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        if not request.user.has_perm("analytics.delete_report"):
            actions.pop("delete_reports", None)
        if not request.user.has_perm("analytics.add_report"):
            actions.pop("retry_reports", None)
        return actions

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_generate": request.user.has_perm("analytics.add_report"),
        }
        return super().changelist_view(request, extra_context)

    @admin.display(description="Status", ordering="status")
    def status_display(self, obj: Report) -> str:
        return format_html(
            '<span class="report-status-{}">{}</span>', obj.status, obj.get_status_display()
        )

    @admin.display(description="Size", ordering="size")
    def size_display(self, obj: Report) -> str:
        return filesizeformat(obj.size) if obj.size else EMPTY

    @admin.display(description="PDF")
    def download(self, obj: Report) -> str:
        if obj.status != ReportStatus.COMPLETED or not obj.file:
            return EMPTY
        url = reverse("admin:analytics_report_download", args=[obj.pk])
        return format_html('<a href="{}" class="report-download">Download</a>', url)

    @admin.display(description="Error")
    def error_display(self, obj: Report) -> str:
        if not obj.error:
            return ""
        return format_html(
            '<span class="errornote-inline" title="{}">{}</span>', obj.error, obj.error[:120]
        )

    def delete_model(self, request, obj: Report) -> None:
        report_delete(obj)

    def delete_queryset(self, request, queryset) -> None:
        for report in queryset:
            report_delete(report)

    @admin.action(description="Delete the selected reports and their files")
    def delete_reports(self, request, queryset) -> None:
        count = 0
        for report in queryset[:500]:
            report_delete(report)
            count += 1
        self.message_user(request, f"{count} report{'s' if count != 1 else ''} deleted.")

    @admin.action(description="Generate the selected failed reports again")
    def retry_reports(self, request, queryset) -> None:
        count = 0
        for report in queryset.filter(status=ReportStatus.FAILED)[:500]:
            report_retry(report)
            count += 1
        self.message_user(
            request, f"{count} failed report{'s' if count != 1 else ''} queued again."
        )


@admin.register(ReportSchedule)
class ReportScheduleAdmin(admin.ModelAdmin):
    list_display = ("client", "frequency", "enabled", "recipients", "created_at")
    list_editable = ("enabled",)
    list_filter = ("frequency", "enabled")
    list_select_related = ("client",)
    autocomplete_fields = ()
    ordering = ("client__name", "frequency")

    @admin.display(description="E-mailed to")
    def recipients(self, obj: ReportSchedule) -> str:
        return ", ".join(obj.client.report_email_list) or "— (no report addresses on the client)"
