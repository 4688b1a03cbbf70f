"""Publishing in the admin, read-mostly for now: connections, media, scheduled posts with their
targets, and each target's publishing log. The composer, calendar and connection pages come
with the next slice; the services in publishing/services/ are what they will call."""

from django.contrib import admin
from django.db.models import QuerySet

from core.admin.changelist import EstimatedCountPaginator, ReadOnlyAdminMixin
from core.admin.pages import AdminPagesMixin
from settings_app.access import accounts_visible_to

from .admin_connections import ConnectionsPage, OAuthCallbackPage, OAuthStartPage
from .choices import PostStatus
from .models import (
    MediaAsset,
    PublishAttempt,
    PublishTarget,
    ScheduledPost,
    ScheduledPostMedia,
    SocialConnection,
)
from .queries import scheduled_posts_visible_to, with_status


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
class MediaAssetAdmin(_ReadOnly):
    list_display = ("__str__", "kind", "mime", "size", "width", "height", "created_at")
    list_filter = ("kind",)


class MediaItemInline(_ReadOnlyInline):
    model = ScheduledPostMedia
    fields = ("position", "asset")
    show_change_link = False


class TargetInline(_ReadOnlyInline):
    model = PublishTarget
    fields = ("connection", "state", "attempt", "next_attempt_at", "error_class", "published_url")
    readonly_fields = fields


@admin.register(ScheduledPost)
class ScheduledPostAdmin(_ReadOnly):
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

    def get_queryset(self, request) -> QuerySet:
        qs = super().get_queryset(request)
        return accounts_visible_to(request.user, qs, through="connection__account__")
