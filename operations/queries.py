"""Reads for the operations boards and the health endpoint: each a bounded number of queries
(aggregates, a window over the recent runs), whatever the number of rows."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone
from django_q.models import Schedule

from core.models import AIUsage
from core.pagination import bounded_count
from core.windows import agency_timezone, local_date
from platforms.ratelimit import (
    platforms_without_working_provider,
    provider_states,
    provider_warnings,
)
from posts.hooks import accounts_without_own_token
from posts.models import Post
from posts.queries import ai_not_ready_reason, posts_refresh_queue
from publishing.queries import publishing_health

from .models import FailedItem, FailedItemKind, Heartbeat, JobRun, JobStatus
from .schedules import MONITORED_JOBS

HEARTBEAT = "worker"
#: Stamped by every pass of the publisher (publish_due_targets), idle or not.
PUBLISHER_HEARTBEAT = "publisher"
RECENT_RUNS = 5  # per job, on the dashboard
RUNS_LOOKBACK = timedelta(days=35)  # the monthly jobs' latest run is within this
LIST_LIMIT = 50  # rows of each dashboard list
FEED_LIMIT = 20
AI_DAYS = 14

# The job that replays each kind of dead letter.
KIND_JOB = {
    FailedItemKind.POST_REFRESH: "refresh_post_stats",
    FailedItemKind.ACCOUNT_REFRESH: "refresh_account_stats",
    FailedItemKind.NEW_POST_DETECTION: "detect_new_posts",
    FailedItemKind.AI_CLASSIFICATION: "classify_posts",
}
_INTERVAL_MINUTES = {
    Schedule.HOURLY: 60,
    Schedule.DAILY: 24 * 60,
    Schedule.WEEKLY: 7 * 24 * 60,
    Schedule.BIWEEKLY: 14 * 24 * 60,
    Schedule.MONTHLY: 31 * 24 * 60,
}


def job_runs_latest(*, jobs) -> dict[str, JobRun | None]:
    """The latest run of each job (one small query per job, on the (job, -started_at) index)."""
    return {
        job: JobRun.objects.filter(job=job).order_by("-started_at", "-id").first() for job in jobs
    }


def job_runs_abandoned(*, now: datetime) -> QuerySet[JobRun]:
    """Runs still "running" but silent for JOB_LEASE_SECONDS: their worker died (killed, or
    timed out) and, with the Redis broker, their task is gone."""
    silent_since = now - timedelta(seconds=settings.JOB_LEASE_SECONDS)
    return JobRun.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=silent_since)


def failed_items_open(*, kind: str | None = None) -> QuerySet[FailedItem]:
    """Dead letters still open, most recent failure first."""
    queryset = FailedItem.objects.filter(resolved_at__isnull=True)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("-last_failed_at", "-id")


def dead_letter_counts() -> dict[str, int]:
    """Open dead letters per kind (every kind, 0 when none): one GROUP BY."""
    counts = dict.fromkeys(FailedItemKind.values, 0)
    for kind, count in failed_items_open().order_by().values_list("kind").annotate(n=Count("pk")):
        counts[kind] = count
    return counts


# --- Health -------------------------------------------------------------------------------------


def database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def worker_last_beat() -> datetime | None:
    """When the `heartbeat` job last ran (a worker is taking scheduled tasks)."""
    return Heartbeat.objects.filter(name=HEARTBEAT).values_list("beat_at", flat=True).first()


def worker_alive(beat: datetime | None, *, now: datetime) -> bool:
    stale = timedelta(seconds=settings.HEALTH_WORKER_STALE_SECONDS)
    return beat is not None and beat >= now - stale


def health_summary(*, now: datetime | None = None) -> dict[str, Any]:
    """Up or down, and why: the database answers and a worker beat recently. What anyone may
    see (no details)."""
    now = now or timezone.now()
    database = database_reachable()
    beat = worker_last_beat() if database else None
    worker = worker_alive(beat, now=now)
    return {
        "status": "up" if database and worker else "down",
        "database": database,
        "worker": worker,
        "worker_last_beat": beat,
    }


def _interval_minutes(schedule: Schedule | None) -> int | None:
    if schedule is None:
        return None
    if schedule.schedule_type == Schedule.MINUTES:
        return schedule.minutes
    return _INTERVAL_MINUTES.get(schedule.schedule_type)


def _duration_s(run: JobRun) -> int | None:
    if run.finished_at is None:
        return None
    return int((run.finished_at - run.started_at).total_seconds())


def _job_row(name: str, schedule, job_runs: list[JobRun], *, now, grace) -> dict[str, Any]:
    """One job's row of `job_status`, dead letters aside."""
    latest = job_runs[0] if job_runs else None
    errored = next((run for run in job_runs if run.error), None)
    next_run = schedule.next_run if schedule else None
    late = next_run is not None and next_run < now - grace
    if late:
        state = "late"
    elif latest is None:
        state = "never"
    else:
        state = latest.status
    return {
        "job": name,
        "state": state,
        "late": late,
        "scheduled": schedule is not None,
        "interval_minutes": _interval_minutes(schedule),
        "next_run": next_run,
        "last_run": latest.started_at if latest else None,
        "last_status": latest.status if latest else None,
        "last_duration_s": _duration_s(latest) if latest else None,
        "items_ok": latest.items_ok if latest else None,
        "items_failed": latest.items_failed if latest else None,
        "last_error": errored.error if errored else "",
        "last_error_at": errored.started_at if errored else None,
        "recent": job_runs,
    }


