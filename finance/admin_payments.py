"""The payments board in the admin: the month's statements per finance item (approve, record
payments, CSV export) and each item's post breakdown. Custom admin pages (core.admin.pages)
registered by `PayoutStatementAdmin.pages`; reads through finance.queries, writes through
finance.services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse

from core.admin.adding import add_domain_error
from core.admin.display import EMPTY
from core.admin.pages import AdminPage, posted_ids
from core.csv_export import csv_response
from core.errors import DomainError
from core.inputs import AsciiDecimalField
from settings_app.access import personal_fields_hidden_from

from .choices import StatementStatus
from .filters import MonthField
from .models import FinanceItem, PayoutStatement
from .queries import (
    board_statements,
    board_totals,
    default_board_month,
    statement_breakdown,
    statement_csv_rows,
)
from .services import (
    finance_statements_recompute,
    statement_adjust,
    statement_approve,
    statement_mark_paid,
    statement_recompute,
    statement_void,
)


def money(value: Decimal | None, currency: str = "") -> str:
    if value is None:
        return EMPTY
    text = f"{value:,.2f}"
    return f"{text} {currency}".strip()


class AdjustForm(forms.Form):
    amount = AsciiDecimalField(
        max_digits=14,
        decimal_places=2,
        label="Adjustment",
        help_text="Signed: -100.00 takes 100.00 off the computed amount. It replaces the"
        " previous adjustment.",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class VoidForm(forms.Form):
    reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), label="Why"
    )


class MarkPaidForm(forms.Form):
    amount = AsciiDecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    method = forms.CharField(max_length=100, required=False, label="Payment method")
    reference = forms.CharField(max_length=200, required=False, label="Payment reference")


# --- The payments board -----------------------------------------------------------------------


class BoardMonthForm(forms.Form):
    month = MonthField(required=False, widget=forms.TextInput(attrs={"type": "month"}))


class PaymentsPage(AdminPage):
    """A page of the payments board: links back to the board of a month."""

    permissions = ("finance.view_payoutstatement",)

    def board_url(self, month: date) -> str:
        return f"{reverse('admin:finance_payments_board')}?month={month:%Y-%m}"

    def requested_month(self) -> date | None:
        """`?month=` read by the one month parser, last month without one; None (and a message
        saying why) for a month that is not valid."""
        text = self.request.GET.get("month")
        if not text:
            return default_board_month()
        month_form = BoardMonthForm({"month": text})
        if not month_form.is_valid():
            messages.error(self.request, " ".join(month_form.errors["month"]))
            return None
        return month_form.cleaned_data["month"]

    def render(self, context: dict) -> HttpResponse:
        return super().render({"board_url": reverse("admin:finance_payments_board"), **context})


class PaymentsBoard(PaymentsPage):
    """The month's statements per finance item: approve, record payments, export CSV."""

    route = "board/"
    url_name = "finance_payments_board"
    template = "admin/finance/payments_board.html"

    def dispatch(self) -> HttpResponse:
        if not self.has_permission():
            raise PermissionDenied
        self.month = self.requested_month()
        if self.month is None:
            return HttpResponseRedirect(self.request.path)
        return super().dispatch()

    def get(self) -> HttpResponse:
        month = self.month
        statements = board_statements(month)
        if self.request.GET.get("format") == "csv":
            hidden = personal_fields_hidden_from(self.request.user, PayoutStatement)
            return csv_response(
                statement_csv_rows(statements, hidden=hidden),
                filename=f"statements-{month:%Y-%m}.csv",
            )
        return self.render(
            {
                "title": f"Payments board · {month:%B %Y}",
                "month": month,
                "month_value": f"{month:%Y-%m}",
                "rows": [self.row(statement) for statement in statements],
                "totals": board_totals(statements),
                "can_change": self.request.user.has_perm("finance.change_payoutstatement"),
            }
        )

    def row(self, s: PayoutStatement) -> dict:
        expected = s.expected_posting_volume
        return {
            "s": s,
            "progress": min(100, round(100 * s.posting_volume / expected)) if expected else None,
            "change_url": reverse("admin:finance_payoutstatement_change", args=[s.pk]),
            "pay_url": reverse("admin:finance_mark_paid", args=[s.pk]),
            "breakdown_url": (
                f"{reverse('admin:finance_breakdown', args=[s.finance_item_id])}"
                f"?month={self.month:%Y-%m}"
            ),
            "can_approve": s.status == StatementStatus.DRAFT,
            "can_pay": s.status in (StatementStatus.APPROVED, StatementStatus.PARTIALLY_PAID),
            "adjust_url": reverse("admin:finance_adjust", args=[s.pk]),
            "void_url": reverse("admin:finance_void", args=[s.pk]),
            "can_adjust": s.status in CHANGEABLE,
        }

    def post(self) -> HttpResponse:
        request = self.request
        if not request.user.has_perm("finance.change_payoutstatement"):
            raise PermissionDenied
        if "recompute" in request.POST:
            report = finance_statements_recompute()
            messages.success(
                request,
                f"Statements of {', '.join(report.months)} recomputed: {report.created} created,"
                f" {report.updated} drafts updated, {report.frozen} frozen left as they are.",
            )
            return HttpResponseRedirect(self.board_url(self.month))
        ids = request.POST.getlist("ids")
        if request.POST.get("approve_one"):
            ids = [request.POST["approve_one"]]
        approved = 0
        for statement in PayoutStatement.objects.filter(pk__in=posted_ids(ids)):
            try:
                statement_approve(statement=statement, user=request.user)
                approved += 1
            except DomainError as error:
                messages.warning(request, error.message)
        if approved:
            messages.success(request, f"{approved} statement(s) approved.")
        elif not ids:
            messages.warning(request, "Select statements to approve.")
        return HttpResponseRedirect(self.board_url(self.month))


