"""Workflow in the admin: campaigns (with progress), deliverables (creating their tasks),
content tasks (the task page: brief, drafts, caption versions and diff, comments, timeline,
move buttons) and review links. Writes go through workflow/services."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from core.admin.changelist import FilterSetAdminMixin
from core.admin.pages import AdminPagesMixin
from core.admin.related import PlainUnviewableRelationsMixin
from core.errors import DomainError
from settings_app.access import (
    campaigns_visible_to,
    deliverables_visible_to,
    is_creator_login,
    progress_creator_of,
    tasks_visible_to,
)

from .admin_board import BOARD_PAGES
from .admin_brief import CampaignBriefPage
from .admin_task import TaskActionPage, task_workspace
from .filters import CampaignFilterSet, ContentTaskFilterSet, DeliverableFilterSet
from .models import Campaign, ContentTask, Deliverable, ReviewLink, ReviewLinkUse
from .queries import campaign_progress
from .services.campaigns import (
    CAMPAIGN_FIELDS,
    campaign_create,
    campaign_update,
    deliverable_create,
)
from .services.review import review_link_revoke
from .services.tasks import task_create, task_update

TASK_EDITABLE = (
    "title",
    "description",
    "assignee",
    "platform",
    "due_at",
    "campaign",
    "deliverable",
    "target_accounts",
)


class DeliverableInline(PlainUnviewableRelationsMixin, admin.TabularInline):
    model = Deliverable
    fields = ("creator", "platform", "kind", "quantity", "due")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return deliverables_visible_to(request.user, super().get_queryset(request))


@admin.register(Campaign)
class CampaignAdmin(
    PlainUnviewableRelationsMixin, AdminPagesMixin, FilterSetAdminMixin, admin.ModelAdmin
):
    pages = (CampaignBriefPage,)
    filterset_class = CampaignFilterSet
    list_display = ("name", "client", "status", "start", "end", "budget")
    list_select_related = ("client",)
    search_fields = ("^name",)
    ordering = ("-id",)
    fields = (*CAMPAIGN_FIELDS, "attachments")
    raw_id_fields = ("attachments",)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if is_creator_login(request.user):  # the agency's deal with the client
            return [name for name in fields if name != "budget"]
        return fields

    inlines = (DeliverableInline,)
    change_form_template = "admin/workflow/campaign/change_form.html"

    def get_queryset(self, request):
        return campaigns_visible_to(request.user, super().get_queryset(request))

    def save_model(self, request, obj, form, change):
        data = {
            name: form.cleaned_data[name] for name in CAMPAIGN_FIELDS if name in form.cleaned_data
        }
        try:
            if change:
                changed = {n: data[n] for n in form.changed_data if n in data}
                campaign_update(obj, **changed)
            else:
                saved = campaign_create(created_by=request.user, **data)
                obj.pk = saved.pk
                obj._state.adding = False
        except DomainError as error:  # pragma: no cover (the form validated the same rules)
            self.message_user(request, error.message, messages.ERROR)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            user = request.user
            context["progress"] = campaign_progress(obj, creator_id=progress_creator_of(user))
            if user.has_perm("workflow.add_deliverable"):
                context["add_deliverable_url"] = (
                    reverse("admin:workflow_deliverable_add") + f"?campaign={obj.pk}"
                )
            context["tasks_url"] = (
                reverse("admin:workflow_contenttask_changelist") + f"?campaign={obj.pk}"
            )
            if request.user.has_perm("workflow.add_deliverable"):
                context["brief_url"] = reverse("admin:workflow_campaign_brief", args=[obj.pk])
            context["published"] = list(
                tasks_visible_to(user, obj.tasks.filter(column="published"))
                .prefetch_related("published_posts")
                .order_by("-updated_at")[:50]
            )
        return super().render_change_form(request, context, add, change, form_url, obj)


class DeliverableForm(forms.ModelForm):
    create_tasks = forms.BooleanField(
        required=False, initial=True, help_text="One Backlog task per unit."
    )

    class Meta:
        model = Deliverable
        fields = ("campaign", "creator", "platform", "kind", "quantity", "due")


@admin.register(Deliverable)
class DeliverableAdmin(PlainUnviewableRelationsMixin, FilterSetAdminMixin, admin.ModelAdmin):
    filterset_class = DeliverableFilterSet
    form = DeliverableForm
    list_display = ("__str__", "campaign", "creator", "due")
    list_select_related = ("campaign", "creator")
    ordering = ("-id",)
    raw_id_fields = ("campaign", "creator")

    def get_fields(self, request, obj=None):
        fields = ["campaign", "creator", "platform", "kind", "quantity", "due"]
        return [*fields, "create_tasks"] if obj is None else fields

    def get_queryset(self, request):
        return deliverables_visible_to(request.user, super().get_queryset(request))

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            obj.save()
            return
        saved = deliverable_create(
            campaign=data["campaign"],
            creator=data["creator"],
            platform=data["platform"],
            kind=data["kind"],
            quantity=data["quantity"],
            due=data["due"],
            created_by=request.user,
            create_tasks=data.get("create_tasks", False),
        )
        obj.pk = saved.pk
        obj._state.adding = False


@admin.register(ContentTask)
class ContentTaskAdmin(
    PlainUnviewableRelationsMixin, AdminPagesMixin, FilterSetAdminMixin, admin.ModelAdmin
):
    filterset_class = ContentTaskFilterSet
    pages = (TaskActionPage, *BOARD_PAGES)  # the content board (workflow/admin_board.py)
    list_display = (
        "title",
        "creator",
        "campaign",
        "platform",
        "column",
        "due_display",
        "flagged",
        "assignee",
    )
    list_select_related = ("creator", "campaign", "assignee")
    search_fields = ("^title",)
    ordering = ("-id",)
    # The assignee is a select of active staff: a raw-id lookup opens the users' list, which
    # only Owners may see (a Manager's magnifier answered 403).
    raw_id_fields = ("campaign", "deliverable", "creator", "target_accounts")
    change_form_template = "admin/workflow/contenttask/change_form.html"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assignee":
            kwargs["queryset"] = (
                get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _scheduled_field(self, request) -> str:
        # The scheduled post links to publishing's page: only for those who may open it (a
        # creator's login read a link answering 403); the others read when it is due.
        if request.user.has_perm("publishing.view_scheduledpost"):
            return "scheduled_post"
        return "scheduled_for"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("creator", *TASK_EDITABLE)
        scheduled = self._scheduled_field(request)
        return (*TASK_EDITABLE, "creator", "column", "position", scheduled, "flag_reason")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        scheduled = self._scheduled_field(request)
        return self.plain_readonly(
            request, ("creator", "column", "position", scheduled, "flag_reason")
        )

    @admin.display(description="Scheduled for")
    def scheduled_for(self, obj: ContentTask) -> str:
        post = obj.scheduled_post
        if post is None:
            return "—"
        return timezone.localtime(post.scheduled_at).strftime("%Y-%m-%d %H:%M %Z")

    def has_change_permission(self, request, obj=None):
        # A creator's login reads its tasks here and acts through the buttons (moves,
        # comments), never by editing the task's fields.
        if is_creator_login(request.user):
            return False
        return super().has_change_permission(request, obj)

    def get_queryset(self, request):
        return tasks_visible_to(request.user, super().get_queryset(request))

    @admin.display(description="Due", ordering="due_at")
    def due_display(self, obj: ContentTask) -> str:
        if obj.due_at is None:
            return "—"
        late = obj.column not in ("published", "cancelled") and obj.due_at < timezone.now()
        text = obj.due_at.strftime("%Y-%m-%d %H:%M")
        return (
            format_html('<strong class="co-overdue">{} (overdue)</strong>', text) if late else text
        )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changed = [
                n for n in form.changed_data if n in TASK_EDITABLE and n != "target_accounts"
            ]
            task_update(obj, **{n: data[n] for n in changed})
            return
        saved = task_create(
            creator=data["creator"],
            title=data["title"],
            platform=data["platform"],
            description=data.get("description", ""),
            assignee=data.get("assignee"),
            due_at=data.get("due_at"),
            campaign=data.get("campaign"),
            deliverable=data.get("deliverable"),
            created_by=request.user,
        )
        obj.pk, obj.column, obj.position = saved.pk, saved.column, saved.position
        obj._state.adding = False

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["workspace"] = task_workspace(obj, request.user)
        return super().render_change_form(request, context, add, change, form_url, obj)


class ReviewLinkUseInline(admin.TabularInline):
    model = ReviewLinkUse
    fields = ("at", "action", "ip", "task", "detail")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReviewLink)
class ReviewLinkAdmin(PlainUnviewableRelationsMixin, admin.ModelAdmin):
    list_display = ("__str__", "task", "campaign", "reviewer_name", "expires_at", "revoked_at")
    list_select_related = ("task", "campaign")
    ordering = ("-id",)
    fields = (
        "prefix",
        "task",
        "campaign",
        "reviewer_name",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
        "revoked_by",
    )
    readonly_fields = fields
    inlines = (ReviewLinkUseInline,)
    actions = ("revoke",)

    def has_add_permission(self, request):
        return False  # created from the task page or the API: the token is shown once there

    @admin.action(description="Revoke", permissions=["change"])
    def revoke(self, request, queryset):
        count = sum(review_link_revoke(link, by=request.user) for link in queryset[:500])
        self.message_user(request, f"{count} link(s) revoked.", messages.SUCCESS)