def job_status(*, now: datetime | None = None, recent: int = RECENT_RUNS) -> list[dict[str, Any]]:
    """Each declared job (operations.schedules.SCHEDULES): its latest run (status, duration, items,
    error), its last error, next run, whether it is late, its open dead letters and its
    `recent` latest runs. Three queries: the schedules, the recent runs (a window per job) and
    the dead letters per kind."""
    now = now or timezone.now()
    schedules = {s.name: s for s in Schedule.objects.filter(name__in=MONITORED_JOBS)}
    runs: dict[str, list[JobRun]] = {name: [] for name in MONITORED_JOBS}
    ranked = (
        JobRun.objects.filter(job__in=MONITORED_JOBS, started_at__gte=now - RUNS_LOOKBACK)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("job")],
                order_by=[F("started_at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=recent)
        .order_by("job", "rank")
    )
    for run in ranked:
        runs[run.job].append(run)
    dead = dead_letter_counts()
    dead_by_job = {job: dead[kind] for kind, job in KIND_JOB.items()}
    kind_by_job = {job: str(kind) for kind, job in KIND_JOB.items()}
    grace = timedelta(minutes=settings.JOB_LATE_GRACE_MINUTES)
    rows = []
    for name in MONITORED_JOBS:
        row = _job_row(name, schedules.get(name), runs[name], now=now, grace=grace)
        rows.append(
            {
                **row,
                "dead_letters": dead_by_job.get(name, 0),
                "dead_letter_kind": kind_by_job.get(name, ""),
            }
        )
    return rows


def post_freshness(*, now: datetime | None = None) -> dict[str, Any]:
    """How fresh the posts' stats are: the share of live posts refreshed on their cadence (not
    due for longer than FRESHNESS_GRACE_MINUTES) and the oldest overdue post. Two queries."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.FRESHNESS_GRACE_MINUTES)
    live = Post.objects.filter(deleted_at__isnull=True)
    # A range of the refresh queue's index, oldest due first.
    overdue = posts_refresh_queue(live).filter(due_at__lt=cutoff, next_refresh_at__isnull=False)
    oldest = overdue.values("pk", "url", "next_refresh_at").first()
    # Exact up to 10 000 posts, the planner's estimate beyond: counting a million rows for a
    # health check would take most of a second.
    total, _ = bounded_count(live)
    late, _ = bounded_count(overdue) if oldest else (0, True)
    late = min(late, total)
    return {
        "posts": total,
        "overdue": late,
        "on_time_share": round((total - late) / total, 4) if total else 1.0,
        "oldest_overdue": (
            {
                "id": oldest["pk"],
                "url": oldest["url"],
                "due_since": oldest["next_refresh_at"],
                "overdue_minutes": int((now - oldest["next_refresh_at"]).total_seconds() // 60),
            }
            if oldest
            else None
        ),
    }


def provider_paused_minutes(state: dict[str, Any], *, now: datetime) -> int | None:
    """How long a paused provider's pause lasts (from the error that paused it to its end),
    in minutes; None when it is not paused."""
    until = state["paused_until"]
    if until is None:
        return None
    since = min(state["last_error_at"] or now, now)
    return int((until - since).total_seconds() // 60)


@dataclass(frozen=True)
class Condition:
    """Something operators must hear about; `key` names it for as long as it lasts."""

    key: str
    message: str


def alert_conditions(
    *,
    now: datetime | None = None,
    jobs: list[dict[str, Any]] | None = None,
    providers: list[dict[str, Any]] | None = None,
    dead: dict[str, int] | None = None,
) -> list[Condition]:
    """What is wrong right now: a job not run on time, a provider paused for longer than
    ALERT_PROVIDER_PAUSE_MINUTES, dead letters of a kind past ALERT_DEAD_LETTER_THRESHOLD, the
    AI failing ALERT_AI_FAILURES_THRESHOLD runs in a row (not merely unconfigured), a platform's
    refreshes failing more than ALERT_SYNC_FAILURE_RATE over the last hour."""
    now = now or timezone.now()
    jobs = job_status(now=now) if jobs is None else jobs
    providers = provider_states() if providers is None else providers
    dead = dead_letter_counts() if dead is None else dead
    found = []
    for job in jobs:
        if job["late"]:
            found.append(
                Condition(
                    f"job_late:{job['job']}",
                    f"Job {job['job']} has not run on time: due at {job['next_run']:%Y-%m-%d %H:%M} UTC.",
                )
            )
    for state in providers:
        minutes = provider_paused_minutes(state, now=now)
        if minutes is not None and minutes >= settings.ALERT_PROVIDER_PAUSE_MINUTES:
            found.append(
                Condition(
                    f"provider_paused:{state['provider']}",
                    f"Provider {state['provider']} is paused until "
                    f"{state['paused_until']:%Y-%m-%d %H:%M} UTC: {state['last_error'] or 'no error recorded'}.",
                )
            )
    for kind, count in dead.items():
        if count > settings.ALERT_DEAD_LETTER_THRESHOLD:
            found.append(
                Condition(
                    f"dead_letters:{kind}",
                    f"{count:,} open dead letters of {FailedItemKind(kind).label} (threshold "
                    f"{settings.ALERT_DEAD_LETTER_THRESHOLD:,}).",
                )
            )
    found.extend(_ai_failing())
    found.extend(_sync_failing(now))
    return found


SYNC_WINDOW = timedelta(hours=1)


def sync_failure_rates(*, now: datetime) -> dict[str, dict[str, int | float]]:
    """Each platform's refreshes (posts, profiles, detection) over the last hour, from the job
    runs' per-platform counts: platform -> ok, failed, rate (failed / all). One query over the
    hour's runs (a few dozen)."""
    totals: dict[str, dict[str, int]] = {}
    runs = JobRun.objects.filter(started_at__gte=now - SYNC_WINDOW).values_list(
        "platform_counts", flat=True
    )
    for counts in runs:
        for platform, outcome in (counts or {}).items():
            total = totals.setdefault(platform, {"ok": 0, "failed": 0})
            total["ok"] += int(outcome.get("ok", 0))
            total["failed"] += int(outcome.get("failed", 0))
    return {
        platform: {**total, "rate": total["failed"] / (total["ok"] + total["failed"])}
        for platform, total in sorted(totals.items())
        if total["ok"] + total["failed"]
    }


def _sync_failing(now: datetime) -> list[Condition]:
    """A platform whose refreshes failed more than ALERT_SYNC_FAILURE_RATE over the last hour:
    one condition per platform, sent once until the rate falls back."""
    threshold = settings.ALERT_SYNC_FAILURE_RATE
    return [
        Condition(
            f"sync_failing:{platform}",
            f"{platform.capitalize()} refreshes are failing: {rates['failed']:,} of "
            f"{rates['ok'] + rates['failed']:,} ({rates['rate']:.0%}) over the last hour "
            f"(threshold {threshold:.0%}).",
        )
        for platform, rates in sync_failure_rates(now=now).items()
        if rates["rate"] > threshold
    ]


def _ai_failing() -> list[Condition]:
    """The AI failing ALERT_AI_FAILURES_THRESHOLD finished runs in a row (not merely
    unconfigured): one condition, else none."""
    threshold = settings.ALERT_AI_FAILURES_THRESHOLD
    if threshold <= 0:
        return []
    last = list(
        JobRun.objects.filter(job="classify_posts", finished_at__isnull=False)
        .order_by("-started_at", "-id")
        .values("status", "error")[:threshold]
    )
    failing = [
        run
        for run in last
        if run["status"] == JobStatus.FAILED and not run["error"].startswith("AINotConfigured")
    ]
    if len(last) == threshold and len(failing) == threshold:
        return [
            Condition(
                "ai_failing",
                f"AI classification failed {threshold} runs in a row: {failing[0]['error'] or 'every post failed'}",
            )
        ]
    return []


def health_problems(
    *,
    now: datetime,
    summary: dict[str, Any],
    jobs: list[dict[str, Any]],
    providers: list[dict[str, Any]],
    dead: dict[str, int],
    publishing: dict[str, Any] | None = None,
) -> list[Condition]:
    """Everything wrong right now, for the dashboard and the health endpoint alike (one list,
    so they never disagree): the database or the worker down (what makes the status "down"),
    the alert conditions (operations.queries.alert_conditions), the platforms without a working
    provider, each job whose latest run failed, and publish targets nobody claimed in time or
    stuck past their lease (the publisher is not running)."""
    found = []
    if not summary["database"]:
        found.append(Condition("database_down", "The database does not answer."))
    elif not summary["worker"]:
        beat = summary["worker_last_beat"]
        found.append(
            Condition(
                "worker_down",
                "No worker is running the jobs: "
                + (
                    f"its last heartbeat was at {beat:%Y-%m-%d %H:%M} UTC."
                    if beat
                    else "none ever beat."
                )
                + " Start one (`manage.py qcluster`, or `make run`).",
            )
        )
    if not summary["database"]:
        return found
    found += alert_conditions(now=now, jobs=jobs, providers=providers, dead=dead)
    found += [
        Condition(f"no_provider:{platform}", message)
        for platform, message in zip(
            platforms_without_working_provider(
                providers, without_own_token=accounts_without_own_token
            ),
            provider_warnings(providers, without_own_token=accounts_without_own_token),
            strict=True,
        )
    ]
    found += [
        Condition(
            f"job_failed:{job['job']}",
            f"Job {job['job']} failed: {job['last_error'] or 'no error recorded'}",
        )
        for job in jobs
        if job["last_status"] == JobStatus.FAILED and not job["late"]
    ]
    found += _publishing_problems(publishing or publisher_health(now=now))
    return found


def publisher_health(*, now: datetime) -> dict[str, Any]:
    """The publisher's counts (publishing.queries.publishing_health) and its last pass."""
    beat = (
        Heartbeat.objects.filter(name=PUBLISHER_HEARTBEAT).values_list("beat_at", flat=True).first()
    )
    return {
        **publishing_health(now=now, missed_minutes=settings.PUBLISH_MISSED_AFTER_MINUTES),
        "publisher_last_pass": beat,
    }


def _publishing_problems(counts: dict[str, Any]) -> list[Condition]:
    found = []
    minutes = settings.PUBLISH_MISSED_AFTER_MINUTES
    if counts["unclaimed_overdue"]:
        beat = counts.get("publisher_last_pass")
        found.append(
            Condition(
                "publish_missed",
                f"{counts['unclaimed_overdue']:,} publish target(s) due more than {minutes} "
                "minutes ago are not claimed: is the publisher running? Its last pass was "
                + (f"at {beat:%Y-%m-%d %H:%M} UTC." if beat else "never.")
                + " They go out as soon as it runs again.",
            )
        )
    if counts["stuck_in_publishing"]:
        found.append(
            Condition(
                "publish_stuck",
                f"{counts['stuck_in_publishing']:,} publish target(s) are still in publishing "
                "past their lease (their worker stopped); the next publisher pass reconciles "
                "them.",
            )
        )
    return found


def health_details(*, now: datetime | None = None) -> dict[str, Any]:
    """Everything staff see on the health endpoint: the summary, each job, the dead letters by
    kind, the providers' quota state, the AI and the data's freshness, and the problems
    (health_problems, as the dashboard shows them)."""
    now = now or timezone.now()
    summary = health_summary(now=now)
    jobs = job_status(now=now, recent=1)
    providers = provider_states()
    dead = dead_letter_counts()
    reason = ai_not_ready_reason()
    publishing = publisher_health(now=now) if summary["database"] else None
    problems = health_problems(
        now=now,
        summary=summary,
        jobs=jobs,
        providers=providers,
        dead=dead,
        publishing=publishing,
    )
    return {
        **summary,
        "checked_at": now,
        "jobs": [{k: v for k, v in job.items() if k != "recent"} for job in jobs],
        "dead_letters": dead,
        "providers": providers,
        "ai": {"configured": not reason, "reason": reason},
        "freshness": post_freshness(now=now),
        "publishing": publishing,
        "problems": [problem.message for problem in problems],
    }


# --- Dashboard ------------------------------------------------------------------------------


def ai_cost_usd(prompt_tokens: int, completion_tokens: int) -> Decimal:
    """The cost of these tokens at the AI_PRICE_* settings (USD per 1M tokens)."""
    cost = (
        prompt_tokens * settings.AI_PRICE_INPUT_PER_1M
        + completion_tokens * settings.AI_PRICE_OUTPUT_PER_1M
    ) / 1_000_000
    return Decimal(str(round(cost, 6)))


def ai_usage_by_day(*, now: datetime | None = None, days: int = AI_DAYS) -> list[dict[str, Any]]:
    """Posts classified, tokens and cost per day (agency time zone) over the last `days`
    days, oldest first, every day present. One GROUP BY."""
    now = now or timezone.now()
    today = local_date(now)
    first = today - timedelta(days=days - 1)
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()), agency_timezone())
    rows = {
        row["day"]: row
        for row in Post.objects.filter(ai_processed_at__gte=start)
        .annotate(day=TruncDate("ai_processed_at", tzinfo=agency_timezone()))
        .order_by()
        .values("day")
        .annotate(
            posts=Count("pk"),
            prompt=Sum("ai_prompt_tokens"),
            completion=Sum("ai_completion_tokens"),
        )
    }
    answer = []
    for offset in range(days):
        day: date = first + timedelta(days=offset)
        row = rows.get(day, {})
        prompt, completion = row.get("prompt") or 0, row.get("completion") or 0
        answer.append(
            {
                "day": day,
                "posts": row.get("posts", 0),
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "cost_usd": ai_cost_usd(prompt, completion),
            }
        )
    return answer