class MarkPaid(PaymentsPage):
    """Record a payment of a statement."""

    route = "board/<int:pk>/pay/"
    url_name = "finance_mark_paid"
    template = "admin/finance/mark_paid.html"
    permissions = ("finance.change_payoutstatement",)

    def dispatch(self, pk: int) -> HttpResponse:
        if not self.has_permission():
            raise PermissionDenied
        statements = PayoutStatement.objects.select_related("finance_item")
        self.statement = get_object_or_404(statements, pk=pk)
        return super().dispatch()

    def get(self, form: MarkPaidForm | None = None) -> HttpResponse:
        statement = self.statement
        if form is None:
            initial = {"amount": statement.balance}
            if "payment_method" not in personal_fields_hidden_from(self.request.user, FinanceItem):
                initial["method"] = (
                    statement.payment_method or statement.finance_item.payment_method
                )
            form = MarkPaidForm(initial=initial)
        return self.render(
            {
                "title": f"Mark paid · {statement}",
                "statement": statement,
                "form": form,
                "back_url": self.board_url(statement.month),
            }
        )

    def post(self) -> HttpResponse:
        form = MarkPaidForm(self.request.POST)
        if not form.is_valid():
            return self.get(form)
        try:
            statement = statement_mark_paid(
                statement=self.statement, user=self.request.user, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
            return self.get(form)
        messages.success(
            self.request,
            f"Payment of {money(form.cleaned_data['amount'], statement.currency)}"
            f" recorded for {statement}; balance {money(statement.balance, statement.currency)}.",
        )
        return HttpResponseRedirect(self.board_url(statement.month))


# Adjusted and voided only before money moved (finance.services).
CHANGEABLE = (StatementStatus.DRAFT, StatementStatus.APPROVED)


class StatementActionPage(PaymentsPage):
    """A form that hands one statement to a service: adjust or void. Back to the statement's
    page when opened from it (`?from=statement`), else to the board."""

    template = "admin/finance/statement_action.html"
    permissions = ("finance.change_payoutstatement",)
    form_class: type[forms.Form]
    action = ""  # the button
    done = ""  # the message: "FIN-7 · 2026-03 adjusted"
    intro = ""

    def dispatch(self, pk: int) -> HttpResponse:
        if not self.has_permission():
            raise PermissionDenied
        statements = PayoutStatement.objects.select_related("finance_item")
        self.statement = get_object_or_404(statements, pk=pk)
        return super().dispatch()

    def back_url(self) -> str:
        if self.request.GET.get("from") == "statement":
            return reverse("admin:finance_payoutstatement_change", args=[self.statement.pk])
        return self.board_url(self.statement.month)

    def initial(self) -> dict:
        return {}

    def get(self, form: forms.Form | None = None) -> HttpResponse:
        statement = self.statement
        if statement.status not in CHANGEABLE:
            messages.warning(
                self.request,
                f"{statement} is {statement.get_status_display().lower()}: it can no longer"
                f" be {self.done}.",
            )
        return self.render(
            {
                "title": f"{self.action} · {statement}",
                "statement": statement,
                "form": form or self.form_class(initial=self.initial()),
                "intro": self.intro,
                "submit": self.action,
                "back_url": self.back_url(),
            }
        )

    def post(self) -> HttpResponse:
        form = self.form_class(self.request.POST)
        if not form.is_valid():
            return self.get(form)
        try:
            statement = self.apply(**form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
            return self.get(form)
        messages.success(
            self.request,
            f"{statement} {self.done}: amount due {money(statement.amount_due, statement.currency)}.",
        )
        return HttpResponseRedirect(self.back_url())


class AdjustStatement(StatementActionPage):
    route = "board/<int:pk>/adjust/"
    url_name = "finance_adjust"
    form_class = AdjustForm
    action, done = "Adjust", "adjusted"
    intro = (
        "The amount due is the computed amount plus this adjustment. An approved statement"
        " goes back to draft, to be approved again."
    )

    def initial(self) -> dict:
        return {"amount": self.statement.adjustment, "reason": self.statement.adjustment_reason}

    def apply(self, *, amount, reason) -> PayoutStatement:
        return statement_adjust(
            statement=self.statement, user=self.request.user, amount=amount, reason=reason
        )


class VoidStatement(StatementActionPage):
    route = "board/<int:pk>/void/"
    url_name = "finance_void"
    form_class = VoidForm
    action, done = "Void", "voided"
    intro = "A void statement stays listed, owes nothing and is never recomputed."

    def apply(self, *, reason) -> PayoutStatement:
        return statement_void(statement=self.statement, user=self.request.user, reason=reason)


class StatementBreakdown(PaymentsPage):
    """The posts that made a finance item's month: views and the money they earned; a draft
    that is out of date can be recomputed from here."""

    route = "board/breakdown/<int:item_pk>/"
    url_name = "finance_breakdown"
    template = "admin/finance/breakdown.html"

    def get(self, item_pk: int) -> HttpResponse:
        item = get_object_or_404(FinanceItem, pk=item_pk)
        month = self.requested_month()
        if month is None:
            return HttpResponseRedirect(self.request.path)
        return self.render(
            {
                "title": f"Post monetization · {item.code} · {month:%B %Y}",
                "breakdown": statement_breakdown(item, month),
                "back_url": self.board_url(month),
                "can_change": self.request.user.has_perm("finance.change_payoutstatement"),
            }
        )

    def post(self, item_pk: int) -> HttpResponse:
        if not self.request.user.has_perm("finance.change_payoutstatement"):
            raise PermissionDenied
        month = self.requested_month()
        if month is None:
            return HttpResponseRedirect(self.request.path)
        statement = get_object_or_404(PayoutStatement, finance_item_id=item_pk, month=month)
        try:
            statement = statement_recompute(statement=statement)
        except DomainError as error:
            messages.error(self.request, error.message)
        else:
            messages.success(
                self.request,
                f"{statement} recomputed: amount due"
                f" {money(statement.amount_due, statement.currency)}.",
            )
        return HttpResponseRedirect(f"{self.request.path}?month={month:%Y-%m}")
