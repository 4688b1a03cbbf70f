from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models.functions import Lower

from core.fields import EncryptedTextField
from core.models import TimeStampedModel


class Client(TimeStampedModel):
    """An agency client whose content the team produces or clips."""

    name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    notes = models.TextField(blank=True)
    brand_voice = models.TextField(
        blank=True, help_text="How the client sounds, in a few words (AI captions use it)."
    )
    brand_guidelines = models.TextField(
        blank=True,
        help_text="The client's rules for captions, one per line (AI captions and the caption "
        "quality check cite them).",
    )
    brand_terms = models.TextField(
        blank=True,
        help_text="Handles, hashtags and keywords that name the brand, one per line (mentions).",
    )
    report_emails = models.TextField(
        blank=True,
        help_text="Who receives the client's scheduled reports: e-mail addresses, one per line.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="client_name_unique_ci",
                violation_error_message="A client with this name already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        bad = [line for line in lines(self.report_emails) if not _is_email(line)]
        if bad:
            raise ValidationError({"report_emails": f"Not an e-mail address: {', '.join(bad)}."})

    @property
    def report_email_list(self) -> list[str]:
        return lines(self.report_emails)

    @property
    def brand_term_list(self) -> list[str]:
        return lines(self.brand_terms)


def lines(text: str) -> list[str]:
    """The non-empty, stripped lines of a one-per-line text field."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


class Editor(TimeStampedModel):
    """An editor or clipper who adds posts and runs accounts; optionally a login user."""

    name = models.CharField(max_length=200)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="editor",
    )
    email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="editor_name_unique_ci",
                violation_error_message="An editor with this name already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Board(TimeStampedModel):
    """A grouping of posts and accounts (the seed's `belongs_to`: Finance, Clipping, Clients…)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(TimeStampedModel):
    """A top-level content category of the AI taxonomy."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Subcategory(TimeStampedModel):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="subcategories")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["category__name", "name"]
        verbose_name_plural = "subcategories"
        constraints = [
            models.UniqueConstraint(
                fields=["category", "name"],
                name="subcategory_unique_per_category",
                violation_error_message="This category already has a sub-category with this name.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category.name} › {self.name}"


class ApiKey(models.Model):
    """A key for the frontend and scripts; only its hash is stored, the key is shown once."""

    name = models.CharField(
        max_length=100, help_text="What the key is for, e.g. 'frontend' or 'import script'."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    hashed_key = models.CharField(max_length=128, editable=False)
    scopes = models.JSONField(
        default=list, blank=True, help_text='Empty for full access; ["read"] for a read-only key.'
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_read_only(self) -> bool:
        return "read" in (self.scopes or []) and "write" not in (self.scopes or [])


class PlatformCredential(TimeStampedModel):
    """A platform token or API credential (e.g. the Instagram Graph long-lived token), stored
    encrypted with FIELD_ENCRYPTION_KEYS; never shown back in the admin or the API."""

    class Platform(models.TextChoices):
        INSTAGRAM = "instagram", "Instagram"
        TIKTOK = "tiktok", "TikTok"
        YOUTUBE = "youtube", "YouTube"
        APIFY = "apify", "Apify"
        OPENAI = "openai", "OpenAI"

    platform = models.CharField(max_length=16, choices=Platform.choices)
    name = models.CharField(max_length=100, help_text="e.g. 'graph long-lived token'.")
    token = EncryptedTextField(help_text="Stored encrypted; write-only.")
    expires_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["platform", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "name"],
                name="platform_credential_unique_name",
                violation_error_message="This platform already has a credential with this name.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} · {self.name}"
