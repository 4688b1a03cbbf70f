"""Admin of finance: finance items (the finance table), statements with their history, and the
payments board (a custom view: reads through finance.queries, writes through finance.services)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html

from core.admin import (
    EMPTY,
    AuditTrailAdminMixin,
    FilterSetAdminMixin,
    add_domain_error,
    format_count,
)
from core.csv_export import csv_response
from core.errors import DomainError
from core.inputs import ASCII_FORMFIELD_OVERRIDES, AsciiDecimalField
from settings_app.access import personal_fields_hidden_from

from .choices import StatementStatus
from .filters import FinanceItemFilterSet, MonthField, PayoutStatementFilterSet
from .models import FinanceItem, PayoutStatement, StatementEvent
from .queries import (
    board_statements,
    board_totals,
    default_board_month,
    finance_items_table,
    statement_breakdown,
    statement_csv_rows,
)
from .services import (
    finance_item_save,
    finance_statements_recompute,
    statement_approve,
    statement_mark_paid,
)


def without_fields(fieldsets, hidden) -> list:
    """`fieldsets` without the `hidden` fields (and without the lines and fieldsets left
    empty)."""
    kept = []
    for title, options in fieldsets:
        lines = []
        for line in options["fields"]:
            if isinstance(line, list | tuple):
                line = tuple(name for name in line if name not in hidden)
                if len(line) == 1:
                    line = line[0]
            if line and line not in hidden:
                lines.append(line)
        if lines:
            kept.append((title, {**options, "fields": lines}))
    return kept


def money(value: Decimal | None, currency: str = "") -> str:
    if value is None:
        return EMPTY
    text = f"{value:,.2f}"
    return f"{text} {currency}".strip()


@admin.register(FinanceItem)
class FinanceItemAdmin(AuditTrailAdminMixin, FilterSetAdminMixin, admin.ModelAdmin):
    filterset_class = FinanceItemFilterSet
    formfield_overrides = ASCII_FORMFIELD_OVERRIDES
    search_help_text = "Type the start of a code, or part of a payee's name."
    list_display = (
        "code",
        "payee_name",
        "creator_count_display",
        "posting_volume_display",
        "views_generated_display",
        "amount_due_display",
        "last_paid_date",
        "paid_amount",
        "payment_method",
        "is_active",
    )
    search_fields = ("^code", "payee_name")
    readonly_fields = ("last_paid_date", "paid_amount", "accounts_and_posts", "audit_trail")
    fieldsets = (
        (None, {"fields": ("code", "payee_name", "is_active", "started_date", "notes")}),
        ("Payment", {"fields": ("payment_method", "phone_number", "payment_details")}),
        (
            "Terms",
            {
                "fields": (
                    ("base_monthly_pay", "currency"),
                    "expected_monthly_posting_volume",
                    "rate_per_1k_views",
                    "prorate_by_volume",
                )
            },
        ),
        ("Paid", {"fields": (("last_paid_date", "paid_amount"), "accounts_and_posts")}),
        ("History", {"classes": ("collapse",), "fields": ("audit_trail",)}),
    )

    def get_queryset(self, request):
        return finance_items_table()

    # The payees' personal data (settings_app.access) is left out of every column, field and
    # form for users who may not see it; the FilterSet refuses filtering by it.
    def get_list_display(self, request):
        hidden = personal_fields_hidden_from(request.user, FinanceItem)
        return [name for name in super().get_list_display(request) if name not in hidden]

    def get_fieldsets(self, request, obj=None):
        hidden = personal_fields_hidden_from(request.user, FinanceItem)
        return without_fields(super().get_fieldsets(request, obj), hidden)

    def save_model(self, request, obj, form, change):
        if not change or form.changed_data:
            finance_item_save(item=obj, actor=request.user, fields=form.changed_data or None)

    @admin.display(description="Creators", ordering="creator_count")
    def creator_count_display(self, obj):
        return format_count(obj.creator_count)

    @admin.display(description="Monthly posting volume")
    def posting_volume_display(self, obj):
        if obj.latest_month is None:
            return None
        expected = obj.expected_monthly_posting_volume
        volume = format_count(obj.latest_posting_volume)
        return f"{volume} / {expected}" if expected else volume

    @admin.display(description="Views generated")
    def views_generated_display(self, obj):
        return format_count(obj.latest_views_generated)

    @admin.display(description="Amount due (latest month)")
    def amount_due_display(self, obj):
        if obj.latest_month is None:
            return None
        return f"{money(obj.latest_amount_due)} ({obj.latest_month:%Y-%m})"

    @admin.display(description="Accounts and posts")
    def accounts_and_posts(self, obj: FinanceItem) -> str:
        if obj.pk is None:
            return "—"
        # The accounts' and posts' FilterSets take `finance_item`, as the API does.
        return format_html(
            '<a href="{}?finance_item={}">Accounts</a> · <a href="{}?finance_item={}">Posts</a>'
            ' · <a href="{}?finance_item={}">Statements</a>',
            reverse("admin:creators_account_changelist"),
            obj.pk,
            reverse("admin:posts_post_changelist"),
            obj.pk,
            reverse("admin:finance_payoutstatement_changelist"),
            obj.pk,
        )


class StatementEventInline(admin.TabularInline):
    """The statement's history: every status change, adjustment and payment."""

    model = StatementEvent
    extra = 0
    can_delete = False
    fields = (
        "at",
        "kind",
        "actor",
        "from_status",
        "to_status",
        "amount",
        "amount_due",
        "payment_method",
        "payment_reference",
        "note",
    )
    readonly_fields = fields
    verbose_name_plural = "History"

    def get_fields(self, request, obj=None):
        hidden = personal_fields_hidden_from(request.user, StatementEvent)
        return [name for name in super().get_fields(request, obj) if name not in hidden]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MarkPaidForm(forms.Form):
    amount = AsciiDecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    method = forms.CharField(max_length=100, required=False, label="Payment method")
    reference = forms.CharField(max_length=200, required=False, label="Payment reference")


