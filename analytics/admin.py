"""The analytics admin: the analytics page (specs/analytics.md: a scope and period picker,
headline figures with their change, the growth and views charts, the platforms side by side,
the top and bottom posts, all read from analytics.queries as the API does, the "top 3 posts
and why" insight card of a client, creator or campaign, and the best time to post heat map);
best time, audience and mentions pages (admin_besttime.py), the "Ask the workspace" page and
its log (analytics/ask/admin.py), and reports (list, generate, download, delete) and report
schedules (admin_reports.py)."""

from django.contrib import admin, messages

from core.admin.changelist import ReadOnlyAdminMixin
from core.admin.pages import AdminPage, AdminPagesMixin
from core.charts import Series, line_chart
from posts.choices import Platform

from . import (
    admin_besttime,  # noqa: F401  (best time, audience and mentions pages)
    admin_reports,  # noqa: F401  (reports and report schedules)
    queries,
)
from .admin_besttime import best_time_context
from .api.serializers import AnalyticsParamsSerializer
from .ask import admin as ask_admin  # noqa: F401 - registers the page
from .insights import CARD_SCOPES, scope_insight_card
from .models import DailyAccountMetric
from .picker import scope_groups, scope_options_html, scope_visible

CHART_WIDTH = 500  # two side by side at 1440 wide


def _label(day, granularity: str) -> str:
    return day.strftime("%b %Y") if granularity == "month" else day.strftime("%b %d")


class AnalyticsPage(AdminPage):
    """`/admin/analytics/dailyaccountmetric/dashboard/`: the figures of one scope and period.
    The best-time-to-post heat map goes in the template's `best_time` block."""

    route = "dashboard/"
    url_name = "analytics_dashboard"
    title = "Analytics"
    template = "admin/analytics/dashboard.html"
    permissions = ("analytics.view_dailyaccountmetric",)

    def _params(self) -> dict:
        """The GET form, validated like the API's parameters; a bad one says so and the page
        falls back on the default."""
        query = self.request.GET.copy()
        # The picker's scope is "client:3"; `?client=3` (any scope, as in the API) works too.
        scope, _, scope_id = query.pop("scope", [""])[-1].partition(":")
        if scope and scope_id:
            query[scope] = scope_id
        if "platforms" in query:
            query["platforms"] = ",".join(query.getlist("platforms"))
        params = AnalyticsParamsSerializer(data={k: v for k, v in query.items() if v})
        if params.is_valid():
            return params.validated_data
        for field, errors in params.errors.items():
            messages.error(self.request, f"{field}: {' '.join(str(e) for e in errors)}")
        fallback = AnalyticsParamsSerializer(data={})
        fallback.is_valid(raise_exception=True)
        return fallback.validated_data

    def get_context(self) -> dict:
        params = self._params()
        period = params["period"]
        try:
            accounts = queries.scope_accounts(
                user=self.request.user,
                scope=params["scope"],
                scope_id=params["scope_id"],
                platforms=params.get("platforms"),
            )
            if params["scope"] and not scope_visible(
                self.request.user, params["scope"], params["scope_id"]
            ):
                # Not an empty page: a scope outside the user's role is refused, as if unknown.
                raise queries.AnalyticsQueryError(
                    params["scope"],
                    f"No {params['scope']} with id {params['scope_id']} that you may see; "
                    "showing every account you see.",
                )
        except queries.AnalyticsQueryError as error:
            messages.error(self.request, f"{error.field}: {error.message}")
            params["scope"] = params["scope_id"] = None
            accounts = queries.scope_accounts(user=self.request.user)
        overview = queries.overview(accounts=accounts, period=period)
        compare = queries.compare(accounts=accounts, period=period)
        posts = queries.top_posts(accounts=accounts, period=period, user=self.request.user)
        labels = [_label(point["bucket"], period.granularity) for point in overview["series"]]
        card = None
        if params["scope"] in CARD_SCOPES:
            # The AI's explanation is stored once per card: a page view after the first is
            # read from the database, not asked again.
            _, card = scope_insight_card(
                kind=params["scope"],
                scope_id=params["scope_id"],
                period=period,
                accounts=accounts,
                user=self.request.user,
            )
        chosen = (params["scope"], params["scope_id"])
        return {
            "period": period,
            "params": params,
            "headlines": queries.headlines(overview),
            "growth_chart": line_chart(
                labels,
                [Series("Followers", [p["followers"] for p in overview["series"]])],
                title="Followers",
                width=CHART_WIDTH,
                chart_id="growth-chart",
            ),
            "views_chart": line_chart(
                labels,
                [
                    Series(
                        "Views gained",
                        [p["views_gained"] for p in overview["series"]],
                        color="#2e9e5b",
                    )
                ],
                title="Views gained",
                width=CHART_WIDTH,
                zero_based=True,
                chart_id="views-chart",
            ),
            "platform_rows": compare["platforms"],
            "top_posts": posts["top"],
            "bottom_posts": posts["bottom"],
            "insight_card": card,
            "scope_options": scope_options_html(
                scope_groups(self.request.user, chosen=chosen), chosen
            ),
            "granularities": ("day", "week", "month"),
            "platform_choices": Platform.choices,
            "chosen_platforms": params.get("platforms") or [],
            **best_time_context(self.request, params=self._best_time_params(params)),
        }

    @staticmethod
    def _best_time_params(params: dict) -> dict:
        """The heat map's scope: the page's when the heat map knows it (account, creator,
        client), else every account the user sees; the page's period; one platform if one."""
        period = params["period"]
        chosen = {"start_date": period.start.isoformat(), "end_date": period.end.isoformat()}
        if params["scope"] in ("account", "creator", "client"):
            chosen[params["scope"]] = str(params["scope_id"])
        if len(params.get("platforms") or []) == 1:
            chosen["platform"] = params["platforms"][0]
        return chosen


@admin.register(DailyAccountMetric)
class DailyAccountMetricAdmin(AdminPagesMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The rollup rows themselves (read-only; written by the nightly job and `manage.py
    rollup`), and the analytics page."""

    pages = (AnalyticsPage,)
    list_display = ("account", "date", "followers", "views_gained", "posts_published")
    list_select_related = ("account",)
    raw_id_fields = ("account",)
    ordering = ("-date", "-account")
    show_full_result_count = False
    search_fields = ("=account__username",)

    def has_delete_permission(self, request, obj=None):
        return False
