"""The creator page (an account's admin page): profile, metric cards, follower and views charts,
recent posts and the month's finance figures, read with a fixed number of queries."""

from datetime import timedelta

from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.admin.display import EMPTY, image_tag
from core.charts import Series, line_chart
from core.windows import local_date
from posts.models import Post

from .metrics import CHART_DAYS, account_snapshot_history, account_views_per_day
from .models import Account

RECENT_POSTS = 10


def account_charts(account: Account, *, days: int = CHART_DAYS) -> dict:
    """The creator page's two charts, from the snapshot history (two queries)."""
    start = timezone.now() - timedelta(days=days)
    followers = list(
        account_snapshot_history(account=account, granularity="day", start=start).values_list(
            "bucket", "last_followers"
        )
    )
    views = account_views_per_day(account, days=days)
    return {
        "followers": line_chart(
            [local_date(bucket).strftime("%b %d") for bucket, _ in followers],
            [Series("Followers", [value for _, value in followers])],
            title=f"Followers (last {days} days)",
            chart_id="followers-chart",
            empty_text="No profile snapshots yet",
        ),
        "views": line_chart(
            [day.strftime("%b %d") for day, _ in views],
            [Series("Views gained", [value for _, value in views], color="#2e9e5b")],
            title=f"Views gained per day (last {days} days)",
            zero_based=True,
            chart_id="views-chart",
            empty_text="No post snapshots yet",
        ),
    }


def _cards(account: Account, groups: dict[str, tuple[tuple[str, str, str], ...]]) -> list[dict]:
    """Metric cards: group -> (label, field, kind) with kind "count", "delta" or "percent"."""
    result = []
    for title, cards in groups.items():
        items = []
        for label, field, kind in cards:
            value = getattr(account, field)
            if value is None:
                text = EMPTY
            elif kind == "percent":
                text = f"{value:,.2f}%"
            elif kind == "delta":
                text = f"{value:+,}"
            else:
                text = f"{value:,}"
            items.append({"label": label, "field": field, "value": text})
        result.append({"title": title, "cards": items})
    return result


METRIC_CARDS = {
    "Audience": (
        ("Followers", "followers", "count"),
        ("Following", "following", "count"),
        ("Since Monday", "followers_since_monday", "delta"),
        ("Since the 1st", "followers_since_1st_of_month", "delta"),
        ("Since start of growth", "followers_since_start_of_growth", "delta"),
    ),
    "Views": (
        ("Total views", "total_views", "count"),
        ("Average views", "avg_views", "count"),
        ("Last 7 days", "views_last_7d", "count"),
        ("Last 30 days", "views_last_30d", "count"),
        ("Last 90 days", "views_last_90d", "count"),
        ("Last 365 days", "views_last_365d", "count"),
        ("Last calendar week", "views_last_calendar_week", "count"),
        ("Last calendar month", "views_last_calendar_month", "count"),
        ("Since the 1st", "views_since_1st_of_month", "count"),
    ),
    "Engagement": (
        ("Average engagement", "avg_engagement_rate", "percent"),
        ("Total likes", "total_likes", "count"),
        ("Total comments", "total_comments", "count"),
        ("Total shares", "total_shares", "count"),
    ),
    "Output": (
        ("Posts 7 days", "posts_last_7d", "count"),
        ("Posts 30 days", "posts_last_30d", "count"),
        ("Posts 90 days", "posts_last_90d", "count"),
        ("Videos", "video_count", "count"),
        ("Photos", "photo_count", "count"),
        ("Carousels", "carousel_count", "count"),
        ("On the platform", "total_media_count", "count"),
    ),
}
FINANCE_CARDS = {
    "Finance": (
        ("Posting volume this month", "this_month_posting_volume", "count"),
        ("Posting volume last month", "last_month_posting_volume", "count"),
        ("Views generated this month", "this_month_views_generated", "count"),
        ("Views generated last month", "last_month_views_generated", "count"),
    )
}


def account_workspace(account: Account) -> dict:
    """Everything the creator page shows above the form."""
    recent = list(
        Post.objects.filter(account=account)
        .order_by(models.F("post_date").desc(nulls_last=True), "-id")
        .only(
            "pk",
            "url",
            "post_id",
            "thumbnail_url",
            "post_date",
            "views",
            "likes",
            "engagement_rate",
            "is_trial",
            "trial_status",
            "base_format",
        )[:RECENT_POSTS]
    )
    return {
        "account": account,
        "metric_groups": _cards(account, METRIC_CARDS),
        "finance_cards": _cards(account, FINANCE_CARDS)[0]["cards"],
        "kpi_status": account.get_kpi_status_display(),
        "kpi_code": account.kpi_status,
        "charts": account_charts(account),
        "recent_posts": [
            {
                "post": post,
                "thumbnail": image_tag(post.thumbnail_url, alt=post.post_id, size=40),
                "url": reverse("admin:posts_post_change", args=[post.pk]),
            }
            for post in recent
        ],
        "posts_url": reverse("admin:posts_post_changelist") + f"?account={account.pk}",
    }
