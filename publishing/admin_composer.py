"""The composer and the CSV import in the admin (specs/publishing.md §5).

Composer: caption with per-platform character counters (limits rendered from the validation
limits as data- attributes, counted by publishing/static/publishing/composer.js), hashtags,
media picker, accounts the user may publish to, each account's options (TikTok privacy levels
from its creator_info, or why they are unavailable), a local date, time and zone, a preview per
platform (server-rendered, truncated where the platform truncates), and Schedule / Add to queue /
Post now: the same services as the API (compose, queue), errors per field and per account.

Import: upload a CSV, see every row's answer (scheduled_posts_import_csv)."""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse

from ai.captions import MAX_VARIANTS, TONES
from core.admin.adding import add_domain_error
from core.admin.pages import AdminPage
from core.errors import DomainError
from settings_app.models import Client

from .models import MediaAsset, SocialConnection
from .queries import connections_schedulable_by, media_visible_to
from .services.bulk import COLUMNS, scheduled_posts_import_csv
from .services.captions import ai_status, composer_captions
from .services.compose import scheduled_post_compose
from .services.queue import scheduled_post_queue
from .services.target_options import (
    FIRST_COMMENT_MAX,
    TEXT_LIMITS,
    TIKTOK_PRIVACY_LEVELS,
    YOUTUBE_PRIVACY,
    YOUTUBE_TITLE_MAX,
    tiktok_creator_info,
)

# Where each platform cuts the caption in its feed ("… more"): Instagram after ~125
# characters, TikTok after ~150, YouTube shows ~157 characters of a description.
PREVIEW_CUT = {"instagram": 125, "tiktok": 150, "youtube": 157}
PLATFORM_NAMES = {"instagram": "Instagram", "tiktok": "TikTok", "youtube": "YouTube"}
PLATFORM_SHORT = {"instagram": "IG", "tiktok": "TT", "youtube": "YT"}
MEDIA_SHOWN = 48
TIKTOK_SWITCHES = (
    ("disable_comment", "No comments"),
    ("disable_duet", "No duets"),
    ("disable_stitch", "No stitches"),
    ("brand_content_toggle", "Paid partnership"),
    ("brand_organic_toggle", "Promotes own business"),
)


def hashtags_of(text: str) -> list[str]:
    return [t.lstrip("#") for t in re.split(r"[\s,]+", text or "") if t.strip("#")]


def caption_as_posted(caption: str, hashtags: list[str]) -> str:
    """The text a platform receives: the caption, then the hashtags (as the publisher sends)."""
    tags = " ".join(f"#{tag}" for tag in hashtags)
    return "\n\n".join(part for part in (caption.strip(), tags) if part)


