"""The publishing calendar in the admin (specs/publishing.md §5): month and week views of the
posts by LOCAL scheduled time in the viewer's chosen zone (default TIME_ZONE), coloured by
platform and status (failed and unconfirmed stand out), with the remaining daily budget of each
connection on the days shown. Rescheduling by drag and drop (publishing/static/publishing/
calendar.js posts to `CalendarMove`) or by the form on each post; both keep the post's wall
time in its own zone and go through `scheduled_post_move` (refused, with why, once a target is
claimed or beyond a budget)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from core.admin.pages import AdminPage
from core.errors import ConflictError, DomainError

from .choices import PostStatus, TargetState
from .models import PublishTarget, ScheduledPost
from .queries import (
    calendar_entries,
    connection_budgets,
    connections_schedulable_by,
    platform_quota_day,
    scheduled_post_editable_by,
    scheduled_posts_visible_to,
    targets_of_posts,
)
from .services.compose import scheduled_post_move

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PLATFORM_SHORT = {"instagram": "IG", "tiktok": "TT", "youtube": "YT"}


def zone_or_default(name: str | None) -> tuple[ZoneInfo, str, bool]:
    """The viewer's zone (its name), or TIME_ZONE; the flag says a given name was not a zone."""
    if name:
        try:
            return ZoneInfo(name), name, True
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(settings.TIME_ZONE), settings.TIME_ZONE, False
    return ZoneInfo(settings.TIME_ZONE), settings.TIME_ZONE, True


def parse_day(text: str | None) -> date | None:
    if not text or not text.isascii():
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@dataclass
class Entry:
    post: ScheduledPost
    local: datetime  # in the viewer's zone
    own_local: datetime  # in the post's zone
    targets: list[PublishTarget]
    editable: bool
    move_url: str
    change_url: str

    # Formatted here: a template filter would show an aware time in TIME_ZONE.
    @property
    def time_text(self) -> str:
        return f"{self.local:%H:%M}"

    @property
    def own_time(self) -> str:
        return f"{self.own_local:%H:%M}"

    @property
    def own_date(self) -> str:
        return f"{self.own_local:%Y-%m-%d}"

    @property
    def status_label(self) -> str:
        return PostStatus(self.post.status).label

    @property
    def unconfirmed(self) -> bool:
        return self.post.n_unconfirmed > 0

    @property
    def stands_out(self) -> bool:
        return self.unconfirmed or self.post.n_failed > 0

    @property
    def excerpt(self) -> str:
        text = (self.post.caption or self.post.title or "").strip().splitlines()
        first = text[0] if text else f"Post {self.post.pk}"
        return first if len(first) <= 60 else first[:59] + "…"

    @property
    def chips(self) -> list[dict]:
        return [
            {
                "platform": t.connection.platform,
                "short": PLATFORM_SHORT.get(t.connection.platform, "?"),
                "bad": t.state in (TargetState.FAILED, TargetState.UNCONFIRMED),
                "ok": t.state == TargetState.PUBLISHED,
                "title": f"{t.connection.account} · {t.get_state_display()}",
            }
            for t in self.targets
        ]

    @property
    def other_zone(self) -> bool:
        return self.post.timezone != str(self.local.tzinfo)


@dataclass
class Day:
    day: date
    in_month: bool
    today: bool
    entries: list[Entry] = field(default_factory=list)
    budgets: list[dict] = field(default_factory=list)