def ai_assist_usage_by_day(
    *, now: datetime | None = None, days: int = AI_DAYS
) -> list[dict[str, Any]]:
    """The AI assistance features' answers (core.AIUsage: captions, quality check, summaries,
    briefs, explanations, ask) per day (agency time zone) and feature over the last `days`
    days, newest day first, features by name: answers, failed ones, model calls, tokens and
    cost. Days without any answer are left out. One GROUP BY."""
    now = now or timezone.now()
    first = local_date(now) - timedelta(days=days - 1)
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()), agency_timezone())
    rows = (
        AIUsage.objects.filter(at__gte=start)
        .annotate(day=TruncDate("at", tzinfo=agency_timezone()))
        .order_by()
        .values("day", "feature")
        .annotate(
            answers=Count("pk"),
            failed=Count("pk", filter=Q(ok=False)),
            calls=Sum("calls"),
            prompt=Sum("prompt_tokens"),
            completion=Sum("completion_tokens"),
        )
        .order_by("-day", "feature")
    )
    return [
        {
            "day": row["day"],
            "feature": row["feature"],
            "answers": row["answers"],
            "failed": row["failed"],
            "calls": row["calls"] or 0,
            "prompt_tokens": row["prompt"] or 0,
            "completion_tokens": row["completion"] or 0,
            "cost_usd": ai_cost_usd(row["prompt"] or 0, row["completion"] or 0),
        }
        for row in rows
    ]
