"""Publishing in the admin, read-mostly for now: connections, media, scheduled posts with their
targets, and each target's publishing log. The composer, calendar and connection pages come
with the next slice; the services in publishing/services/ are what they will call."""

from django.contrib import admin
from django.db.models import QuerySet
from django.utils.html import format_html

from core.admin.changelist import EstimatedCountPaginator, ReadOnlyAdminMixin
from core.admin.display import EMPTY, admin_change_url
from core.admin.pages import AdminPagesMixin
from settings_app.access import accounts_visible_to

from .admin_calendar import CalendarMove, CalendarPage
from .admin_composer import ComposerPage, ImportPage
from .admin_connections import ConnectionsPage, OAuthCallbackPage, OAuthStartPage
from .admin_media import MediaLibraryPage, MediaThumbnailPage
from .choices import PostStatus
from .hooks import slot_suggestions
from .models import (
    MediaAsset,
    PostingSlot,
    PublishAttempt,
    PublishTarget,
    ScheduledPost,
    ScheduledPostMedia,
    SocialConnection,
)
from .queries import connections_schedulable_by, scheduled_posts_visible_to, with_status

# Accounts whose suggested posting times the slots page shows (one query each).
SUGGESTED_ACCOUNTS = 8


class _ReadOnly(ReadOnlyAdminMixin, admin.ModelAdmin):
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in self.hidden_fields]

    hidden_fields: tuple[str, ...] = ()

    def get_exclude(self, request, obj=None):
        return self.hidden_fields


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SocialConnection)
class SocialConnectionAdmin(AdminPagesMixin, _ReadOnly):
    pages = (ConnectionsPage, OAuthStartPage, OAuthCallbackPage)
    list_display = ("account", "platform", "method", "status", "token_expires_at", "last_error")
    list_filter = ("platform", "status")
    list_select_related = ("account",)
    # Tokens never leave the database through a page.
    hidden_fields = ("access_token", "refresh_token")

    def get_queryset(self, request) -> QuerySet:
        qs = super().get_queryset(request)
        return accounts_visible_to(request.user, qs, through="account__")


@admin.register(MediaAsset)
class MediaAssetAdmin(AdminPagesMixin, _ReadOnly):
    list_display = ("__str__", "kind", "mime", "size", "width", "height", "created_at")
    list_filter = ("kind",)
    # Uploading and deleting unused media: the media library page (admin_media.py).
    pages = (MediaLibraryPage, MediaThumbnailPage)


class MediaItemInline(_ReadOnlyInline):
    model = ScheduledPostMedia
    fields = ("position", "asset")
    show_change_link = False


class TargetInline(_ReadOnlyInline):
    model = PublishTarget
    fields = ("connection", "state", "attempt", "next_attempt_at", "error_class", "published_url")
    fields += ("tracked_post",)
    readonly_fields = fields


@admin.register(ScheduledPost)
class ScheduledPostAdmin(AdminPagesMixin, _ReadOnly):
    # The calendar, the composer and the CSV import (admin_calendar.py, admin_composer.py).
    pages = (CalendarPage, CalendarMove, ComposerPage, ImportPage)
    list_display = ("__str__", "scheduled_at", "timezone", "status", "created_by")
    list_select_related = ("created_by",)
    inlines = (MediaItemInline, TargetInline)

    def get_queryset(self, request) -> QuerySet:
        qs = scheduled_posts_visible_to(request.user, super().get_queryset(request))
        return with_status(qs)

    @admin.display(description="Status", ordering="status")
    def status(self, obj: ScheduledPost) -> str:
        return PostStatus(obj.status).label


class AttemptInline(_ReadOnlyInline):
    """The publishing log: every attempt, remote handle, error class and message."""

    model = PublishAttempt
    fields = ("number", "step", "started_at", "finished_at", "outcome", "remote_handle")
    fields += ("error_class", "error")
    readonly_fields = fields
    show_change_link = False
    verbose_name_plural = "Publishing log"


@admin.register(PublishTarget)
class PublishTargetAdmin(_ReadOnly):
    list_display = ("__str__", "state", "attempt", "next_attempt_at", "error_class")
    list_filter = ("state",)
    list_select_related = ("post", "connection__account")
    inlines = (AttemptInline,)
    hidden_fields = ("tracked_post",)

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "tracked_post_link"]

    @admin.display(description="Tracked post")
    def tracked_post_link(self, obj: PublishTarget) -> str:
        """The tracked post the published URL became, linked to its page (every role that sees
        targets sees the posts of their accounts)."""
        if obj.tracked_post_id is None:
            return EMPTY
        return format_html(
            '<a href="{}">{}</a>', admin_change_url(obj.tracked_post), obj.tracked_post
        )

    def get_queryset(self, request) -> QuerySet:
        qs = super().get_queryset(request)
        return accounts_visible_to(request.user, qs, through="connection__account__")


@admin.register(PostingSlot)
class PostingSlotAdmin(admin.ModelAdmin):
    """Weekly posting times per connection: "add to queue" takes the next free one."""

    list_display = ("connection", "weekday", "local_time", "timezone")
    list_filter = ("weekday", "connection__platform")
    list_select_related = ("connection__account",)
    search_fields = ("connection__account__username",)
    show_full_result_count = False

    def get_queryset(self, request) -> QuerySet:
        qs = super().get_queryset(request)
        return accounts_visible_to(request.user, qs, through="connection__account__")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "connection":
            kwargs["queryset"] = connections_schedulable_by(request.user).select_related("account")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        from django.conf import settings

        return {"timezone": settings.TIME_ZONE, **super().get_changeform_initial_data(request)}

    def changelist_view(self, request, extra_context=None):
        # Best times to post (registered by analytics) for the accounts the user schedules to.
        connections = list(
            connections_schedulable_by(request.user)
            .select_related("account")
            .order_by("account__username")[:SUGGESTED_ACCOUNTS]
        )
        by_account = slot_suggestions(request.user, [c.account_id for c in connections])
        suggestions = [
            {"connection": c, "times": by_account[c.account_id]}
            for c in connections
            if by_account.get(c.account_id)
        ]
        return super().changelist_view(
            request, {**(extra_context or {}), "slot_suggestions": suggestions}
        )
