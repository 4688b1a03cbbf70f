"""The worker's heartbeat and the operators' alerts: each condition (operations.queries.
alert_conditions) sent once until it clears, and the daily digest."""

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.webhooks import webhook_post
from core.windows import local_date

from .models import Alert, Heartbeat
from .queries import HEARTBEAT, alert_conditions, health_details

logger = logging.getLogger("operations.jobs")


def heartbeat_beat(*, now: datetime | None = None) -> None:
    """Stamp the worker's heartbeat (the `heartbeat` job, every minute)."""
    now = now or timezone.now()
    if not Heartbeat.objects.filter(name=HEARTBEAT).update(beat_at=now):
        Heartbeat.objects.bulk_create(
            [Heartbeat(name=HEARTBEAT, beat_at=now)], ignore_conflicts=True
        )


def alerts_enabled() -> bool:
    """Alerts go somewhere: ALERT_EMAILS or SLACK_WEBHOOK_URL is set (else silent)."""
    return bool(settings.ALERT_EMAILS or settings.SLACK_WEBHOOK_URL)


def alert_notify(*, subject: str, body: str) -> None:
    """Send a message to the operators: e-mail to ALERT_EMAILS (Django's mail settings) and
    the Slack webhook, whichever are configured. Raises when a channel fails."""
    if settings.ALERT_EMAILS:
        send_mail(f"[CreatorOps] {subject}", body, None, settings.ALERT_EMAILS)
    if settings.SLACK_WEBHOOK_URL:
        webhook_post(settings.SLACK_WEBHOOK_URL, f"*{subject}*\n{body}")


def _claim_alerts(keys_messages: list[tuple[str, str]], *, now: datetime) -> list[Alert]:
    """Open one Alert per key; a key another delivery opened meanwhile is skipped."""
    claimed = []
    for key, message in keys_messages:
        try:
            with transaction.atomic():
                claimed.append(
                    Alert.objects.create(
                        key=key, message=message, first_sent_at=now, last_seen_at=now
                    )
                )
        except IntegrityError:
            continue
    return claimed


DIGEST_PREFIX = "digest:"


@dataclass
class AlertsReport:
    sent: list[str] = field(default_factory=list)
    still_open: int = 0
    cleared: int = 0


def alerts_check(*, now: datetime | None = None) -> AlertsReport:
    """Compare what is wrong now (operations.queries.alert_conditions) with the open alerts:
    send the new ones (one message), note those still there, clear those gone. Each condition
    is thus sent once until it clears. Silent (nothing computed) when no channel is set. When
    sending fails the new alerts are withdrawn, so the next check sends them again."""
    report = AlertsReport()
    if not alerts_enabled():
        return report
    now = now or timezone.now()
    current = {c.key: c.message for c in alert_conditions(now=now)}
    open_alerts = Alert.objects.filter(cleared_at__isnull=True).exclude(
        key__startswith=DIGEST_PREFIX
    )
    report.cleared = open_alerts.exclude(key__in=list(current)).update(cleared_at=now)
    report.still_open = open_alerts.filter(key__in=list(current)).update(last_seen_at=now)
    known = set(open_alerts.values_list("key", flat=True))
    claimed = _claim_alerts([(k, m) for k, m in current.items() if k not in known], now=now)
    if not claimed:
        return report
    subject = claimed[0].message if len(claimed) == 1 else f"{len(claimed)} new alerts"
    body = "\n".join(f"- {alert.message}" for alert in claimed)
    try:
        alert_notify(subject=subject, body=body)
    except Exception:
        Alert.objects.filter(pk__in=[alert.pk for alert in claimed]).delete()
        logger.exception("Sending alerts failed", extra={"event": "alert_error"})
        raise
    report.sent = [alert.key for alert in claimed]
    logger.warning("Alerts sent: %s", ", ".join(report.sent), extra={"event": "alerts_sent"})
    return report


def digest_text(details: dict[str, Any]) -> str:
    """The daily digest's body: every job, dead letters, providers, AI, freshness, problems."""
    lines = [f"Status: {details['status']} (worker last beat {details['worker_last_beat']})", ""]
    lines.append("Jobs:")
    for job in details["jobs"]:
        lines.append(
            f"- {job['job']}: {job['state']}, last run {job['last_run'] or 'never'}, "
            f"next {job['next_run'] or '—'}, dead letters {job['dead_letters']}"
            + (f", last error: {job['last_error'][:200]}" if job["last_error"] else "")
        )
    lines.append("")
    lines.append(
        "Dead letters: "
        + ", ".join(f"{kind} {count}" for kind, count in details["dead_letters"].items())
    )
    paused = [p["provider"] for p in details["providers"] if p["paused_until"]]
    lines.append(f"Providers paused: {', '.join(paused) or 'none'}")
    ai = details["ai"]
    lines.append(f"AI: {'configured' if ai['configured'] else ai['reason']}")
    fresh = details["freshness"]
    lines.append(
        f"Freshness: {fresh['on_time_share']:.1%} of {fresh['posts']:,} posts on cadence, "
        f"{fresh['overdue']:,} overdue"
    )
    if details["problems"]:
        lines += ["", "Problems:", *(f"- {problem}" for problem in details["problems"])]
    return "\n".join(lines)


def daily_digest_send(*, now: datetime | None = None) -> bool:
    """Send the day's digest once (a second delivery the same day sends nothing); silent when
    no channel is set. Returns whether it was sent."""
    if not alerts_enabled():
        return False
    now = now or timezone.now()
    key = f"{DIGEST_PREFIX}{local_date(now).isoformat()}"
    details = health_details(now=now)
    claimed = _claim_alerts([(key, "Daily digest")], now=now)
    if not claimed:
        return False
    try:
        alert_notify(subject=f"Daily digest {local_date(now):%Y-%m-%d}", body=digest_text(details))
    except Exception:
        Alert.objects.filter(pk=claimed[0].pk).delete()
        raise
    Alert.objects.filter(key__startswith=DIGEST_PREFIX, cleared_at__isnull=True).exclude(
        key=key
    ).update(cleared_at=now)
    return True
