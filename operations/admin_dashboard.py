"""The operations dashboard: one admin page answering "is everything running, what failed, and
why", with buttons to fix it (replay or resolve dead letters, re-enable accounts, re-queue AI).

Registered under the job runs' admin URLs (`/admin/operations/jobrun/dashboard/`) by
`JobRunAdmin.pages`, and listed first under Operations by the admin's menu (config.admin_menu). Reads come from
operations.queries (a bounded number of queries); every button is a POST calling a service.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from core.admin.pages import AdminPage, posted_ids
from core.errors import DomainError
from creators.models import Account
from creators.queries import accounts_disabled
from creators.services.adding import account_set_tracking
from platforms.ratelimit import provider_states
from posts.queries import ai_failures_recent, ai_status, posts_detected_recent, posts_failing
from posts.services.classification import (
    posts_requeue_classification,
    posts_requeue_failed_classifications,
)
from publishing.queries import targets_needing_attention

from .models import FailedItem, FailedItemKind
from .queries import (
    ai_assist_usage_by_day,
    ai_usage_by_day,
    dead_letter_counts,
    failed_items_open,
    health_problems,
    health_summary,
    job_status,
    provider_paused_minutes,
)
from .services import ReplayReport, failed_items_close, failed_items_replay

DEAD_LETTERS_SHOWN = 50


class OperationsDashboard(AdminPage):
    route = "dashboard/"
    url_name = "operations_dashboard"
    title = "Operations dashboard"
    template = "admin/operations/dashboard.html"
    permissions = ("operations.view_jobrun",)

    def can_replay(self) -> bool:
        return self.admin_site.get_model_admin(FailedItem).has_view_permission(self.request)

    def get_context(self) -> dict:
        now = timezone.now()
        jobs = job_status(now=now)
        providers = provider_states()
        for state in providers:
            state["paused_minutes"] = provider_paused_minutes(state, now=now)
        dead = dead_letter_counts()
        changelist = reverse("admin:operations_jobrun_changelist", current_app=self.admin_site.name)
        for job in jobs:
            job["runs_url"] = f"{changelist}?job={job['job']}"
        health = health_summary(now=now)
        return {
            "now": now,
            "health": health,
            # The same list as the health endpoint's `problems`.
            "problems": health_problems(
                now=now, summary=health, jobs=jobs, providers=providers, dead=dead
            ),
            "jobs": jobs,
            "providers": providers,
            **self.ai_context(now),
            "feed": list(posts_detected_recent()),
            **self.dead_letters_context(dead),
            "disabled_accounts": list(accounts_disabled()),
            "failing_posts": list(posts_failing()),
            **self.publishing_context(),
            "can_replay": self.can_replay(),
            "can_change_accounts": self.request.user.has_perm("creators.change_account"),
            "can_change_posts": self.request.user.has_perm("posts.change_post"),
            "failed_items_url": reverse(
                "admin:operations_faileditem_changelist", current_app=self.admin_site.name
            ),
        }

    @staticmethod
    def ai_context(now) -> dict:
        usage = ai_usage_by_day(now=now)
        return {
            "ai": ai_status(),
            "ai_failures": list(ai_failures_recent()),
            "ai_usage": usage,
            "ai_total_cost": sum(day["cost_usd"] for day in usage),
            "ai_total_tokens": sum(d["prompt_tokens"] + d["completion_tokens"] for d in usage),
            "ai_assist_usage": ai_assist_usage_by_day(now=now),
        }

    def publishing_context(self) -> dict:
        """Failed and unconfirmed publish targets with their cause, for those who may see
        targets (each links to its page and publishing log)."""
        if not self.request.user.has_perm("publishing.view_publishtarget"):
            return {"show_publishing": False}
        return {"show_publishing": True, "publish_attention": targets_needing_attention()}

    def dead_letters_context(self, dead: dict) -> dict:
        kind = self.request.GET.get("kind")
        kind = kind if kind in FailedItemKind.values else ""
        return {
            "dead_counts": [
                {"kind": value, "label": label, "count": dead[value]}
                for value, label in FailedItemKind.choices
            ],
            "dead_kind": kind,
            "dead_letters": list(failed_items_open(kind=kind or None)[:DEAD_LETTERS_SHOWN]),
        }

    # --- Buttons ------------------------------------------------------------------------------

    def post(self) -> HttpResponse:
        request = self.request
        post = request.POST
        back = self.url() + (f"?{request.GET.urlencode()}" if request.GET else "")
        try:
            if any(key in post for key in ("replay_one", "replay_selected", "replay_kind")):
                self._require(self.can_replay())
                self._replay(request, self._dead_letters(post, "replay"))
            elif any(key in post for key in ("resolve_one", "resolve_selected", "resolve_kind")):
                self._require(self.can_replay())
                count = failed_items_close(items=self._dead_letters(post, "resolve"))
                messages.success(request, f"{count:,} dead letter(s) resolved.")
            elif "reenable" in post:
                self._require(request.user.has_perm("creators.change_account"))
                ids = posted_ids(post.getlist("reenable"))
                count = account_set_tracking(
                    accounts_qs=Account.objects.filter(pk__in=ids), enabled=True
                )
                messages.success(request, f"{count:,} account(s) tracked again.")
            elif "requeue_one" in post:
                self._require(request.user.has_perm("posts.change_post"))
                count = posts_requeue_classification(ids=posted_ids(post.getlist("requeue_one")))
                messages.success(request, f"{count:,} post(s) queued for the AI again.")
            elif "requeue_failed" in post:
                self._require(request.user.has_perm("posts.change_post"))
                count = posts_requeue_failed_classifications()
                messages.success(request, f"{count:,} failed post(s) queued for the AI again.")
            else:
                messages.warning(request, "Nothing to do.")
        except DomainError as error:
            messages.error(request, str(error))
        return HttpResponseRedirect(back)

    @staticmethod
    def _require(allowed: bool) -> None:
        if not allowed:
            raise PermissionDenied

    @staticmethod
    def _dead_letters(post, verb: str):
        if f"{verb}_kind" in post:
            return failed_items_open(kind=post[f"{verb}_kind"])
        if f"{verb}_one" in post:
            ids = posted_ids(post.getlist(f"{verb}_one"))
        else:
            ids = posted_ids(post.getlist("ids"))
        return FailedItem.objects.filter(pk__in=ids)

    @staticmethod
    def _replay(request: HttpRequest, items) -> None:
        if not items.filter(resolved_at__isnull=True).exists():
            messages.warning(request, "Select at least one open dead letter.")
            return
        report: ReplayReport = failed_items_replay(items=items)
        tried = report.ok + report.failed
        if tried:
            level = messages.SUCCESS if not report.failed else messages.WARNING
            messages.add_message(
                request,
                level,
                f"Replayed {tried:,}: {report.ok:,} succeeded, {report.failed:,} failed again.",
            )
        if report.queued:
            messages.info(request, f"{report.queued:,} queued for the next run of their job.")
        if not tried and not report.queued:
            messages.warning(request, "Nothing could be replayed (objects gone or busy).")
