"""Admin for finance items (payee agreements); statements and payments come with their issue."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from .models import FinanceItem


@admin.register(FinanceItem)
class FinanceItemAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "payee_name",
        "currency",
        "base_monthly_pay",
        "expected_monthly_posting_volume",
        "rate_per_1k_views",
        "prorate_by_volume",
        "is_active",
        "last_paid_date",
        "paid_amount",
    )
    list_filter = ("is_active", "prorate_by_volume")
    search_fields = ("^code", "^payee_name")
    readonly_fields = ("last_paid_date", "paid_amount", "accounts_and_posts")
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
    )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.save()
        elif form.changed_data:
            # The payments job writes last_paid_date and paid_amount: never write them back.
            obj.save(update_fields=[*form.changed_data, "updated_at"])

    @admin.display(description="Accounts and posts")
    def accounts_and_posts(self, obj: FinanceItem) -> str:
        if obj.pk is None:
            return "—"
        # The accounts' and posts' FilterSets take `finance_item`, as the API does.
        return format_html(
            '<a href="{}?finance_item={}">Accounts</a> · <a href="{}?finance_item={}">Posts</a>',
            reverse("admin:creators_account_changelist"),
            obj.pk,
            reverse("admin:posts_post_changelist"),
            obj.pk,
        )