class CalendarPage(AdminPage):
    """Month and week calendar of scheduled posts."""

    route = "calendar/"
    url_name = "publishing_calendar"
    title = "Publishing calendar"
    template = "admin/publishing/calendar.html"
    permissions = ("publishing.view_scheduledpost",)

    def get_context(self) -> dict:
        params = self.request.GET
        zone, zone_name, known = zone_or_default(params.get("tz"))
        if not known:
            messages.warning(
                self.request, f"“{params.get('tz')}” is not a time zone; showing {zone_name}."
            )
        view = "week" if params.get("view") == "week" else "month"
        today = datetime.now(zone).date()
        anchor = parse_day(params.get("date")) or today
        if view == "week":
            first = anchor - timedelta(days=anchor.weekday())
            last = first + timedelta(days=6)
            prev_anchor, next_anchor = first - timedelta(days=7), first + timedelta(days=7)
            heading = f"Week of {first:%d %b %Y}"
        else:
            month = anchor.replace(day=1)
            following = (month + timedelta(days=32)).replace(day=1)
            first = month - timedelta(days=month.weekday())
            last_of_month = following - timedelta(days=1)
            last = last_of_month + timedelta(days=6 - last_of_month.weekday())
            prev_anchor, next_anchor = (month - timedelta(days=1)).replace(day=1), following
            heading = f"{month:%B %Y}"
        start = datetime.combine(first, time.min, tzinfo=zone)
        end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)

        visible = scheduled_posts_visible_to(self.request.user, ScheduledPost.objects.all())
        posts = list(calendar_entries(visible, start, end))
        targets = targets_of_posts(p.pk for p in posts)
        can_change = self.request.user.has_perm("publishing.change_scheduledpost")
        everyone = self.request.user.has_perm("creators.view_all_account")
        mine = (
            None
            if everyone
            else set(connections_schedulable_by(self.request.user).values_list("pk", flat=True))
        )
        days = {
            first + timedelta(days=n): Day(
                first + timedelta(days=n),
                in_month=view == "week" or (first + timedelta(days=n)).month == anchor.month,
                today=first + timedelta(days=n) == today,
            )
            for n in range((last - first).days + 1)
        }
        used_by_day: dict[date, dict[int, PublishTarget]] = defaultdict(dict)
        for post in posts:
            local = post.scheduled_at.astimezone(zone)
            own = post.scheduled_at.astimezone(ZoneInfo(post.timezone))
            post_targets = targets.get(post.pk, [])
            waiting = post.status == PostStatus.SCHEDULED
            allowed = can_change and (
                mine is None or all(t.connection_id in mine for t in post_targets)
            )
            entry = Entry(
                post=post,
                local=local,
                own_local=own,
                targets=post_targets,
                editable=waiting and allowed,
                move_url=reverse("admin:publishing_calendar_move", args=[post.pk]),
                change_url=reverse("admin:publishing_scheduledpost_change", args=[post.pk]),
            )
            days[local.date()].entries.append(entry)
            for target in post_targets:
                used_by_day[local.date()].setdefault(target.connection_id, target)
        self._add_budgets(days, used_by_day, posts, targets)

        def link(anchor_day: date, view_name: str = view) -> str:
            return f"?view={view_name}&date={anchor_day:%Y-%m-%d}&tz={zone_name}"

        weeks = [list(days.values())[i : i + 7] for i in range(0, len(days), 7)]
        return {
            "title": f"Publishing calendar · {heading}",
            "heading": heading,
            "view": view,
            "weeks": weeks,
            "weekdays": WEEKDAYS,
            "zone_name": zone_name,
            "anchor": anchor,
            "prev_url": link(prev_anchor),
            "next_url": link(next_anchor),
            "today_url": link(today),
            "month_url": link(anchor, "month"),
            "week_url": link(anchor, "week"),
            "csrf_token_value": get_token(self.request),
            "can_compose": self.request.user.has_perm("publishing.add_scheduledpost"),
            "here": self.request.get_full_path(),
        }

    def _add_budgets(self, days, used_by_day, posts, targets) -> None:
        """Each day's connections (those posting that day) with their remaining budget on
        their platform's quota day: one budget read for the whole page."""
        moments = {p.pk: p.scheduled_at for p in posts}
        wanted: dict[tuple[date, int], tuple[PublishTarget, date]] = {}
        for day, by_connection in used_by_day.items():
            for connection_id, target in by_connection.items():
                quota_day = platform_quota_day(target.connection.platform, moments[target.post_id])
                wanted[(day, connection_id)] = (target, quota_day)
        connections = {t.connection_id: t.connection for t, _ in wanted.values()}
        budgets = connection_budgets(
            connections=connections.values(), days={d for _, d in wanted.values()}
        )
        for (day, connection_id), (target, quota_day) in sorted(
            wanted.items(), key=lambda item: (item[0][0], item[1][0].connection.account.username)
        ):
            budget = budgets[(connection_id, quota_day)]
            days[day].budgets.append(
                {
                    "connection": target.connection,
                    "platform": target.connection.platform,
                    "short": PLATFORM_SHORT.get(target.connection.platform, "?"),
                    "remaining": budget.remaining,
                    "limit": budget.limit,
                    "quota_day": quota_day,
                    "zone": budget.zone,
                    "reported": budget.reported.describe() if budget.reported else "",
                }
            )


class CalendarMove(AdminPage):
    """Reschedule one post: by drag and drop (`date` and `from`: the days of the cells, the
    post keeps its wall time in its own zone) or by the form (`date` and `time` in the post's
    zone). JSON for the script, a message and a redirect for the form."""

    route = "calendar/<int:pk>/move/"
    url_name = "publishing_calendar_move"
    permissions = ("publishing.view_scheduledpost", "publishing.change_scheduledpost")

    def get(self, pk: int) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:publishing_calendar"))

    def wants_json(self) -> bool:
        return "application/json" in self.request.headers.get("Accept", "")

    def answer(self, ok: bool, message: str, *, code: str = "", status: int = 200):
        if self.wants_json():
            if ok:
                return JsonResponse({"ok": True, "message": message})
            return JsonResponse(
                {"error": {"code": code, "message": message, "fields": {}}}, status=status
            )
        (messages.success if ok else messages.error)(self.request, message)
        back = self.request.POST.get("next") or ""
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            back = reverse("admin:publishing_calendar")
        return HttpResponseRedirect(back)

    def post(self, pk: int) -> HttpResponse:
        visible = scheduled_posts_visible_to(self.request.user, ScheduledPost.objects.all())
        post = visible.filter(pk=pk).first()
        if post is None:
            raise Http404("No such post.")
        if not scheduled_post_editable_by(self.request.user, post):
            raise PermissionDenied
        data = self.request.POST
        own = post.scheduled_at.astimezone(ZoneInfo(post.timezone))
        target_day, from_day = parse_day(data.get("date")), parse_day(data.get("from"))
        if target_day is None:
            return self.answer(False, "Pick a day to move the post to.", code="invalid", status=400)
        if data.get("time"):
            try:
                wall = time.fromisoformat(data["time"]) if data["time"].isascii() else None
            except ValueError:
                wall = None
            if wall is None:
                return self.answer(False, "Enter a time like 09:30.", code="invalid", status=400)
            local = datetime.combine(target_day, wall.replace(second=0, microsecond=0))
        else:
            shift = (target_day - from_day) if from_day else (target_day - own.date())
            local = datetime.combine(own.date() + shift, own.time().replace(tzinfo=None))
        try:
            scheduled_post_move(
                post,
                local_time=local,
                allow_over_quota=bool(data.get("allow_over_quota")),
            )
        except ConflictError as error:
            return self.answer(False, error.message, code=error.code, status=409)
        except DomainError as error:
            return self.answer(False, error.message, code=error.code, status=400)
        return self.answer(True, f"“{post}” moved to {local:%a %d %b %Y %H:%M} ({post.timezone}).")
