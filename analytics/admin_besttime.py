"""Admin pages of best time to post, audience and brand mentions (specs/analytics.md), hosted
by the read-only Mention admin. Thin: the numbers come from analytics.best_time,
analytics.audience.queries and analytics.mentions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from core.admin.changelist import ReadOnlyAdminMixin
from core.admin.pages import AdminPage, AdminPagesMixin
from core.errors import DomainError
from posts.choices import Platform
from settings_app.access import accounts_visible_to

from .audience.queries import audience_rows
from .best_time import SCOPES, best_time_grid, best_time_params, heat_colour, heat_rows
from .mentions import mention_counts_by_client, mention_sentiment_configured, mentions_visible_to
from .models import AudienceSnapshot, Mention
from .picker import scope_groups, scope_options_html, scope_visible


def best_time_context(request, *, params=None) -> dict:
    """The include's context (`analytics/includes/best_time.html`): the grid for the scope of
    `params` (default: the request's GET), or the errors naming the bad parameters."""
    params = request.GET if params is None else params
    try:
        scope = best_time_params(params)
    except DomainError as error:
        return {"best_time_errors": error.fields, "best_time_rows": [], "best_time": None}
    grid = best_time_grid(request.user, **scope)
    return {
        "best_time": grid,
        "best_time_rows": heat_rows(grid),
        "best_time_hours": range(24),
        "best_time_legend": [heat_colour(v, 4) for v in range(5)],
        "best_time_scope": scope,
        "best_time_errors": {},
    }


class BestTimePage(AdminPage):
    route = "best-time/"
    url_name = "analytics_best_time"
    title = "Best time to post"
    template = "admin/analytics/best_time.html"
    permissions = ("posts.view_post",)

    def get_context(self, **kwargs: Any) -> dict:
        user = self.request.user
        query = self.request.GET.copy()
        # The picker's one scope is "creator:3"; `?creator=3` (as in the API) works too.
        scope, _, scope_id = query.pop("scope", [""])[-1].partition(":")
        if scope in SCOPES and scope_id:
            query.appendlist(scope, scope_id)
        # Two values of one scope ("creator:3" and ?creator=4) fail validation as a bad id.
        query = {k: ",".join(query.getlist(k)) for k in query}
        chosen = next(((k, query[k]) for k in SCOPES if query.get(k)), (None, None))
        context = best_time_context(self.request, params=query)
        if (
            not context["best_time_errors"]
            and chosen[0]
            and not scope_visible(user, chosen[0], int(chosen[1]))
        ):
            context = {
                **context,
                "best_time": None,
                "best_time_rows": [],
                "best_time_errors": {
                    chosen[0]: [f"No {chosen[0]} with id {chosen[1]} that you may see."]
                },
            }
        picked_id = int(chosen[1]) if chosen[0] and str(chosen[1]).isdigit() else None
        scopes = [
            group
            for group in scope_groups(user, chosen=(chosen[0], picked_id))
            if group["key"] in SCOPES
        ]
        return {
            **context,
            "scope_options": scope_options_html(scopes, (chosen[0], picked_id)),
            "platforms": Platform.choices,
            "picked": {k: self.request.GET.get(k, "") for k in ("start_date", "end_date")},
            "picked_platform": self.request.GET.get("platform", ""),
        }


class AudiencePage(AdminPage):
    route = "audience/"
    url_name = "analytics_audience"
    title = "Audience"
    template = "admin/analytics/audience.html"
    permissions = ("analytics.view_audiencesnapshot",)

    def get_context(self, **kwargs: Any) -> dict:
        return {"rows": audience_rows(self.request.user)}


class MentionsPage(AdminPage):
    route = "brand-mentions/"
    url_name = "analytics_mentions"
    title = "Brand mentions"
    template = "admin/analytics/mentions.html"
    permissions = ("analytics.view_mention",)

    def get_context(self, **kwargs: Any) -> dict:
        user = self.request.user
        client = self.request.GET.get("client", "")
        recent = mentions_visible_to(user).select_related("client", "post")
        if client.isascii() and client.isdigit():
            recent = recent.filter(client_id=int(client))
        return {
            "clients": mention_counts_by_client(user),
            "recent": recent.order_by("-matched_at", "-id")[:50],
            "ai_configured": mention_sentiment_configured(),
            "picked_client": client,
        }


@admin.register(Mention)
class MentionAdmin(AdminPagesMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("term", "client", "post", "sentiment", "matched_at")
    list_filter = ("sentiment",)
    list_select_related = ("client", "post")
    show_full_result_count = False
    pages = (BestTimePage, AudiencePage, MentionsPage)

    def get_queryset(self, request):
        return mentions_visible_to(request.user, super().get_queryset(request))


@admin.register(AudienceSnapshot)
class AudienceSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("account", "date", "source", "fetched_at")
    list_select_related = ("account",)
    show_full_result_count = False

    def get_queryset(self, request):
        return accounts_visible_to(request.user, super().get_queryset(request), through="account__")
