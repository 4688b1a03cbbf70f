"""Telling people about events (specs/workflow.md "Notifications").

`notify` writes one in-app notification per person and event, inside the caller's transaction
(idempotent: the same event told twice is one row). E-mail and Slack go afterwards, by the
`deliver_notifications` job, to the channels each person chose; when many messages wait for one
person at once they go as one digest."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from core.jobs import WorkReport, error_text, rows_claim
from core.webhooks import WebhookRefused, webhook_check, webhook_post

from .choices import Channel, NotificationKind
from .models import Notification, NotificationPreference


@dataclass(frozen=True)
class Preference:
    """What a person wants, with the defaults applied."""

    email_kinds: frozenset[str]
    slack_kinds: frozenset[str]
    slack_webhook_url: str
    digest_after: int


DEFAULT_PREFERENCE = Preference(
    email_kinds=frozenset(NotificationKind.values),
    slack_kinds=frozenset(),
    slack_webhook_url="",
    digest_after=5,
)


def preference_of(row: NotificationPreference | None) -> Preference:
    if row is None:
        return DEFAULT_PREFERENCE
    return Preference(
        email_kinds=frozenset(row.email_kinds),
        slack_kinds=frozenset(row.slack_kinds),
        slack_webhook_url=row.slack_webhook_url,
        digest_after=row.digest_after,
    )


def _admin_url(obj: models.Model) -> str:
    meta = obj._meta
    try:
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return ""


def notify(
    users: Iterable,
    *,
    kind: str,
    text: str,
    key: str,
    obj: models.Model | None = None,
    url: str = "",
) -> int:
    """Tell each of `users` (users or their ids) about one event, identified by `key` (e.g.
    "task:12:submitted:3"). In-app at once; by e-mail and Slack after the caller's transaction
    commits, as each person chose. Telling a person about the same key again does nothing.
    Returns the number of people written to (new or not)."""
    kind = NotificationKind(kind)
    user_ids = {getattr(user, "pk", user) for user in users if user is not None}
    if not user_ids:
        return 0
    people = get_user_model().objects.filter(pk__in=user_ids, is_active=True)
    preferences = {
        row.user_id: row for row in NotificationPreference.objects.filter(user_id__in=user_ids)
    }
    object_type = ContentType.objects.get_for_model(obj) if obj is not None else None
    url = url or (_admin_url(obj) if obj is not None else "")
    now = timezone.now()
    rows = []
    for person in people.only("pk", "email"):
        wants = preference_of(preferences.get(person.pk))
        rows.append(
            Notification(
                user_id=person.pk,
                kind=kind,
                text=text[:500],
                url=url,
                object_type=object_type,
                object_id=str(obj.pk) if obj is not None else "",
                key=key[:200],
                created_at=now,
                email_pending=bool(person.email) and kind in wants.email_kinds,
                slack_pending=bool(wants.slack_webhook_url) and kind in wants.slack_kinds,
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


@transaction.atomic
def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark a person's notifications read (all of them without `ids`); others' are untouched."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def _webhook_hosts() -> tuple[str, ...]:
    return tuple(host.lower() for host in settings.NOTIFICATION_WEBHOOK_HOSTS)


def notification_preference_update(
    *,
    user,
    email_kinds: Iterable[str],
    slack_kinds: Iterable[str],
    slack_webhook_url: str = "",
    digest_after: int = 5,
) -> NotificationPreference:
    """Save what `user` wants by e-mail and on Slack. Raises ValidationError naming the field."""
    errors: dict[str, str] = {}
    email_kinds, slack_kinds = list(dict.fromkeys(email_kinds)), list(dict.fromkeys(slack_kinds))
    for field, kinds in (("email_kinds", email_kinds), ("slack_kinds", slack_kinds)):
        unknown = [kind for kind in kinds if kind not in NotificationKind.values]
        if unknown:
            errors[field] = f"Unknown events: {', '.join(map(str, unknown))}."
    slack_webhook_url = (slack_webhook_url or "").strip()
    if slack_webhook_url:
        try:
            webhook_check(slack_webhook_url, allowed_hosts=_webhook_hosts())
        except WebhookRefused as error:
            errors["slack_webhook_url"] = str(error)
    elif slack_kinds:
        errors["slack_webhook_url"] = "Give your Slack webhook URL to get events on Slack."
    if not 2 <= int(digest_after) <= 100:
        errors["digest_after"] = "Between 2 and 100."
    if errors:
        raise ValidationError(errors)
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user,
        defaults={
            "email_kinds": email_kinds,
            "slack_kinds": slack_kinds,
            "slack_webhook_url": slack_webhook_url,
            "digest_after": int(digest_after),
        },
    )
    return preference


# --- Delivery (the deliver_notifications job) ---------------------------------------------------


def _message(rows: list[Notification]) -> tuple[str, str]:
    """Subject and body: one notification, or a digest of several."""
    base = settings.SITE_URL.rstrip("/")

    def line(row: Notification) -> str:
        return f"{row.text}\n{base}{row.url}" if row.url else row.text

    if len(rows) == 1:
        return rows[0].text[:120], line(rows[0])
    subject = f"{len(rows)} updates in CreatorOps"
    return subject, "\n\n".join(f"• {line(row)}" for row in rows)


def _send(channel: str, person, wants: Preference, rows: list[Notification]) -> None:
    subject, body = _message(rows)
    if channel == Channel.EMAIL:
        send_mail(f"[CreatorOps] {subject}", body, None, [person.email])
    else:
        webhook_post(
            wants.slack_webhook_url,
            body if len(rows) == 1 else f"*{subject}*\n{body}",
            allowed_hosts=_webhook_hosts(),
        )


def _batches(rows: list[Notification], digest_after: int) -> list[list[Notification]]:
    # Many at once: one digest; a few: one message each.
    return [rows] if len(rows) >= digest_after else [[row] for row in rows]


def notifications_deliver(*, now: datetime | None = None, limit: int = 500) -> WorkReport:
    """Send the notifications waiting for e-mail or Slack. Claimed for a while (a crashed
    worker's claim expires and they are sent later); a channel that fails is retried up to
    NOTIFICATION_MAX_ATTEMPTS times, then left with its error (the inbox still has it)."""
    now = now or timezone.now()
    report = WorkReport(kind="notification")
    waiting = Notification.objects.filter(Q(email_pending=True) | Q(slack_pending=True))
    ids = rows_claim(
        waiting,
        now=now,
        limit=limit,
        order_by=["created_at", "id"],
        claim_field="delivery_claimed_until",
    )
    claimed = (
        Notification.objects.filter(pk__in=ids)
        .select_related("user", "user__notification_preference")
        .order_by("user_id", "created_at", "id")
    )
    by_person: dict[int, list[Notification]] = defaultdict(list)
    for row in claimed:
        by_person[row.user_id].append(row)
    for rows in by_person.values():
        person = rows[0].user
        wants = preference_of(getattr(person, "notification_preference", None))
        for channel, pending in (
            (Channel.EMAIL, "email_pending"),
            (Channel.SLACK, "slack_pending"),
        ):
            for batch in _batches([r for r in rows if getattr(r, pending)], wants.digest_after):
                _deliver_batch(channel, pending, person, wants, batch, now=now, report=report)
    return report


def _deliver_batch(channel, pending, person, wants, batch, *, now, report) -> None:
    ids = [row.pk for row in batch]
    try:
        _send(channel, person, wants, batch)
    except Exception as error:  # one person's channel never stops the others
        message = f"{Channel(channel).label}: {error_text(error)}"
        attempts = batch[0].delivery_attempts + 1
        changes = {"delivery_attempts": F("delivery_attempts") + 1, "delivery_error": message}
        if attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            changes[pending] = False  # given up: a dead letter, and still in the inbox
        Notification.objects.filter(pk__in=ids).update(**changes)
        for row in batch:
            report.item_failed(
                row, error=message, attempts=attempts, limit=settings.NOTIFICATION_MAX_ATTEMPTS
            )
        return
    Notification.objects.filter(pk__in=ids).update(**{pending: False, "delivery_error": ""})
    Notification.objects.filter(
        pk__in=ids, email_pending=False, slack_pending=False, delivered_at__isnull=True
    ).update(delivered_at=now)
    report.ok += len(ids)