class BoardMonthForm(forms.Form):
    month = MonthField(required=False, widget=forms.TextInput(attrs={"type": "month"}))


@admin.register(PayoutStatement)
class PayoutStatementAdmin(FilterSetAdminMixin, admin.ModelAdmin):
    """Statements are written by the payments job and changed through the board's actions."""

    filterset_class = PayoutStatementFilterSet
    search_help_text = "Type the start of a code, or part of a payee's name."
    search_fields = ("^finance_item__code",)
    list_display = (
        "__str__",
        "payee",
        "status",
        "kpi_status",
        "posting_volume",
        "views_generated_display",
        "amount_due",
        "paid_amount",
        "balance_display",
        "paid_at",
    )
    list_select_related = ("finance_item",)
    inlines = [StatementEventInline]
    fieldsets = (
        (None, {"fields": ("finance_item", "month", "status", "currency", "computed_at")}),
        (
            "Figures",
            {
                "fields": (
                    ("posting_volume", "expected_posting_volume"),
                    "views_generated",
                    "kpi_status",
                    ("base", "variable", "computed"),
                    ("adjustment", "adjustment_reason"),
                    "amount_due",
                )
            },
        ),
        (
            "Lifecycle",
            {
                "fields": (
                    ("approved_by", "approved_at"),
                    ("paid_amount", "balance_display"),
                    ("paid_by", "paid_at"),
                    ("payment_method", "payment_reference"),
                    ("voided_by", "voided_at", "void_reason"),
                )
            },
        ),
    )
    readonly_fields = [
        name
        for fieldset in fieldsets
        for line in fieldset[1]["fields"]
        for name in (line if isinstance(line, tuple) else (line,))
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fieldsets(self, request, obj=None):
        hidden = personal_fields_hidden_from(request.user, PayoutStatement)
        return without_fields(super().get_fieldsets(request, obj), hidden)

    @admin.display(description="Payee", ordering="finance_item__payee_name")
    def payee(self, obj):
        return obj.finance_item.payee_name

    @admin.display(description="Views generated", ordering="views_generated")
    def views_generated_display(self, obj):
        return format_count(obj.views_generated)

    @admin.display(description="Balance")
    def balance_display(self, obj):
        return money(obj.balance)

    # --- The payments board -------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("board/", view(self.board_view), name="finance_payments_board"),
            path("board/<int:pk>/pay/", view(self.mark_paid_view), name="finance_mark_paid"),
            path(
                "board/breakdown/<int:item_pk>/",
                view(self.breakdown_view),
                name="finance_breakdown",
            ),
            *super().get_urls(),
        ]

    def _board_url(self, month) -> str:
        return f"{reverse('admin:finance_payments_board')}?month={month:%Y-%m}"

    def _context(self, request, title: str, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "board_url": reverse("admin:finance_payments_board"),
            **extra,
        }

    def _requested_month(self, request: HttpRequest) -> date | None:
        """`?month=` read by the one month parser, last month without one; None (and a message
        saying why) for a month that is not valid."""
        text = request.GET.get("month")
        if not text:
            return default_board_month()
        month_form = BoardMonthForm({"month": text})
        if not month_form.is_valid():
            self.message_user(request, " ".join(month_form.errors["month"]), messages.ERROR)
            return None
        return month_form.cleaned_data["month"]

    def board_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        month = self._requested_month(request)
        if month is None:
            return HttpResponseRedirect(request.path)
        if request.method == "POST":
            return self._board_post(request, month)
        statements = board_statements(month)
        if request.GET.get("format") == "csv":
            return csv_response(
                statement_csv_rows(
                    statements, hidden=personal_fields_hidden_from(request.user, PayoutStatement)
                ),
                filename=f"statements-{month:%Y-%m}.csv",
            )
        rows = []
        for s in statements:
            expected = s.expected_posting_volume
            progress = min(100, round(100 * s.posting_volume / expected)) if expected else None
            rows.append(
                {
                    "s": s,
                    "progress": progress,
                    "change_url": reverse("admin:finance_payoutstatement_change", args=[s.pk]),
                    "pay_url": reverse("admin:finance_mark_paid", args=[s.pk]),
                    "breakdown_url": (
                        f"{reverse('admin:finance_breakdown', args=[s.finance_item_id])}"
                        f"?month={month:%Y-%m}"
                    ),
                    "can_approve": s.status == StatementStatus.DRAFT,
                    "can_pay": s.status in (StatementStatus.APPROVED, StatementStatus.PAID)
                    and s.balance > 0,
                }
            )
        context = self._context(
            request,
            f"Payments board · {month:%B %Y}",
            month=month,
            month_value=f"{month:%Y-%m}",
            rows=rows,
            totals=board_totals(statements),
            can_change=self.has_change_permission(request),
        )
        return TemplateResponse(request, "admin/finance/payments_board.html", context)

    def _board_post(self, request: HttpRequest, month) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        if "recompute" in request.POST:
            report = finance_statements_recompute()
            self.message_user(
                request,
                f"Statements of {', '.join(report.months)} recomputed: {report.created} created,"
                f" {report.updated} drafts updated, {report.frozen} frozen left as they are.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(self._board_url(month))
        ids = request.POST.getlist("ids")
        if request.POST.get("approve_one"):
            ids = [request.POST["approve_one"]]
        approved = 0
        for statement in PayoutStatement.objects.filter(pk__in=[i for i in ids if i.isdigit()]):
            try:
                statement_approve(statement=statement, user=request.user)
                approved += 1
            except DomainError as error:
                self.message_user(request, error.message, messages.WARNING)
        if approved:
            self.message_user(request, f"{approved} statement(s) approved.", messages.SUCCESS)
        elif not ids:
            self.message_user(request, "Select statements to approve.", messages.WARNING)
        return HttpResponseRedirect(self._board_url(month))

    def mark_paid_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        statement = get_object_or_404(PayoutStatement.objects.select_related("finance_item"), pk=pk)
        if request.method == "POST":
            form = MarkPaidForm(request.POST)
            if form.is_valid():
                try:
                    statement = statement_mark_paid(
                        statement=statement, user=request.user, **form.cleaned_data
                    )
                except DomainError as error:
                    add_domain_error(form, error)
                else:
                    self.message_user(
                        request,
                        f"Payment of {money(form.cleaned_data['amount'], statement.currency)}"
                        f" recorded for {statement}; balance {money(statement.balance)}.",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(self._board_url(statement.month))
        else:
            initial = {"amount": statement.balance}
            if "payment_method" not in personal_fields_hidden_from(request.user, FinanceItem):
                initial["method"] = (
                    statement.payment_method or statement.finance_item.payment_method
                )
            form = MarkPaidForm(initial=initial)
        context = self._context(
            request,
            f"Mark paid · {statement}",
            statement=statement,
            form=form,
            back_url=self._board_url(statement.month),
        )
        return TemplateResponse(request, "admin/finance/mark_paid.html", context)

    def breakdown_view(self, request: HttpRequest, item_pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        item = get_object_or_404(FinanceItem, pk=item_pk)
        month = self._requested_month(request)
        if month is None:
            return HttpResponseRedirect(request.path)
        breakdown = statement_breakdown(item, month)
        context = self._context(
            request,
            f"Post monetization · {item.code} · {month:%B %Y}",
            breakdown=breakdown,
            back_url=self._board_url(month),
        )
        return TemplateResponse(request, "admin/finance/breakdown.html", context)


# --- The board on the admin index, under Finance -----------------------------------------------

_previous_get_app_list = admin.site.get_app_list


def _get_app_list(request: HttpRequest, app_label: str | None = None) -> list[dict]:
    app_list = _previous_get_app_list(request, app_label)
    for app in app_list:
        if app["app_label"] != "finance":
            continue
        try:
            url = reverse("admin:finance_payments_board", current_app=admin.site.name)
        except NoReverseMatch:
            return app_list
        if not any(model.get("object_name") == "PaymentsBoard" for model in app["models"]):
            app["models"].insert(
                0,
                {
                    "name": "Payments board",
                    "object_name": "PaymentsBoard",
                    "perms": {"view": True},
                    "admin_url": url,
                    "add_url": None,
                    "view_only": True,
                },
            )
    return app_list


admin.site.get_app_list = _get_app_list
