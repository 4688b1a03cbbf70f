"""The inbox in the admin: each person's own notifications (whatever their role), opened by a
link that marks them read; their preferences on a page of their own. The header shows the
unread count (fetched by notifications/unread.js, so no admin page pays a query for it)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from core.admin.changelist import FilterSetAdminMixin
from core.admin.pages import AdminPage, AdminPagesMixin

from .choices import NotificationKind
from .filters import NotificationFilterSet
from .models import Notification, NotificationPreference
from .queries import notifications_of
from .services import notification_preference_update, notifications_mark_read, preference_of


class PreferenceForm(forms.Form):
    email_kinds = forms.MultipleChoiceField(
        label="By e-mail",
        choices=NotificationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    slack_kinds = forms.MultipleChoiceField(
        label="On Slack",
        choices=NotificationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    slack_webhook_url = forms.CharField(
        label="Slack webhook URL",
        required=False,
        max_length=500,
        help_text="Leave empty to keep the one saved; an incoming webhook of your Slack.",
        widget=forms.PasswordInput(render_value=False),
    )
    clear_slack_webhook = forms.BooleanField(label="Remove the saved webhook", required=False)
    digest_after = forms.IntegerField(
        label="Digest from", min_value=2, max_value=100, help_text="messages waiting at once"
    )


class PreferencesPage(AdminPage):
    route = "preferences/"
    url_name = "notifications_preferences"
    title = "Notification preferences"
    template = "admin/notifications/preferences.html"
    permissions = ()  # everybody's own

    def get_context(self, form=None):
        saved = NotificationPreference.objects.filter(user=self.request.user).first()
        wants = preference_of(saved)
        form = form or PreferenceForm(
            initial={
                "email_kinds": sorted(wants.email_kinds),
                "slack_kinds": sorted(wants.slack_kinds),
                "digest_after": wants.digest_after,
            }
        )
        # One row per event, its e-mail and Slack boxes side by side.
        events = zip(NotificationKind.labels, form["email_kinds"], form["slack_kinds"], strict=True)
        return {
            "form": form,
            "events": list(events),
            "has_webhook": bool(wants.slack_webhook_url),
            "has_email": bool(self.request.user.email),
        }

    def post(self):
        form = PreferenceForm(self.request.POST)
        if form.is_valid():
            data = form.cleaned_data
            saved = NotificationPreference.objects.filter(user=self.request.user).first()
            webhook = data["slack_webhook_url"] or (saved.slack_webhook_url if saved else "")
            try:
                notification_preference_update(
                    user=self.request.user,
                    email_kinds=data["email_kinds"],
                    slack_kinds=data["slack_kinds"],
                    slack_webhook_url="" if data["clear_slack_webhook"] else webhook,
                    digest_after=data["digest_after"],
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(self.request, "Your notification preferences are saved.")
                return HttpResponseRedirect(self.url())
        return self.render(self.get_context(form=form))


@admin.register(Notification)
class NotificationAdmin(AdminPagesMixin, FilterSetAdminMixin, admin.ModelAdmin):
    filterset_class = NotificationFilterSet
    pages = (PreferencesPage,)
    list_display = ("created_at", "kind", "message", "is_read", "delivery")
    ordering = ("-created_at", "-id")
    sortable_by = ()
    actions = ("mark_read",)
    list_display_links = ("created_at",)

    # An inbox: every signed-in staff member has one, and sees only their own rows.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and (
            obj is None or obj.user_id == request.user.pk
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return notifications_of(request.user)

    def get_urls(self):
        open_view = self.admin_site.admin_view(self.open_view)
        return [path("<int:pk>/open/", open_view, name="notifications_open"), *super().get_urls()]

    @admin.display(description="Notification")
    def message(self, obj: Notification):
        link = reverse("admin:notifications_open", args=[obj.pk])
        weight = "" if obj.read_at else "notification-unread"
        return format_html('<a class="{}" href="{}">{}</a>', weight, link, obj.text)

    @admin.display(description="Read", boolean=True)
    def is_read(self, obj: Notification) -> bool:
        return obj.read_at is not None

    @admin.display(description="E-mail / Slack")
    def delivery(self, obj: Notification) -> str:
        if obj.delivery_error:
            return f"Not sent: {obj.delivery_error}"
        if obj.delivered_at:
            return "Sent"
        return "Waiting" if obj.email_pending or obj.slack_pending else "In-app only"

    @admin.action(description="Mark as read")
    def mark_read(self, request, queryset):
        marked = notifications_mark_read(
            user=request.user, ids=queryset.values_list("pk", flat=True)
        )
        self.message_user(request, f"{marked} notification(s) marked read.", messages.SUCCESS)

    def open_view(self, request, pk: int):
        """Mark one notification read and go where it points (only within this site)."""
        notification = get_object_or_404(notifications_of(request.user), pk=pk)
        notifications_mark_read(user=request.user, ids=[notification.pk])
        target = notification.url
        if not target or not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("admin:notifications_notification_changelist")
        return HttpResponseRedirect(target)

    def changelist_view(self, request, extra_context=None):
        extra = {
            "preferences_url": reverse("admin:notifications_preferences"),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra)
