"""Admin for posts: the seed's table, the FilterSet's filters, adding by URL (one or many)."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime

from core.admin.adding import BulkAddForm, BulkAddMixin, ServiceAddMixin, url_field
from core.admin.audit import AuditTrailAdminMixin
from core.admin.bulk_edit import BulkEditAdminMixin
from core.admin.changelist import FilterSetAdminMixin, ReadOnlyAdminMixin
from core.admin.columns import ColumnChoiceAdminMixin
from core.admin.display import (
    EMPTY,
    SNAPSHOTS_SHOWN,
    count_column,
    external_link,
    image_tag,
    latest_snapshots_table,
    percent_column,
)
from core.admin.export import CsvExportAdminMixin
from core.admin.pages import AdminPage, AdminPagesMixin
from core.admin.related import PlainUnviewableRelationsMixin
from core.sorting import sort_key
from platforms.ratelimit import provider_warnings
from settings_app.access import (
    personal_fields_hidden_from,
    posts_visible_to,
    snapshots_visible_to,
)
from settings_app.models import Subcategory

from .admin_boards import BoardsOverview, TrialBoard, post_timeline
from .admin_refresh import RefreshNowAdminMixin, RefreshNowPage
from .filters import PostFilterSet, PostSnapshotFilterSet
from .hooks import accounts_without_own_token
from .models import Post, PostSnapshot
from .queries import ai_not_ready_reason
from .services.adding import post_add, post_bulk_add, post_update
from .services.classification import (
    posts_requeue_classification,
    posts_requeue_failed_classifications,
)
from .services.editing import POST_BULK_FIELDS, posts_bulk_edit
from .services.refresh_now import posts_refresh_now

# What a user sets when adding posts (the rest comes from the URL and the platforms) and may
# change later; everything else on a post is identity, stats, AI output or bookkeeping.
ADD_FIELDS = ("is_trial", "client", "editor", "assignee", "type", "boards", "finance_item")
EDITABLE_FIELDS = ("client", "editor", "assignee", "type", "boards", "finance_item", "extra")


def refresh_problem_html(*, failures: int, error: str, error_at, next_at) -> str:
    """Why a refresh is failing, for a change page: the provider's last error, when, how many
    failures in a row and the next attempt; "OK" when the last one succeeded."""
    if not failures:
        return "OK (the last attempt succeeded)"
    noun = "attempt" if failures == 1 else "attempts"
    return format_html(
        '<div class="co-refresh-failing"><strong>Failing: {} {} in a row</strong>, last at {}; '
        "next attempt {}<br><code>{}</code></div>",
        failures,
        noun,
        date_format(localtime(error_at), "DATETIME_FORMAT") if error_at else EMPTY,
        date_format(localtime(next_at), "DATETIME_FORMAT") if next_at else "on the next pass",
        error or "no error recorded",
    )


def _business_kwargs(data: dict) -> dict:
    return {name: data[name] for name in ("client", "editor", "assignee", "type", "finance_item")}


# The post forms the add form takes (profiles are refused there: they are added as accounts).
POST_URL_FORMS = (
    "instagram.com/p/ID, /reel/ID, /tv/ID",
    "tiktok.com/@USER/video/ID, /@USER/photo/ID, vm.tiktok.com/CODE",
    "youtube.com/watch?v=ID, youtu.be/ID, youtube.com/shorts/ID",
)
POST_URL_HELP = (
    f"A post, reel or video: {'; '.join(POST_URL_FORMS)}. "
    "A profile or channel URL is added as an account instead."
)


class PostAddForm(forms.ModelForm):
    url = url_field("Post URL", help_text=POST_URL_HELP)

    class Meta:
        model = Post
        fields = ADD_FIELDS
        widgets = {"boards": forms.CheckboxSelectMultiple}


def _bulk_add_fields() -> dict:
    fields = forms.fields_for_model(
        Post, fields=ADD_FIELDS, widgets={"boards": forms.CheckboxSelectMultiple}
    )
    fields["is_trial"].label = "Trial reels"
    fields["is_trial"].help_text = "Add them all as pending trial reels."
    return fields


PostBulkAddForm = type("PostBulkAddForm", (BulkAddForm,), _bulk_add_fields())


class RequeueFailedAI(AdminPage):
    """A button of the posts' list (POST only): every failed post back in the AI queue."""

    route = "requeue-failed-ai/"
    url_name = "posts_post_requeue_failed_ai"
    # Every failed post: not for roles that see only their own.
    permissions = ("posts.change_post", "posts.view_all_post")

    def get(self) -> HttpResponse:
        return HttpResponseNotAllowed(["POST"])

    def post(self) -> HttpResponse:
        count = posts_requeue_failed_classifications()
        self.model_admin.message_user(
            self.request, f"{count:,} failed posts queued for the AI again."
        )
        return redirect("admin:posts_post_changelist")


