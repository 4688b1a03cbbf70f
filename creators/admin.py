"""Admin for creators' accounts: the seed's table, the FilterSet's filters, adding by profile URL,
turning tracking on and off, and the creator page (profile, metric cards, follower and views
charts, recent posts, the month's finance figures)."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.urls import reverse
from django.utils.html import format_html

from core.admin.adding import BulkAddForm, BulkAddMixin, ServiceAddMixin, url_field
from core.admin.audit import AuditTrailAdminMixin
from core.admin.bulk_edit import BulkEditAdminMixin
from core.admin.changelist import FilterSetAdminMixin, ReadOnlyAdminMixin
from core.admin.columns import ColumnChoiceAdminMixin
from core.admin.display import (
    SNAPSHOTS_SHOWN,
    count_column,
    external_link,
    image_tag,
    latest_snapshots_table,
    percent_column,
)
from core.admin.export import CsvExportAdminMixin
from core.sorting import sort_key
from platforms.ratelimit import provider_warnings
from posts.admin import refresh_problem_html
from posts.admin_refresh import RefreshNowAdminMixin, RefreshNowPage
from posts.hooks import accounts_without_own_token
from settings_app.access import (
    accounts_visible_to,
    personal_fields_hidden_from,
    snapshots_visible_to,
)

from .admin_people import group_under_creator
from .admin_workspace import account_workspace
from .filters import AccountFilterSet, AccountSnapshotFilterSet
from .models import Account, AccountSnapshot
from .services.adding import (
    BUSINESS_FIELDS,
    account_add,
    account_bulk_add,
    account_set_tracking,
    account_update,
)
from .services.editing import ACCOUNT_BULK_FIELDS, accounts_bulk_edit
from .services.refresh_now import accounts_refresh_now

ADD_FIELDS = ("client", "editor", "type", "boards", "finance_item", "started_date")
EDITABLE_FIELDS = (*BUSINESS_FIELDS, "boards")
BULK_ADD_FIELDS = ("client", "editor", "type", "boards", "finance_item")


def _disabled_reason(request) -> str:
    return f"Turned off by {request.user.get_username()} in the admin."


# The profile forms the add form takes (posts are refused there: they are added as posts).
PROFILE_URL_FORMS = (
    "instagram.com/USER",
    "tiktok.com/@USER",
    "youtube.com/@handle, /channel/UC…, /c/NAME, /user/NAME",
)
PROFILE_URL_HELP = (
    f"A profile or channel: {'; '.join(PROFILE_URL_FORMS)}. "
    "A post or video URL is added as a post instead."
)


class AccountAddForm(forms.ModelForm):
    url = url_field("Profile URL", help_text=PROFILE_URL_HELP)

    class Meta:
        model = Account
        fields = ADD_FIELDS
        widgets = {"boards": forms.CheckboxSelectMultiple}


AccountBulkAddForm = type(
    "AccountBulkAddForm",
    (BulkAddForm,),
    forms.fields_for_model(
        Account, fields=BULK_ADD_FIELDS, widgets={"boards": forms.CheckboxSelectMultiple}
    ),
)


class RefreshAccountNow(RefreshNowPage):
    route = "<path:object_id>/refresh-now/"
    url_name = "creators_account_refresh_now"
    permissions = ("creators.change_account",)


@admin.register(Account)
class AccountAdmin(
    RefreshNowAdminMixin,
    AuditTrailAdminMixin,
    ServiceAddMixin,
    BulkAddMixin,
    BulkEditAdminMixin,
    CsvExportAdminMixin,
    ColumnChoiceAdminMixin,
    FilterSetAdminMixin,
    admin.ModelAdmin,
):
    filterset_class = AccountFilterSet
    # Documents the search box; the FilterSet's `search` filter does the work.
    search_fields = ("=url", "^username", "full_name")
    search_help_text = "Paste a profile URL, or type the start of a username or words of the name."

    list_display = (
        "picture",
        "username_display",
        "platform",
        "followers_display",
        "avg_views_display",
        "posts_last_7d_display",
        "posts_last_30d_display",
        "posts_last_90d_display",
        "tracking_enabled",
        "disabled_reason",
        "editor",
        "client",
        "finance_item",
    )
    # What fits a 1440 px screen beside the filters; the others are a "Columns" tick away.
    default_list_display = (
        "picture",
        "username_display",
        "platform",
        "followers_display",
        "avg_views_display",
        "posts_last_7d_display",
        "posts_last_30d_display",
        "tracking_enabled",
        "editor",
        "client",
    )
    list_display_links = ("picture", "username_display")
    # The seed's Users collection, as the "Export CSV" link of the changelist writes it.
    csv_export_fields = (
        "id",
        "url",
        "platform",
        "username",
        "external_id",
        "full_name",
        "followers",
        "following",
        "total_media_count",
        "is_verified",
        "is_private",
        "total_views",
        "avg_views",
        "avg_engagement_rate",
        "total_likes",
        "total_comments",
        "total_shares",
        "posts_last_7d",
        "posts_last_30d",
        "posts_last_90d",
        "views_last_7d",
        "views_last_30d",
        "views_last_90d",
        "views_last_365d",
        "this_month_posting_volume",
        "last_month_posting_volume",
        "this_month_views_generated",
        "last_month_views_generated",
        "kpi_status",
        "tracking_enabled",
        "disabled_reason",
        "last_stats_update",
        "client",
        "editor",
        "type",
        "boards",
        "finance_item",
        "started_date",
    )
    list_select_related = ("editor", "client", "finance_item")
    # Indexed orderings only: newest first by id; followers and average views have indexes.
    ordering = ("-id",)
    sortable_by = ("followers_display", "avg_views_display")
    actions = ("enable_tracking", "disable_tracking", group_under_creator)
    bulk_edit_fields = ACCOUNT_BULK_FIELDS

    add_form = AccountAddForm
    editable_fields = EDITABLE_FIELDS
    add_fieldsets = ((None, {"fields": ("url",)}), ("Business", {"fields": ADD_FIELDS}))
    bulk_add_form = AccountBulkAddForm
    change_form_template = "admin/creators/account/change_form.html"
    refresh_now_service = staticmethod(accounts_refresh_now)
    refresh_now_page = RefreshAccountNow
    refresh_now_left_out = "Accounts whose tracking is off are not refreshed."

    fieldsets = (
        (
            None,
            {
                "fields": (
                    "original_link",
                    "picture_preview",
                    ("platform", "username"),
                    ("full_name", "external_id"),
                    "biography",
                    ("is_verified", "is_private"),
                    ("followers_display", "following_display", "total_media_count_display"),
                )
            },
        ),
        ("Business", {"fields": EDITABLE_FIELDS}),
        ("History", {"classes": ("collapse",), "fields": ("audit_trail",)}),
        (
            "Tracking",
            {
                "fields": (
                    "disabled_reason",
                    ("last_tracked_at", "last_stats_update"),
                    ("stats_problem", "detect_problem"),
                    "processing_status",
                    "posts_link",
                )
            },
        ),
        (
            "Metrics",
            {
                "classes": ("collapse",),
                "fields": (
                    ("total_views_display", "avg_views_display", "avg_engagement_rate_display"),
                    ("total_likes_display", "total_comments_display", "total_shares_display"),
                    ("video_count", "photo_count", "carousel_count"),
                    (
                        "posts_last_7d_display",
                        "posts_last_30d_display",
                        "posts_last_90d_display",
                    ),
                    (
                        "views_last_7d_display",
                        "views_last_30d_display",
                        "views_last_90d_display",
                        "views_last_365d_display",
                    ),
                    ("views_last_calendar_week_display", "views_last_calendar_month_display"),
                    "views_since_1st_of_month_display",
                    (
                        "followers_since_monday_display",
                        "followers_since_1st_of_month_display",
                        "followers_since_start_of_growth_display",
                    ),
                    "metrics_computed_at",
                ),
            },
        ),
        (
            "This month",
            {
                "classes": ("collapse",),
                "fields": (
                    ("this_month_posting_volume", "last_month_posting_volume"),
                    (
                        "this_month_views_generated_display",
                        "last_month_views_generated_display",
                    ),
                    "kpi_status",
                ),
            },
        ),
        ("Bookkeeping", {"fields": (("created_at", "updated_at"),)}),
        (f"Latest {SNAPSHOTS_SHOWN} snapshots", {"fields": ("latest_snapshots",)}),
    )
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}

    followers_display = count_column(
        "followers", "Followers", ordering=sort_key(Account, "followers")
    )
    following_display = count_column("following", "Following")
    total_media_count_display = count_column("total_media_count", "Posts on the platform")
    avg_views_display = count_column(
        "avg_views", "Average views", ordering=sort_key(Account, "avg_views")
    )
    avg_engagement_rate_display = percent_column("avg_engagement_rate", "Average engagement")
    total_views_display = count_column("total_views", "Total views")
    total_likes_display = count_column("total_likes", "Total likes")
    total_comments_display = count_column("total_comments", "Total comments")
    total_shares_display = count_column("total_shares", "Total shares")
    posts_last_7d_display = count_column("posts_last_7d", "Posts 7d")
    posts_last_30d_display = count_column("posts_last_30d", "Posts 30d")
    posts_last_90d_display = count_column("posts_last_90d", "Posts 90d")
    views_last_7d_display = count_column("views_last_7d", "Views 7d")
    views_last_30d_display = count_column("views_last_30d", "Views 30d")
    views_last_90d_display = count_column("views_last_90d", "Views 90d")
    views_last_365d_display = count_column("views_last_365d", "Views 365d")
    views_last_calendar_week_display = count_column("views_last_calendar_week", "Views last week")
    views_last_calendar_month_display = count_column(
        "views_last_calendar_month", "Views last month"
    )
    views_since_1st_of_month_display = count_column(
        "views_since_1st_of_month", "Views since the 1st"
    )
    followers_since_monday_display = count_column(
        "followers_since_monday", "Followers since Monday"
    )
    followers_since_1st_of_month_display = count_column(
        "followers_since_1st_of_month", "Followers since the 1st"
    )
    followers_since_start_of_growth_display = count_column(
        "followers_since_start_of_growth", "Followers since start of growth"
    )
    this_month_views_generated_display = count_column(
        "this_month_views_generated", "Views generated this month"
    )
    last_month_views_generated_display = count_column(
        "last_month_views_generated", "Views generated last month"
    )

    # --- Columns ------------------------------------------------------------------------------

    @admin.display(description="Picture")
    def picture(self, obj: Account) -> str:
        return image_tag(obj.profile_pic_url, alt=obj.username)

    @admin.display(description="Username", ordering="username")
    def username_display(self, obj: Account) -> str:
        return f"@{obj.username}"

    # --- Change page --------------------------------------------------------------------------

    @admin.display(description="URL")
    def original_link(self, obj: Account) -> str:
        return external_link(obj.url)

    @admin.display(description="Picture")
    def picture_preview(self, obj: Account) -> str:
        return image_tag(obj.profile_pic_url, alt=obj.username, size=120)

    @admin.display(description="Posts")
    def posts_link(self, obj: Account) -> str:
        url = reverse("admin:posts_post_changelist") + f"?account={obj.pk}"
        return format_html('<a href="{}">Posts of @{}</a>', url, obj.username)

    @admin.display(description="Profile refresh")
    def stats_problem(self, obj: Account) -> str:
        return refresh_problem_html(
            failures=obj.stats_failures,
            error=obj.stats_error,
            error_at=obj.stats_error_at,
            next_at=obj.next_stats_at,
        )

    @admin.display(description="New-post detection")
    def detect_problem(self, obj: Account) -> str:
        return refresh_problem_html(
            failures=obj.detect_failures,
            error=obj.detect_error,
            error_at=obj.detect_error_at,
            next_at=obj.next_detect_at,
        )

    @admin.display(description="Snapshots")
    def latest_snapshots(self, obj: Account) -> str:
        return latest_snapshots_table(
            obj.snapshots.all(),
            {"followers": "Followers", "following": "Following", "media_count": "Posts"},
            reverse("admin:creators_accountsnapshot_changelist") + f"?account={obj.pk}",
        )

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            # As posts do: platforms nobody can refresh (connected accounts aside).
            for warning in provider_warnings(without_own_token=accounts_without_own_token):
                self.message_user(request, warning, messages.WARNING)
        return super().changelist_view(request, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["workspace"] = account_workspace(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- Writes through creators.services -----------------------------------------------------

    def add_with_service(self, request, form):
        data = form.cleaned_data
        account, created = account_add(
            url=data["url"], added_by=request.user, **{name: data[name] for name in ADD_FIELDS}
        )
        return self.response_added_by_url(request, account, created=created)

    def bulk_add_with_service(self, request, form):
        data = form.cleaned_data
        return account_bulk_add(
            urls=data["urls"],
            added_by=request.user,
            **{name: data[name] for name in BULK_ADD_FIELDS},
        )

    def save_model(self, request, obj, form, change):
        # Adding goes through add_with_service; editing changes business fields only.
        changed = [name for name in form.changed_data if name in EDITABLE_FIELDS]
        fields = {
            name: form.cleaned_data[name]
            for name in changed
            if name not in ("boards", "tracking_enabled")
        }
        boards = form.cleaned_data["boards"] if "boards" in changed else None
        account_update(account=obj, boards=boards, actor=request.user, **fields)
        if "tracking_enabled" in changed:
            account_set_tracking(
                accounts_qs=Account.objects.filter(pk=obj.pk),
                enabled=form.cleaned_data["tracking_enabled"],
                reason=_disabled_reason(request),
            )

    def save_related(self, request, form, formsets, change):
        # Boards were saved by account_update; ModelForm.save_m2m would write them twice.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def get_queryset(self, request):
        return accounts_visible_to(request.user, super().get_queryset(request))

    def csv_hidden_fields(self, request):
        return personal_fields_hidden_from(request.user, self.model)

    def bulk_edit_with_service(self, request, queryset, fields, boards, boards_mode):
        return accounts_bulk_edit(
            accounts_qs=queryset,
            fields=fields,
            boards=boards,
            boards_mode=boards_mode,
            actor=request.user,
        )

    # --- Actions ------------------------------------------------------------------------------

    @admin.action(description="Enable tracking", permissions=["change"])
    def enable_tracking(self, request, queryset):
        changed = account_set_tracking(accounts_qs=queryset, enabled=True)
        self.message_user(
            request, f"Tracking turned on for {changed:,} account(s).", messages.SUCCESS
        )

    @admin.action(description="Disable tracking", permissions=["change"])
    def disable_tracking(self, request, queryset):
        changed = account_set_tracking(
            accounts_qs=queryset, enabled=False, reason=_disabled_reason(request)
        )
        self.message_user(
            request, f"Tracking turned off for {changed:,} account(s).", messages.SUCCESS
        )


@admin.register(AccountSnapshot)
class AccountSnapshotAdmin(ReadOnlyAdminMixin, FilterSetAdminMixin, admin.ModelAdmin):
    filterset_class = AccountSnapshotFilterSet
    list_display = (
        "captured_at",
        "account",
        "followers_display",
        "following_display",
        "media_count_display",
        "source",
    )
    list_select_related = ("account",)
    ordering = ("-id",)
    sortable_by = ()
    raw_id_fields = ("account",)

    def get_queryset(self, request):
        return snapshots_visible_to(request.user, super().get_queryset(request))

    followers_display = count_column("followers", "Followers")
    following_display = count_column("following", "Following")
    media_count_display = count_column("media_count", "Posts")
