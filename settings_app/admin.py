"""Admin for the agency's settings: clients, editors, boards, the taxonomy and API keys."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html

from core.admin.adding import ServiceAddMixin

from .access import api_keys_visible_to
from .models import ApiKey, Board, Category, Client, Editor, PlatformCredential, Subcategory
from .services import (
    API_KEY_SCOPES,
    MANAGE_ALL_KEYS,
    api_key_create,
    api_key_revoke,
    api_key_users_for,
)


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active", "created_at")
    fieldsets = (
        (None, {"fields": ("name", "is_active", "notes")}),
        ("Brand", {"fields": ("brand_voice", "brand_guidelines", "brand_terms")}),
        ("Reports", {"fields": ("report_emails",)}),
    )
    list_filter = ("is_active",)
    search_fields = ("^name",)


@admin.register(Editor)
class EditorAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "email", "is_active")
    list_filter = ("is_active",)
    list_select_related = ("user",)
    search_fields = ("^name", "^email")


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("^name",)
    prepopulated_fields = {"slug": ("name",)}


class SubcategoryInline(admin.TabularInline):
    model = Subcategory
    fields = ("name", "description")
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "subcategory_count")
    search_fields = ("^name",)
    inlines = (SubcategoryInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_subcategory_count=Count("subcategories"))

    @admin.display(description="Sub-categories", ordering="_subcategory_count")
    def subcategory_count(self, obj: Category) -> int:
        return obj._subcategory_count


@admin.register(Subcategory)
class SubcategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "category")
    list_filter = ("category",)
    list_select_related = ("category",)
    search_fields = ("^name", "^category__name")


class ApiKeyStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return (("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked"))

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True).exclude(expires_at__lte=now)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return None


class ApiKeyAddForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=[(scope, scope.capitalize()) for scope in API_KEY_SCOPES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="None for full access; Read alone for a read-only key.",
    )

    class Meta:
        model = ApiKey
        fields = ("name", "user", "expires_at")


@admin.register(ApiKey)
class ApiKeyAdmin(ServiceAddMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "prefix",
        "user",
        "scopes_display",
        "status",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = (ApiKeyStatusFilter,)
    list_select_related = ("user",)
    search_fields = ("=prefix", "^name")
    actions = ("revoke_keys",)

    add_form = ApiKeyAddForm
    add_fieldsets = ((None, {"fields": ("name", "user", "scopes", "expires_at")}),)
    # The hashed key is never shown; a key is replaced, not edited.
    fieldsets = (
        (None, {"fields": ("name", "prefix", "user", "scopes_display", "status")}),
        ("Dates", {"fields": ("created_at", "expires_at", "last_used_at", "revoked_at")}),
    )
    readonly_fields = helpers.flatten_fieldsets(fieldsets)

    @admin.display(description="Scopes")
    def scopes_display(self, obj: ApiKey) -> str:
        return ", ".join(obj.scopes) if obj.scopes else "full access"

    @admin.display(description="Status")
    def status(self, obj: ApiKey) -> str:
        if obj.revoked_at is not None:
            return "Revoked"
        if obj.expires_at is not None and obj.expires_at <= timezone.now():
            return "Expired"
        return "Active"

    def get_queryset(self, request):
        return api_keys_visible_to(request.user, super().get_queryset(request))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None and not request.user.has_perm(MANAGE_ALL_KEYS):
            # A key acts with its user's rights: without the permission, it is one's own.
            return [
                (title, {**options, "fields": [f for f in options["fields"] if f != "user"]})
                for title, options in fieldsets
            ]
        return fieldsets

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = api_key_users_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        return {"user": request.user.pk, **super().get_changeform_initial_data(request)}

    def add_with_service(self, request, form):
        data = form.cleaned_data
        key, raw_key = api_key_create(
            user=data.get("user", request.user),
            name=data["name"],
            scopes=data["scopes"],
            expires_at=data["expires_at"],
            created_by=request.user,
        )
        self.log_addition(request, key, [{"added": {}}])
        self.message_user(
            request,
            format_html(
                "The new key for “{}” is <code>{}</code> — copy it now, it won't be shown again.",
                key.name,
                raw_key,
            ),
            messages.WARNING,
        )
        return self.response_add(request, key)

    def save_model(self, request, obj, form, change):
        # Nothing on a key is edited after creation (adding goes through api_key_create); a full
        # save() here would only write back a stale last_used_at.
        return None

    @admin.action(description="Revoke selected keys", permissions=["change"])
    def revoke_keys(self, request, queryset):
        # A handful of keys picked by hand: one service call each.
        revoked = 0
        for key in queryset.filter(revoked_at__isnull=True):
            api_key_revoke(key=key)
            revoked += 1
        self.message_user(request, f"{revoked} key(s) revoked.", messages.SUCCESS)


class PlatformCredentialForm(forms.ModelForm):
    # Write-only: the stored token is never sent back to the browser.
    token = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="Stored encrypted. Leave empty to keep the current token.",
    )

    class Meta:
        model = PlatformCredential
        fields = ("platform", "name", "token", "expires_at", "notes")

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token and self.instance.pk is None:
            raise forms.ValidationError("A new credential needs its token.")
        return token or self.instance.token


@admin.register(PlatformCredential)
class PlatformCredentialAdmin(admin.ModelAdmin):
    form = PlatformCredentialForm
    list_display = ("platform", "name", "expires_at", "updated_at")
    list_filter = ("platform",)
    search_fields = ("^name",)