class ComposerForm(forms.Form):
    caption = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    title = forms.CharField(
        required=False, max_length=200, help_text="YouTube title (100 characters shown)."
    )
    hashtags = forms.CharField(
        required=False, max_length=2000, help_text="Separated by spaces or commas; # optional."
    )
    media = forms.ModelMultipleChoiceField(
        queryset=MediaAsset.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="In the order of the library (a carousel's order).",
    )
    connections = forms.ModelMultipleChoiceField(
        queryset=SocialConnection.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Accounts",
    )
    local_date = forms.DateField(
        required=False, label="Date", widget=forms.DateInput(attrs={"type": "date"})
    )
    local_time = forms.TimeField(
        required=False, label="Time", widget=forms.TimeInput(attrs={"type": "time"})
    )
    timezone = forms.CharField(max_length=64, label="Time zone")
    allow_over_quota = forms.BooleanField(
        required=False, label="Schedule even beyond an account's daily budget"
    )

    def __init__(self, *args: Any, user, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        media = media_visible_to(user, MediaAsset.objects.all())
        self.fields["media"].queryset = media
        self.fields["media"].widget.choices = [
            (a.pk, f"{a.get_kind_display()} #{a.pk} · {a.width or '?'}×{a.height or '?'}")
            for a in media.order_by("-created_at", "-id")[:MEDIA_SHOWN]
        ]
        self.fields["connections"].queryset = (
            connections_schedulable_by(user)
            .filter(status="connected")
            .select_related("account")
            .order_by("platform", "account__username", "id")
        )
        self.fields["connections"].label_from_instance = lambda c: (
            f"{PLATFORM_NAMES.get(c.platform, c.platform)} · @{c.account.username}"
        )

    def clean_timezone(self) -> str:
        name = self.cleaned_data["timezone"].strip()
        try:
            ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
            raise forms.ValidationError("Not a time zone name (e.g. Europe/Berlin).") from error
        return name


def _target_fields(connection: SocialConnection, data, creator: dict[int, Any]) -> dict:
    """What the page shows for one account's options (and the values posted back)."""
    prefix = f"opt-{connection.pk}-"

    def value(name: str, default: str = "") -> str:
        return data.get(prefix + name, default) if data is not None else default

    def checked(name: str, default: bool = False) -> bool:
        if data is None or not data:
            return default
        return bool(data.get(prefix + name))

    row: dict[str, Any] = {
        "connection": connection,
        "prefix": prefix,
        "platform": connection.platform,
    }
    if connection.platform == "tiktok":
        answer = creator.get(connection.pk)
        row["privacy_options"] = (
            answer.info.privacy_level_options if answer and answer.info else TIKTOK_PRIVACY_LEVELS
        )
        row["unavailable"] = answer.unavailable if answer and not answer.info else ""
        row["privacy_level"] = value("privacy_level")
        row["switches"] = [
            {"name": name, "label": label, "checked": checked(name)}
            for name, label in TIKTOK_SWITCHES
        ]
    elif connection.platform == "instagram":
        row["share_to_feed"] = checked("share_to_feed", True)
        row["first_comment"] = value("first_comment")
        row["first_comment_max"] = FIRST_COMMENT_MAX
    elif connection.platform == "youtube":
        row["privacy_status"] = value("privacy_status", "private")
        row["privacy_choices"] = YOUTUBE_PRIVACY
        row["category_id"] = value("category_id")
        row["made_for_kids"] = checked("made_for_kids")
        row["yt_title"] = value("title")
        row["title_max"] = YOUTUBE_TITLE_MAX
    return row


def _options_posted(connection: SocialConnection, data) -> dict[str, Any]:
    """One account's options from the form (unset ones left to the platform's default)."""
    prefix = f"opt-{connection.pk}-"
    get = lambda name: (data.get(prefix + name) or "").strip()  # noqa: E731
    if connection.platform == "tiktok":
        options: dict[str, Any] = {"privacy_level": get("privacy_level")}
        options.update({name: True for name, _ in TIKTOK_SWITCHES if get(name)})
        return {k: v for k, v in options.items() if v != ""}
    if connection.platform == "instagram":
        return {
            "share_to_feed": bool(get("share_to_feed")),
            **({"first_comment": get("first_comment")} if get("first_comment") else {}),
        }
    if connection.platform == "youtube":
        options = {
            "privacy_status": get("privacy_status"),
            "category_id": get("category_id"),
            "title": get("title"),
            "made_for_kids": bool(get("made_for_kids")),
        }
        return {k: v for k, v in options.items() if v != ""}
    return {}


def previews(caption: str, title: str, hashtags: list[str], platforms: list[str]) -> list[dict]:
    """Each platform's preview: the text as posted, cut where the platform cuts it."""
    text = caption_as_posted(caption, hashtags)
    rows = []
    for platform in platforms:
        cut = PREVIEW_CUT[platform]
        limits = TEXT_LIMITS[platform]
        shown, more = (text[:cut].rstrip(), True) if len(text) > cut else (text, False)
        row = {
            "platform": platform,
            "name": PLATFORM_NAMES[platform],
            "short": PLATFORM_SHORT[platform],
            "text": shown,
            "more": more,
            "length": len(text),
            "limit": limits.get("caption") or limits.get("description"),
        }
        if platform == "youtube":
            heading = title or (text.splitlines() or ["Untitled"])[0]
            row["title"] = heading[: limits["title"]]
            row["title_cut"] = len(heading) > limits["title"]
        rows.append(row)
    return rows


class ComposerPage(AdminPage):
    route = "composer/"
    url_name = "publishing_composer"
    title = "Compose a post"
    template = "admin/publishing/composer.html"
    permissions = ("publishing.add_scheduledpost",)

    def get(self) -> HttpResponse:
        form = ComposerForm(user=self.request.user, initial={"timezone": settings.TIME_ZONE})
        return self.render_form(form, data=None)

    def render_form(self, form: ComposerForm, *, data, target_errors=None, preview=None, ai=None):
        connections = list(form.fields["connections"].queryset)
        creator = {c.pk: tiktok_creator_info(c) for c in connections if c.platform == "tiktok"}
        chosen = {str(v) for v in (data.getlist("connections") if data is not None else [])}
        targets = []
        for connection in connections:
            row = _target_fields(connection, data, creator)
            row["chosen"] = str(connection.pk) in chosen
            row["errors"] = (target_errors or {}).get(str(connection.pk), {})
            targets.append(row)
        counters = [
            {
                "platform": "instagram",
                "label": "Instagram",
                "limit": TEXT_LIMITS["instagram"]["caption"],
            },
            {"platform": "tiktok", "label": "TikTok", "limit": TEXT_LIMITS["tiktok"]["caption"]},
            {
                "platform": "youtube",
                "label": "YouTube description",
                "limit": TEXT_LIMITS["youtube"]["description"],
            },
        ]
        return self.render(
            {
                "form": form,
                "targets": targets,
                "counters": counters,
                "title_limit": TEXT_LIMITS["youtube"]["title"],
                "previews": preview,
                "zones": sorted(zoneinfo.available_timezones()),
                "media_library_url": reverse("admin:publishing_mediaasset_changelist"),
                "can_see_media": self.request.user.has_perm("publishing.view_mediaasset"),
                "ai": self.ai_context(data, **(ai or {})),
            }
        )

    def ai_context(self, data, *, suggestions=(), error: str = "") -> dict:
        """The AI suggestions' fieldset: why it is off, what was asked, what came back."""
        get = (
            (lambda name, default="": data.get(name, default))
            if data is not None
            else (lambda name, default="": default)
        )
        client_id = get("ai_client")
        source = get("ai_platform", "instagram")
        chosen = set(
            connections_schedulable_by(self.request.user)
            .filter(pk__in=[v for v in data.getlist("connections") if str(v).isdigit()])
            .values_list("platform", flat=True)
            if data is not None
            else ()
        )
        return {
            "off": ai_status(),
            "error": error,
            "brief": get("ai_brief"),
            "platform": get("ai_platform", "instagram"),
            "platforms": list(PLATFORM_NAMES.items()),
            "tone": get("ai_tone", "professional"),
            "tones": TONES,
            "clients": Client.objects.filter(is_active=True).order_by("name")[:200],
            "client_id": int(client_id) if str(client_id).isdigit() else None,
            "variants": get("ai_variants", "1"),
            "max_variants": MAX_VARIANTS,
            "suggestions": list(suggestions),
            # "Rewrite for …": the caption above (written for the platform chosen) rewritten
            # for each chosen account's other platform (every other one when none is chosen).
            "rewrite_to": [
                (value, label)
                for value, label in PLATFORM_NAMES.items()
                if value != source and (not chosen or value in chosen)
            ],
        }

    def suggest(self, form: ComposerForm, data) -> HttpResponse:
        """Ask the AI for captions; the first fills the caption and hashtags fields (nothing
        is saved), the others are listed. A failing AI says why; the form keeps its input."""
        cleaned = form.cleaned_data
        client_id = data.get("ai_client", "")
        try:
            variants = int(data.get("ai_variants") or 1)
        except ValueError:
            variants = 0
        try:
            captions = composer_captions(
                user=self.request.user,
                brief=data.get("ai_brief", "").strip() or cleaned["caption"],
                platform=data.get("ai_platform", ""),
                tone=data.get("ai_tone", "professional"),
                variants=variants,
                client=Client.objects.filter(pk=client_id).first() if client_id.isdigit() else None,
                media=list(cleaned["media"]),
            )
        except DomainError as error:
            return self.render_form(form, data=data, ai={"error": error.message})
        filled = data.copy()
        filled["caption"] = captions[0].caption
        filled["hashtags"] = " ".join(captions[0].hashtags)
        form = ComposerForm(filled, user=self.request.user)
        form.is_valid()
        return self.render_form(form, data=filled, ai={"suggestions": captions})

    def rewrite(self, form: ComposerForm, data, platform: str) -> HttpResponse:
        """The caption above, written for the AI section's platform, rewritten for `platform`:
        the first answer fills the caption and hashtags fields as a suggestion does (nothing is
        saved), and becomes the section's platform."""
        cleaned = form.cleaned_data
        if platform == data.get("ai_platform", ""):
            return self.render_form(
                form, data=data, ai={"error": "The caption is already for that platform."}
            )
        if not cleaned["caption"].strip():
            return self.render_form(
                form, data=data, ai={"error": "Write or suggest a caption above to rewrite it."}
            )
        client_id = data.get("ai_client", "")
        try:
            captions = composer_captions(
                user=self.request.user,
                brief=data.get("ai_brief", "").strip(),
                platform=platform,
                tone=data.get("ai_tone", "professional"),
                client=Client.objects.filter(pk=client_id).first() if client_id.isdigit() else None,
                media=list(cleaned["media"]),
                repurpose={
                    "caption": cleaned["caption"],
                    "hashtags": hashtags_of(cleaned["hashtags"]),
                    "platform": data.get("ai_platform", ""),
                },
            )
        except DomainError as error:
            return self.render_form(form, data=data, ai={"error": error.message})
        filled = data.copy()
        filled["caption"] = captions[0].caption
        filled["hashtags"] = " ".join(captions[0].hashtags)
        filled["ai_platform"] = platform
        form = ComposerForm(filled, user=self.request.user)
        form.is_valid()
        return self.render_form(form, data=filled, ai={"suggestions": captions})

    def post(self) -> HttpResponse:
        data = self.request.POST
        form = ComposerForm(data, user=self.request.user)
        action = data.get("action", "preview")
        if not form.is_valid():
            return self.render_form(form, data=data)
        cleaned = form.cleaned_data
        hashtags = hashtags_of(cleaned["hashtags"])
        connections = list(cleaned["connections"])
        platforms = sorted({c.platform for c in connections}) or ["instagram", "tiktok", "youtube"]
        preview = previews(cleaned["caption"], cleaned["title"], hashtags, platforms)
        if action == "preview":
            return self.render_form(form, data=data, preview=preview)
        if action == "ai_captions":
            return self.suggest(form, data)
        if action.startswith("ai_rewrite:"):
            return self.rewrite(form, data, action.removeprefix("ai_rewrite:"))
        if not connections:
            form.add_error("connections", "Choose at least one account.")
            return self.render_form(form, data=data, preview=preview)
        common = {
            "caption": cleaned["caption"],
            "title": cleaned["title"],
            "hashtags": hashtags,
            "media": list(cleaned["media"].order_by("-created_at", "-id")),
            "connections": connections,
            "target_options": {c.pk: _options_posted(c, data) for c in connections},
        }
        try:
            if action == "queue":
                posts = scheduled_post_queue(user=self.request.user, **common)
            else:
                zone = cleaned["timezone"]
                if action == "now":
                    local = datetime.now(ZoneInfo(zone)).replace(
                        second=0, microsecond=0, tzinfo=None
                    )
                else:
                    if not cleaned["local_date"] or not cleaned["local_time"]:
                        form.add_error("local_date", "Pick a date and a time, or add to the queue.")
                        return self.render_form(form, data=data, preview=preview)
                    local = datetime.combine(cleaned["local_date"], cleaned["local_time"])
                posts = [
                    scheduled_post_compose(
                        created_by=self.request.user,
                        local_time=local,
                        timezone=zone,
                        allow_over_quota=cleaned["allow_over_quota"],
                        **common,
                    )
                ]
        except DomainError as error:
            target_errors = dict((error.fields or {}).get("target_options") or {})
            per_connection = (error.fields or {}).get("connections")
            if isinstance(per_connection, dict):
                for key, messages_ in per_connection.items():
                    target_errors.setdefault(key, {})["account"] = messages_
            fields = {
                ("local_date" if k == "local_time" else k): v
                for k, v in (error.fields or {}).items()
                if isinstance(v, list)
            }
            add_domain_error(form, DomainError(error.message, code=error.code, fields=fields))
            if fields and not form.non_field_errors():
                form.add_error(None, error.message)
            return self.render_form(form, data=data, target_errors=target_errors, preview=preview)
        for post in posts:
            local = post.scheduled_at.astimezone(ZoneInfo(post.timezone))
            verb = "Publishing now" if action == "now" else "Scheduled"
            messages.success(
                self.request,
                f"{verb}: “{post}” for {local:%a %d %b %Y %H:%M} ({post.timezone}) to "
                f"{post.targets.count()} account(s).",
            )
        first = posts[0]
        day = first.scheduled_at.astimezone(ZoneInfo(first.timezone)).date()
        return HttpResponseRedirect(
            f"{reverse('admin:publishing_calendar')}?view=week&date={day:%Y-%m-%d}"
            f"&tz={first.timezone}"
        )


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="UTF-8, with a header row.")


class ImportPage(AdminPage):
    route = "import/"
    url_name = "publishing_import"
    title = "Import scheduled posts (CSV)"
    template = "admin/publishing/import.html"
    permissions = ("publishing.add_scheduledpost",)

    def get_context(self, **kwargs: Any) -> dict:
        return {"form": ImportForm(), "columns": COLUMNS, "default_zone": settings.TIME_ZONE}

    def post(self) -> HttpResponse:
        form = ImportForm(self.request.POST, self.request.FILES)
        report = None
        if form.is_valid():
            try:
                report = scheduled_posts_import_csv(
                    file=form.cleaned_data["file"], user=self.request.user
                )
            except DomainError as error:
                add_domain_error(form, error)
        return self.render(
            {
                "form": form,
                "columns": COLUMNS,
                "default_zone": settings.TIME_ZONE,
                "report": report,
                "created": report.count("created") if report else 0,
                "existing": report.count("exists") if report else 0,
                "failed": report.count("error") if report else 0,
                "calendar_url": reverse("admin:publishing_calendar"),
            }
        )
