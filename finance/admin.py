"""Admin of finance: finance items (the finance table), statements with their history, and the
payments board (custom admin pages: reads through finance.queries, writes through
finance.services)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from core.admin.audit import AuditTrailAdminMixin
from core.admin.changelist import FilterSetAdminMixin
from core.admin.display import format_count
from core.admin.pages import AdminPagesMixin
from core.inputs import ASCII_FORMFIELD_OVERRIDES
from settings_app.access import personal_fields_hidden_from

from .admin_payments import (
    CHANGEABLE,
    AdjustStatement,
    MarkPaid,
    PaymentsBoard,
    StatementBreakdown,
    VoidStatement,
    money,
)
from .choices import StatementStatus
from .filters import FinanceItemFilterSet, PayoutStatementFilterSet
from .models import FinanceItem, PayoutStatement, StatementEvent
from .queries import (
    finance_items_table,
    with_balance_owed,
)
from .services import (
    finance_item_save,
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


def money_display(field: str, description: str, ordering: str | None = None):
    """A read-only column or field showing a statement's amount with thousands separators and
    its currency ("3,200.00 USD")."""

    @admin.display(description=description, ordering=ordering)
    def display(self, obj):
        return money(getattr(obj, field), obj.currency)

    return display


@admin.register(PayoutStatement)
class PayoutStatementAdmin(AdminPagesMixin, FilterSetAdminMixin, admin.ModelAdmin):
    """Statements are written by the payments job and changed through the board's actions
    (approve, adjust, mark paid, void), linked from each statement's page too."""

    filterset_class = PayoutStatementFilterSet
    search_help_text = "Type the start of a code, or part of a payee's name."
    search_fields = ("^finance_item__code",)
    change_form_template = "admin/finance/payoutstatement/change_form.html"
    list_display = (
        "__str__",
        "payee",
        "status",
        "kpi_status",
        "posting_volume_display",
        "views_generated_display",
        "amount_due_display",
        "paid_amount_display",
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
                    "posting_volume_display",
                    "views_generated_display",
                    "kpi_status",
                    ("base_display", "variable_display", "computed_display"),
                    ("adjustment_display", "adjustment_reason"),
                    "amount_due_display",
                )
            },
        ),
        (
            "Lifecycle",
            {
                "fields": (
                    ("approved_by", "approved_at"),
                    ("paid_amount_display", "balance_display"),
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

    def get_queryset(self, request):
        return with_balance_owed(super().get_queryset(request))

    def get_fieldsets(self, request, obj=None):
        hidden = personal_fields_hidden_from(request.user, PayoutStatement)
        return without_fields(super().get_fieldsets(request, obj), hidden)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Every field is read-only: no Save buttons; the actions are links to the board's pages.
        context = {
            "title": "Payout statement",
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
            **self.statement_actions(request, object_id),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context=context)

    def statement_actions(self, request, object_id) -> dict:
        """The links of a statement's page to the actions its status and the user allow."""
        statement = self.get_object(request, object_id)
        if statement is None:
            return {}
        board = reverse("admin:finance_payments_board")
        actions = {
            "breakdown_url": f"{reverse('admin:finance_breakdown', args=[statement.finance_item_id])}"
            f"?month={statement.month:%Y-%m}",
            "board_month_url": f"{board}?month={statement.month:%Y-%m}",
        }
        if not request.user.has_perm("finance.change_payoutstatement"):
            return actions
        back = "?from=statement"
        if statement.status in CHANGEABLE:
            actions["adjust_url"] = reverse("admin:finance_adjust", args=[statement.pk]) + back
            actions["void_url"] = reverse("admin:finance_void", args=[statement.pk]) + back
        if statement.status == StatementStatus.DRAFT:
            actions["approve_statement"] = statement.pk
        if statement.status in (StatementStatus.APPROVED, StatementStatus.PARTIALLY_PAID):
            actions["pay_url"] = reverse("admin:finance_mark_paid", args=[statement.pk])
        return actions

    @admin.display(description="Payee", ordering="finance_item__payee_name")
    def payee(self, obj):
        return obj.finance_item.payee_name

    @admin.display(description="Posting volume", ordering="posting_volume")
    def posting_volume_display(self, obj):
        volume = format_count(obj.posting_volume)
        expected = obj.expected_posting_volume
        return f"{volume} / {format_count(expected)}" if expected else volume

    @admin.display(description="Views generated", ordering="views_generated")
    def views_generated_display(self, obj):
        return format_count(obj.views_generated)

    base_display = money_display("base", "Base")
    variable_display = money_display("variable", "Variable")
    computed_display = money_display("computed", "Computed")
    adjustment_display = money_display("adjustment", "Adjustment")
    amount_due_display = money_display("amount_due", "Amount due", "amount_due")
    paid_amount_display = money_display("paid_amount", "Paid", "paid_amount")
    balance_display = money_display("balance", "Balance", "balance_owed")

    pages = (PaymentsBoard, MarkPaid, AdjustStatement, VoidStatement, StatementBreakdown)