class RefreshPostNow(RefreshNowPage):
    route = "<path:object_id>/refresh-now/"
    url_name = "posts_post_refresh_now"
    permissions = ("posts.change_post",)


@admin.register(Post)
class PostAdmin(
    PlainUnviewableRelationsMixin,
    RefreshNowAdminMixin,
    AuditTrailAdminMixin,
    AdminPagesMixin,
    ServiceAddMixin,
    BulkAddMixin,
    BulkEditAdminMixin,
    CsvExportAdminMixin,
    ColumnChoiceAdminMixin,
    FilterSetAdminMixin,
    admin.ModelAdmin,
):
    filterset_class = PostFilterSet
    # Documents the search box; the FilterSet's `search` filter does the work (URL, username
    # prefix, caption).
    search_fields = ("=url", "=post_id", "^username", "caption")
    search_help_text = (
        "Paste a post URL or a post id, or type the start of a username or words of the caption."
    )

    list_display = (
        "thumbnail",
        "platform",
        "username_display",
        "post_date",
        "views_display",
        "likes_display",
        "engagement_rate_display",
        "base_format",
        "content_type",
        "category",
        "subcategory_names",
        "reel_style",
        "assignee",
        "client",
        "board_names",
        "ai_status",
        "last_updated",
        "added_by",
    )
    # What fits a 1440 px screen beside the filters; the others are a "Columns" tick away.
    default_list_display = (
        "thumbnail",
        "username_display",
        "platform",
        "post_date",
        "views_display",
        "likes_display",
        "engagement_rate_display",
        "content_type",
        "category",
        "client",
        "ai_status",
    )
    list_display_links = ("thumbnail", "username_display")
    # The seed's Posts collection, as the "Export CSV" link of the changelist writes it.
    csv_export_fields = (
        "id",
        "url",
        "platform",
        "post_id",
        "account",
        "username",
        "post_date",
        "caption",
        "thumbnail_url",
        "duration_s",
        "width",
        "height",
        "views",
        "likes",
        "comments",
        "shares",
        "engagement_rate",
        "base_format",
        "content_type",
        "idea_concept",
        "category",
        "subcategories",
        "reel_style",
        "processing_status",
        "is_trial",
        "trial_status",
        "client",
        "editor",
        "type",
        "boards",
        "finance_item",
        "assignee",
        "added_by",
        "added_date",
        "last_updated",
    )
    list_select_related = ("category", "assignee", "client", "added_by")
    list_prefetch_related = (
        Prefetch("subcategories", queryset=Subcategory.objects.order_by("name")),
        "boards",
    )
    # Indexed orderings only: newest first by id; views and post date by their sort keys.
    ordering = ("-id",)
    sortable_by = ("username_display", "post_date", "views_display")

    add_form = PostAddForm
    editable_fields = EDITABLE_FIELDS
    add_fieldsets = (
        (None, {"fields": ("url",)}),
        ("Business", {"fields": ADD_FIELDS}),
    )
    bulk_add_form = PostBulkAddForm
    change_list_template = "admin/posts/post/change_list.html"
    actions = ("requeue_classification",)
    bulk_edit_fields = POST_BULK_FIELDS
    pages = (TrialBoard, BoardsOverview, RequeueFailedAI)
    refresh_now_service = staticmethod(posts_refresh_now)
    refresh_now_page = RefreshPostNow
    refresh_now_left_out = "Posts found deleted on the platform are no longer refreshed."

    fieldsets = (
        (
            None,
            {
                "fields": (
                    "original_link",
                    "thumbnail_preview",
                    ("platform", "post_id"),
                    ("account", "username"),
                    "post_date",
                )
            },
        ),
        ("Business", {"fields": EDITABLE_FIELDS}),
        ("History", {"classes": ("collapse",), "fields": ("audit_trail",)}),
        (
            "Stats",
            {
                "fields": (
                    ("views_display", "likes_display", "comments_display", "shares_display"),
                    "engagement_rate_display",
                    "refresh_problem",
                    ("last_updated", "next_refresh_at"),
                    ("detected_at", "deleted_at"),
                    "stats_timeline",
                )
            },
        ),
        (
            "Content",
            {
                "fields": (
                    "caption",
                    ("base_format", "content_type"),
                    ("duration_s", "width", "height"),
                )
            },
        ),
        (
            "AI",
            {
                "fields": (
                    "processing_status",
                    "idea_concept",
                    "category",
                    "subcategory_names",
                    "reel_style",
                    ("ai_attempts", "ai_next_attempt_at", "ai_processed_at"),
                    "ai_error",
                    ("ai_model", "ai_prompt_version"),
                    ("ai_prompt_tokens", "ai_completion_tokens"),
                )
            },
        ),
        (
            "Trial",
            {
                "fields": (
                    ("is_trial", "trial_status"),
                    ("trial_decided_by", "trial_decided_at"),
                    "trial_note",
                )
            },
        ),
        ("Bookkeeping", {"fields": (("added_by", "added_date"), ("created_at", "updated_at"))}),
        (f"Latest {SNAPSHOTS_SHOWN} snapshots", {"fields": ("latest_snapshots",)}),
    )
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}

    views_display = count_column("views", "Views", ordering=sort_key(Post, "views"))
    likes_display = count_column("likes", "Likes")
    comments_display = count_column("comments", "Comments")
    shares_display = count_column("shares", "Shares")
    engagement_rate_display = percent_column("engagement_rate", "Engagement rate")

    # --- Columns ------------------------------------------------------------------------------

    @admin.display(description="Thumbnail")
    def thumbnail(self, obj: Post) -> str:
        return image_tag(obj.thumbnail_url, alt=obj.username or obj.post_id)

    @admin.display(description="Username", ordering="username")
    def username_display(self, obj: Post) -> str:
        return f"@{obj.username}" if obj.username else EMPTY

    @admin.display(description="Subcategories")
    def subcategory_names(self, obj: Post) -> str:
        return ", ".join(s.name for s in obj.subcategories.all()) or EMPTY

    @admin.display(description="Boards")
    def board_names(self, obj: Post) -> str:
        return ", ".join(b.name for b in obj.boards.all()) or EMPTY

    @admin.display(description="AI status")
    def ai_status(self, obj: Post) -> str:
        return obj.get_processing_status_display()

    # --- Change page --------------------------------------------------------------------------

    @admin.display(description="URL")
    def original_link(self, obj: Post) -> str:
        return external_link(obj.url)

    @admin.display(description="Thumbnail")
    def thumbnail_preview(self, obj: Post) -> str:
        return image_tag(obj.thumbnail_url, alt=obj.username or obj.post_id, size=160)

    @admin.display(description="Refresh")
    def refresh_problem(self, obj: Post) -> str:
        return refresh_problem_html(
            failures=obj.refresh_failures,
            error=obj.refresh_error,
            error_at=obj.refresh_error_at,
            next_at=obj.next_refresh_at,
        )

    @admin.display(description="Over time")
    def stats_timeline(self, obj: Post) -> str:
        return post_timeline(obj)

    @admin.display(description="Snapshots")
    def latest_snapshots(self, obj: Post) -> str:
        return latest_snapshots_table(
            obj.snapshots.all(),
            {"views": "Views", "likes": "Likes", "comments": "Comments", "shares": "Shares"},
            reverse("admin:posts_postsnapshot_changelist") + f"?post={obj.pk}",
        )

    def add_with_service(self, request, form):
        data = form.cleaned_data
        post, created = post_add(
            url=data["url"],
            added_by=request.user,
            is_trial=data["is_trial"],
            boards=data["boards"],
            **_business_kwargs(data),
        )
        return self.response_added_by_url(request, post, created=created)

    def bulk_add_with_service(self, request, form):
        data = form.cleaned_data
        return post_bulk_add(
            urls=data["urls"],
            added_by=request.user,
            is_trial=data["is_trial"],
            boards=data["boards"],
            **_business_kwargs(data),
        )

    def save_model(self, request, obj, form, change):
        # Adding goes through add_with_service; editing changes business fields only.
        changed = [name for name in form.changed_data if name in EDITABLE_FIELDS]
        fields = {name: form.cleaned_data[name] for name in changed if name != "boards"}
        boards = form.cleaned_data["boards"] if "boards" in changed else None
        post_update(post=obj, boards=boards, actor=request.user, **fields)

    def save_related(self, request, form, formsets, change):
        # Boards were saved by post_update; ModelForm.save_m2m would write them twice.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    # --- AI classification: re-queue, and why nothing is classified --------------------------

    @admin.action(description="Re-queue AI classification", permissions=["change"])
    def requeue_classification(self, request, queryset):
        selected = queryset.count()
        count = posts_requeue_classification(ids=queryset.values_list("pk", flat=True))
        message = f"{count:,} of {selected:,} posts queued for the AI again."
        if count < selected:
            message += " Trial reels and posts being classified right now were left alone."
        self.message_user(request, message, messages.SUCCESS if count else messages.WARNING)

    def get_queryset(self, request):
        return posts_visible_to(request.user, super().get_queryset(request))

    def csv_hidden_fields(self, request):
        return personal_fields_hidden_from(request.user, self.model)

    def bulk_edit_with_service(self, request, queryset, fields, boards, boards_mode):
        return posts_bulk_edit(
            posts_qs=queryset,
            fields=fields,
            boards=boards,
            boards_mode=boards_mode,
            actor=request.user,
        )

    def _warn_if_ai_not_ready(self, request) -> None:
        if request.method == "GET":
            reason = ai_not_ready_reason()
            if reason:
                self.message_user(request, reason, messages.WARNING)
            # As for the AI: platforms nobody can refresh (connected accounts aside).
            for warning in provider_warnings(without_own_token=accounts_without_own_token):
                self.message_user(request, warning, messages.WARNING)

    def changelist_view(self, request, extra_context=None):
        self._warn_if_ai_not_ready(request)
        if self.has_change_permission(request):
            extra_context = {
                **(extra_context or {}),
                "requeue_failed_url": reverse("admin:posts_post_requeue_failed_ai"),
            }
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._warn_if_ai_not_ready(request)
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(PostSnapshot)
class PostSnapshotAdmin(ReadOnlyAdminMixin, FilterSetAdminMixin, admin.ModelAdmin):
    filterset_class = PostSnapshotFilterSet
    list_display = (
        "captured_at",
        "post",
        "views_display",
        "likes_display",
        "comments_display",
        "shares_display",
        "source",
    )
    list_select_related = ("post",)
    ordering = ("-id",)
    sortable_by = ()
    raw_id_fields = ("post",)

    views_display = count_column("views", "Views")
    likes_display = count_column("likes", "Likes")
    comments_display = count_column("comments", "Comments")
    shares_display = count_column("shares", "Shares")

    def get_queryset(self, request):
        return snapshots_visible_to(request.user, super().get_queryset(request))
