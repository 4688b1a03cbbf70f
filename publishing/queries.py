"""Reads of publishing: the derived post status, what a user may schedule to, due targets."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from core.errors import DomainError
from creators.models import Account
from platforms.ratelimit import limits_for
from posts.choices import Platform
from settings_app.access import accounts_visible_to

from .choices import (
    ACTIVE_STATES,
    WAITING_STATES,
    ConnectionMethod,
    ConnectionStatus,
    PostStatus,
    TargetState,
)
from .models import (
    MediaAsset,
    PublishTarget,
    ScheduledPost,
    ScheduledPostMedia,
    SocialConnection,
)

SCHEDULE_PERMISSION = "publishing.add_scheduledpost"


def _count(condition: Q):
    return Coalesce(Count("targets", filter=condition), Value(0), output_field=IntegerField())


def with_status(qs: QuerySet[ScheduledPost]) -> QuerySet[ScheduledPost]:
    """Annotate each post with `status` (PostStatus), derived from its targets in the database:
    no target → draft; all cancelled → cancelled; every live target published → published;
    one being published, or some settled while others wait → publishing; all waiting →
    scheduled; some published and the rest failed or unconfirmed → partially published;
    else failed."""
    live = ~Q(targets__state=TargetState.CANCELLED)
    qs = qs.annotate(
        n_targets=_count(Q()),
        n_live=_count(live),
        n_published=_count(Q(targets__state=TargetState.PUBLISHED)),
        n_active=_count(Q(targets__state__in=ACTIVE_STATES)),
        n_waiting=_count(Q(targets__state__in=WAITING_STATES)),
    )
    return qs.annotate(
        status=Case(
            When(n_targets=0, then=Value(PostStatus.DRAFT)),
            When(n_live=0, then=Value(PostStatus.CANCELLED)),
            When(n_published=F("n_live"), then=Value(PostStatus.PUBLISHED)),
            When(n_active__gt=0, then=Value(PostStatus.PUBLISHING)),
            When(n_waiting=F("n_live"), then=Value(PostStatus.SCHEDULED)),
            When(n_waiting__gt=0, then=Value(PostStatus.PUBLISHING)),
            When(n_published__gt=0, then=Value(PostStatus.PARTIALLY_PUBLISHED)),
            default=Value(PostStatus.FAILED),
        )
    )


def scheduled_post_status(post: ScheduledPost) -> PostStatus:
    """The status of one post, read now from its targets."""
    status = with_status(ScheduledPost.objects.filter(pk=post.pk)).values_list("status", flat=True)
    return PostStatus(status.get())


def connections_schedulable_by(user, qs: QuerySet[SocialConnection] | None = None) -> QuerySet:
    """The connections `user` may schedule to: Owners and Managers every account, Editors the
    accounts they edit; Analysts and users without the permission none."""
    qs = SocialConnection.objects.all() if qs is None else qs
    if not (user and user.is_active and user.has_perm(SCHEDULE_PERMISSION)):
        return qs.none()
    return accounts_visible_to(user, qs, through="account__")


def scheduled_posts_visible_to(user, qs: QuerySet[ScheduledPost]) -> QuerySet[ScheduledPost]:
    """The posts of `qs` `user` may see: every post for who sees every account, else the
    posts with a target on one of their accounts, and their own."""
    if user and user.is_active and user.has_perm("creators.view_all_account"):
        return qs
    if not (user and user.is_authenticated):
        return qs.none()
    mine = accounts_visible_to(user, SocialConnection.objects.all(), through="account__")
    # A subquery, not a join: the status counts every target of the post, not only theirs.
    visible = ScheduledPost.objects.filter(
        Q(targets__connection__in=mine.values("pk")) | Q(created_by=user)
    )
    return qs.filter(pk__in=visible.values("pk"))


def connection_is_usable(connection: SocialConnection) -> bool:
    return connection.status == ConnectionStatus.CONNECTED


def connections_visible_to(user, qs: QuerySet[SocialConnection] | None = None) -> QuerySet:
    """The connections `user` may see: every one for who sees every account, else those of the
    accounts they edit."""
    qs = SocialConnection.objects.all() if qs is None else qs
    return accounts_visible_to(user, qs, through="account__")


def connections_for_api() -> QuerySet[SocialConnection]:
    return SocialConnection.objects.select_related("account").order_by("id")


def scheduled_posts_for_api() -> QuerySet[ScheduledPost]:
    """Posts with their derived status, their media (ordered) and their targets: three
    queries per page, whatever its length."""
    targets = PublishTarget.objects.select_related("connection__account").order_by("id")
    media = ScheduledPostMedia.objects.order_by("position")
    posts = with_status(ScheduledPost.objects.select_related("created_by"))
    # Explicit: a grouped query does not take the model's default ordering.
    return posts.order_by("-scheduled_at", "-id").prefetch_related(
        Prefetch("targets", queryset=targets), Prefetch("media_items", queryset=media)
    )


def scheduled_post_editable_by(user, post: ScheduledPost) -> bool:
    """Whether `user` may change `post`: they may schedule to every one of its destinations
    (an editor cannot cancel another editor's account along with theirs)."""
    others = PublishTarget.objects.filter(post=post).exclude(
        connection__in=connections_schedulable_by(user).values("pk")
    )
    return user.has_perm("publishing.change_scheduledpost") and not others.exists()


CALENDAR_MAX_DAYS = 62


def calendar_range_check(start: datetime, end: datetime) -> None:
    if end <= start:
        raise DomainError("`end` must be after `start`.", fields={"end": ["Before start."]})
    if end - start > timedelta(days=CALENDAR_MAX_DAYS):
        raise DomainError(
            f"Ask for at most {CALENDAR_MAX_DAYS} days at a time (a month view with its edges).",
            code="range_too_long",
            fields={"end": [f"More than {CALENDAR_MAX_DAYS} days after start."]},
        )


def calendar_posts(qs: QuerySet[ScheduledPost], start: datetime, end: datetime) -> QuerySet:
    """The posts of `qs` due in [start, end), earliest first, with their status."""
    calendar_range_check(start, end)
    qs = qs.filter(scheduled_at__gte=start, scheduled_at__lt=end)
    return with_status(qs).order_by("scheduled_at", "id")


def platforms_of_posts(post_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each post's platforms (sorted), in one query for a page of posts."""
    rows = (
        PublishTarget.objects.filter(post_id__in=list(post_ids))
        .exclude(state=TargetState.CANCELLED)
        .values_list("post_id", "connection__platform")
        .distinct()
    )
    platforms: dict[int, list[str]] = defaultdict(list)
    for post_id, platform in rows:
        platforms[post_id].append(platform)
    return {post_id: sorted(names) for post_id, names in platforms.items()}


def media_visible_to(user, qs: QuerySet[MediaAsset]) -> QuerySet[MediaAsset]:
    """The media library: all of it for who sees every account, else what they uploaded."""
    if user and user.is_active and user.has_perm("creators.view_all_account"):
        return qs
    if not (user and user.is_authenticated):
        return qs.none()
    return qs.filter(created_by=user)


def media_with_usage(qs: QuerySet[MediaAsset]) -> QuerySet[MediaAsset]:
    """Annotate each asset with `used_by`: how many scheduled posts use it (one subquery)."""
    from django.db.models import OuterRef, Subquery

    uses = (
        ScheduledPostMedia.objects.filter(asset=OuterRef("pk"))
        .order_by()
        .values("asset")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(used_by=Coalesce(Subquery(uses, output_field=IntegerField()), Value(0)))


# --- Daily budgets (specs/publishing.md §4, "quota-aware scheduling") ---------------------------
# Targets that count against a day's budget: all but cancelled and failed ones (a failed
# target never reached its commit, so the platform counted nothing).
_NOT_COUNTED = (TargetState.CANCELLED, TargetState.FAILED)


@dataclass(frozen=True)
class Budget:
    """A connection's posts on one quota day: `limit`, `used` by the targets already scheduled
    or published that day, what `remaining`. YouTube's budget is the project's (`scope`)."""

    connection_id: int
    platform: str
    day: date
    zone: str
    limit: int
    used: int
    scope: str = "account"
    #: The platform's own reading behind `used` (Instagram, today), when fresher than ours.
    reported: "QuotaReading | None" = None

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


def platform_quota_zone(platform: str) -> str:
    """The zone of a platform's quota day: YouTube resets at midnight Pacific
    (PROVIDER_QUOTA_TIME_ZONE); Instagram's rolling 24 h and TikTok's cap are read as UTC days."""
    return settings.PROVIDER_QUOTA_TIME_ZONE if platform == Platform.YOUTUBE else "UTC"


def platform_quota_day(platform: str, moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(platform_quota_zone(platform))).date()


def connection_daily_limit(connection: SocialConnection) -> int:
    """Instagram: the last known `content_publishing_limit` config (kept in the connection's
    meta by whoever reads it), else PUBLISH_INSTAGRAM_DAILY_POSTS; TikTok: a conservative cap
    per creator; YouTube: uploads a day for the whole project (shared rate limits first)."""
    if connection.platform == Platform.INSTAGRAM:
        known = (connection.meta or {}).get("content_publishing_limit") or {}
        total = known.get("quota_total") if isinstance(known, dict) else None
        return (
            int(total)
            if isinstance(total, int) and total > 0
            else (settings.PUBLISH_INSTAGRAM_DAILY_POSTS)
        )
    if connection.platform == Platform.TIKTOK:
        return settings.PUBLISH_TIKTOK_DAILY_POSTS
    # The publisher's own bucket (PROVIDER_RATE_LIMITS), by default the setting.
    return limits_for("youtube.uploads")["daily_quota"] or settings.PUBLISH_YOUTUBE_UPLOADS_PER_DAY


@dataclass(frozen=True)
class QuotaReading:
    """Instagram's last `content_publishing_limit` answer for a connection (kept in its meta by
    the publisher), brought up to now: `reported` posts in the rolling window as Instagram
    counted them at `read_at`, plus `since`, our targets published on the connection after
    that (the publisher reads the limit just before its commit)."""

    reported: int
    since: int
    total: int
    read_at: datetime

    @property
    def used(self) -> int:
        return self.reported + self.since

    def describe(self) -> str:
        at = timezone.localtime(self.read_at).strftime("%H:%M")
        text = f"{self.used} of {self.total} posts used in the last 24 h"
        if self.since:
            return f"{text}: {self.reported} as Instagram reported at {at}, {self.since} since"
        return f"{text}, as Instagram reported at {at}"


def connection_quota_readings(
    connections: Iterable[SocialConnection], *, now: datetime | None = None
) -> dict[int, QuotaReading]:
    """The Instagram connections' last quota readings still inside their rolling window, each
    with our posts published since: one query for all of them."""
    from .services.connections import PUBLISHING_LIMIT_KEY

    now = now or timezone.now()
    readings: dict[int, tuple[int, int, datetime]] = {}
    for connection in connections:
        known = (connection.meta or {}).get(PUBLISHING_LIMIT_KEY)
        if connection.platform != Platform.INSTAGRAM or not isinstance(known, dict):
            continue
        try:
            read_at = datetime.fromisoformat(known["read_at"])
            usage, total = int(known["quota_usage"]), int(known["quota_total"])
            window = timedelta(seconds=int(known.get("quota_duration") or 86400))
        except (KeyError, TypeError, ValueError):
            continue
        if total > 0 and read_at > now - window:
            readings[connection.pk] = (usage, total, read_at)
    if not readings:
        return {}
    after = Q()
    for pk, (_, _, read_at) in readings.items():
        # The commit marker is our clock, like read_at (published_at is the platform's).
        after |= Q(connection_id=pk, commit_started_at__gte=read_at)
    since = dict(
        PublishTarget.objects.filter(after, state=TargetState.PUBLISHED)
        .values("connection_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("connection_id", "n")
    )
    return {
        pk: QuotaReading(reported=usage, since=since.get(pk, 0), total=total, read_at=read_at)
        for pk, (usage, total, read_at) in readings.items()
    }


def connection_budgets(
    *,
    connections: Iterable[SocialConnection],
    days: Iterable[date],
    exclude_post: ScheduledPost | None = None,
) -> dict[tuple[int, date], Budget]:
    """Each connection's budget on each of `days` (quota days in its platform's zone), counted
    from the targets already scheduled those days: one grouped query per platform, whatever the
    number of connections and days. `exclude_post` is left out of the counts (it is moving)."""
    connections, days = list(connections), sorted(set(days))
    if not connections or not days:
        return {}
    budgets: dict[tuple[int, date], Budget] = {}
    by_platform: dict[str, list[SocialConnection]] = defaultdict(list)
    for connection in connections:
        by_platform[connection.platform].append(connection)
    for platform, group in by_platform.items():
        zone_name = platform_quota_zone(platform)
        zone = ZoneInfo(zone_name)
        start = datetime.combine(days[0], time.min, tzinfo=zone)
        end = datetime.combine(days[-1] + timedelta(days=1), time.min, tzinfo=zone)
        targets = PublishTarget.objects.filter(
            post__scheduled_at__gte=start, post__scheduled_at__lt=end
        ).exclude(state__in=_NOT_COUNTED)
        if exclude_post is not None:
            targets = targets.exclude(post=exclude_post)
        project_wide = platform == Platform.YOUTUBE
        if project_wide:
            targets = targets.filter(connection__platform=platform)
            keys = ["day"]
        else:
            targets = targets.filter(connection__in=[c.pk for c in group])
            keys = ["connection_id", "day"]
        rows = (
            targets.annotate(day=TruncDate("post__scheduled_at", tzinfo=zone))
            .values(*keys)
            .annotate(n=Count("id"), pending=Count("id", filter=~Q(state=TargetState.PUBLISHED)))
            .order_by()
        )
        counts = {
            (None if project_wide else row["connection_id"], row["day"]): (row["n"], row["pending"])
            for row in rows
        }
        today = platform_quota_day(platform, timezone.now())
        readings = connection_quota_readings(group) if today in days else {}
        for connection in group:
            limit = connection_daily_limit(connection)
            reading = readings.get(connection.pk)
            for day in days:
                used, pending = counts.get((None if project_wide else connection.pk, day), (0, 0))
                reported = None
                # Today: what Instagram counts (posts made elsewhere too) plus what is still to
                # go out, when that is at least our own count.
                if reading and day == today and reading.used + pending >= used:
                    used, reported = reading.used + pending, reading
                budgets[(connection.pk, day)] = Budget(
                    connection_id=connection.pk,
                    platform=platform,
                    day=day,
                    zone=zone_name,
                    limit=limit,
                    used=used,
                    scope="project" if project_wide else "account",
                    reported=reported,
                )
    return budgets


def calendar_entries(qs: QuerySet[ScheduledPost], start: datetime, end: datetime) -> QuerySet:
    """`calendar_posts` with what a calendar shows beside the status: how many targets are
    unconfirmed (a post may have gone out: it must stand out) or failed."""
    return calendar_posts(qs, start, end).annotate(
        n_unconfirmed=_count(Q(targets__state=TargetState.UNCONFIRMED)),
        n_failed=_count(Q(targets__state=TargetState.FAILED)),
    )


def targets_of_posts(post_ids: Iterable[int]) -> dict[int, list[PublishTarget]]:
    """Each post's live targets with their connection and account, in one query."""
    targets: dict[int, list[PublishTarget]] = defaultdict(list)
    rows = (
        PublishTarget.objects.filter(post_id__in=list(post_ids))
        .exclude(state=TargetState.CANCELLED)
        .select_related("connection__account")
        .order_by("post_id", "connection__platform", "id")
    )
    for target in rows:
        targets[target.post_id].append(target)
    return targets


# --- Operations: what needs a person, and whether the publisher runs ----------------------------

ATTENTION_STATES = (TargetState.FAILED, TargetState.UNCONFIRMED)


def targets_needing_attention(*, limit: int = 50) -> list[PublishTarget]:
    """The failed and unconfirmed targets, latest first, each with `cause`: what went wrong in
    words (the platform's own message, or why the outcome is unknown)."""
    targets = list(
        PublishTarget.objects.filter(state__in=ATTENTION_STATES)
        .select_related("post", "connection__account")
        .order_by("-updated_at", "-id")[:limit]
    )
    for target in targets:
        target.cause = target_cause(target)
    return targets


def target_cause(target: PublishTarget) -> str:
    """Why `target` is failed or unconfirmed, in a sentence."""
    if target.state == TargetState.UNCONFIRMED:
        return target.error or (
            "The platform never confirmed whether this post went out; it is not published "
            "again automatically."
        )
    return target.error or f"Failed ({target.error_class or 'no error recorded'})."


def targets_missed(*, now: datetime, minutes: int) -> QuerySet[PublishTarget]:
    """Targets due (or due for reconciliation) more than `minutes` ago and still not claimed:
    the publisher is not running (a range of the claim index per state)."""
    return PublishTarget.objects.filter(
        state__in=(TargetState.SCHEDULED, TargetState.DEFERRED, TargetState.AWAITING_REMOTE),
        next_attempt_at__lt=now - timedelta(minutes=minutes),
    )


def targets_stuck_publishing(*, now: datetime, minutes: int = 0) -> QuerySet[PublishTarget]:
    """Targets still `publishing` more than `minutes` past their lease: their worker died and
    no pass has taken them to reconciliation (a range of the lease index)."""
    return PublishTarget.objects.filter(
        state=TargetState.PUBLISHING, lease_until__lt=now - timedelta(minutes=minutes)
    )


def publishing_health(*, now: datetime, missed_minutes: int) -> dict[str, int]:
    """Counts for the health details: unconfirmed and failed targets, those stuck in
    publishing more than `missed_minutes` past their lease, and those due more than
    `missed_minutes` ago and not claimed. Three counts on indexed ranges."""
    by_state = dict(
        PublishTarget.objects.filter(state__in=ATTENTION_STATES)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
    )
    return {
        "unconfirmed": by_state.get(TargetState.UNCONFIRMED, 0),
        "failed": by_state.get(TargetState.FAILED, 0),
        "stuck_in_publishing": targets_stuck_publishing(now=now, minutes=missed_minutes).count(),
        "unclaimed_overdue": targets_missed(now=now, minutes=missed_minutes).count(),
    }


# The connections whose token the tracking providers read an own account with (oauth's
# connection_tokens_for_accounts).
TRACKING_METHODS = (
    ConnectionMethod.INSTAGRAM_LOGIN,
    ConnectionMethod.FACEBOOK_LOGIN,
    ConnectionMethod.GOOGLE,
)


def tracked_accounts_without_tracking_connection(platform: str) -> int:
    """How many tracked accounts of `platform` have no live connection a tracking provider
    could read them with (posts.hooks.accounts_without_own_token)."""
    connected = SocialConnection.objects.filter(
        account=OuterRef("pk"), status=ConnectionStatus.CONNECTED, method__in=TRACKING_METHODS
    )
    return (
        Account.objects.filter(platform=platform, tracking_enabled=True)
        .filter(~Exists(connected))
        .count()
    )
