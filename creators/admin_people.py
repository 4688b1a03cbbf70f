"""Admin for creators as people: the Creator changelist and page (accounts, finance figures,
and the sections other apps register: tasks, campaigns), and the accounts' "Group under a
creator…" action with its intermediate page."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.db.models import Count, Sum
from django.template.response import TemplateResponse
from django.urls import reverse

from core.admin.display import format_count
from core.admin.related import PlainUnviewableRelationsMixin
from core.errors import DomainError
from settings_app.access import accounts_visible_to, creators_visible_to
from settings_app.roles import CREATOR

from .hooks import creator_sections
from .models import Account, Creator
from .services.grouping import accounts_group_under_creator


class GroupUnderCreatorForm(forms.Form):
    creator = forms.ModelChoiceField(
        queryset=Creator.objects.none(), required=False, label="Existing creator"
    )
    new_name = forms.CharField(max_length=200, required=False, label="Or a new creator named")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creator"].queryset = creators_visible_to(user, Creator.objects.all())

    def clean(self):
        data = super().clean()
        if bool(data.get("creator")) == bool((data.get("new_name") or "").strip()):
            raise forms.ValidationError(
                "Choose an existing creator or type the name of a new one (not both)."
            )
        return data


@admin.action(description="Group under a creator…", permissions=["change"])
def group_under_creator(modeladmin, request, queryset):
    """Step 1 shows the form; step 2 (posted with `apply`) groups through the service."""
    form = GroupUnderCreatorForm(
        request.POST if "apply" in request.POST else None, user=request.user
    )
    if "apply" in request.POST and form.is_valid():
        try:
            creator, attached = accounts_group_under_creator(
                accounts_qs=queryset,
                creator=form.cleaned_data["creator"],
                new_name=form.cleaned_data["new_name"],
            )
        except DomainError as error:
            modeladmin.message_user(request, error.message, messages.ERROR)
            return None
        modeladmin.message_user(
            request, f"{attached:,} account(s) grouped under {creator}.", messages.SUCCESS
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Group accounts under a creator",
        "opts": modeladmin.opts,
        "form": form,
        "accounts": queryset[:50],
        "count": queryset.count(),
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/creators/group_under_creator.html", context)


def creator_accounts(creator: Creator, user) -> list[Account]:
    return list(
        accounts_visible_to(user, Account.objects.filter(creator=creator))
        .select_related("finance_item")
        .order_by("platform", "username")
    )


def creator_finance_figures(creator: Creator, user) -> list[dict]:
    """The month's figures summed over the creator's accounts (one query)."""
    sums = accounts_visible_to(user, Account.objects.filter(creator=creator)).aggregate(
        accounts=Count("pk"),
        volume_this=Sum("this_month_posting_volume"),
        volume_last=Sum("last_month_posting_volume"),
        views_this=Sum("this_month_views_generated"),
        views_last=Sum("last_month_views_generated"),
        followers=Sum("followers"),
    )
    labels = (
        ("Accounts", "accounts"),
        ("Followers", "followers"),
        ("Posting volume this month", "volume_this"),
        ("Posting volume last month", "volume_last"),
        ("Views generated this month", "views_this"),
        ("Views generated last month", "views_last"),
    )
    return [{"label": label, "value": format_count(sums[key]) or "—"} for label, key in labels]


@admin.register(Creator)
class CreatorAdmin(PlainUnviewableRelationsMixin, admin.ModelAdmin):
    list_display = ("display_name", "email", "user", "account_count", "timezone", "finance_item")
    list_select_related = ("user", "finance_item")
    search_fields = ("^display_name", "=email")
    ordering = ("display_name", "id")
    show_full_result_count = False
    autocomplete_fields = ()
    # The login is a select of Creator-role users: a raw-id lookup opened the users' list,
    # which only Owners may see (a Manager's magnifier answered 403).
    raw_id_fields = ("finance_item",)
    fields = ("display_name", "email", "user", "notes", "tags", "timezone", "finance_item")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(is_active=True, groups__name=CREATOR)
                .order_by("username")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    change_form_template = "admin/creators/creator/change_form.html"

    def get_queryset(self, request):
        qs = creators_visible_to(request.user, super().get_queryset(request))
        return qs.annotate(n_accounts=Count("accounts", distinct=True))

    @admin.display(description="Accounts", ordering="n_accounts")
    def account_count(self, obj: Creator) -> int:
        return obj.n_accounts

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["creator_page"] = {
                "accounts": [
                    {
                        "account": account,
                        "url": reverse("admin:creators_account_change", args=[account.pk]),
                        "followers": format_count(account.followers) or "—",
                    }
                    for account in creator_accounts(obj, request.user)
                ],
                "finance_item": obj.finance_item
                if request.user.has_perm("finance.view_financeitem")
                else None,
                "figures": creator_finance_figures(obj, request.user),
                "sections": creator_sections(obj, request.user),
            }
        return super().render_change_form(request, context, add, change, form_url, obj)
