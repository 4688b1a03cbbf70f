"""A small agency for the report and insight tests: one client with an Instagram and a TikTok
account, posts with snapshots around March 2026, and the daily rollups of both accounts and of the posts (the
rollup job is tested on its own; reports only read its rows)."""

from datetime import UTC, date, datetime, timedelta

from analytics.models import DailyAccountMetric, DailyPostMetric
from analytics.reports.services import report_create
from posts.choices import BaseFormat, ContentType, ReelStyle
from settings_app.models import Category, Client, Subcategory
from tests.creators.factories import AccountFactory
from tests.posts.factories import PostFactory, PostSnapshotFactory

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
BEFORE = datetime(2026, 2, 28, 12, tzinfo=UTC)
AFTER = datetime(2026, 3, 31, 20, tzinfo=UTC)


def post_gaining(account, gained: int, *, hour: int = 18, **fields):
    """A post published in February, tracked at `BEFORE` (1 000 views) and `AFTER` (its
    current views)."""
    post = PostFactory(
        account=account,
        username=account.username,
        platform=account.platform,
        post_date=datetime(2026, 2, 20, hour, tzinfo=UTC),
        views=1000 + gained,
        **fields,
    )
    PostSnapshotFactory(post=post, captured_at=BEFORE, views=1000)
    PostSnapshotFactory(post=post, captured_at=AFTER, views=1000 + gained)
    # Its per-post rollups, as the rollup job writes them: the 1 000 views of its first
    # snapshot on its publication day (tracking began after it), then the gain on 03-31.
    DailyPostMetric.objects.bulk_create(
        DailyPostMetric(post=post, account=account, date=day, views_gained=views)
        for day, views in ((date(2026, 2, 20), 1000), (date(2026, 3, 31), gained))
    )
    return post


def rollups(account, *, start: date, days: int, followers: int, per_day: int, views: int):
    DailyAccountMetric.objects.bulk_create(
        DailyAccountMetric(
            account=account,
            date=start + timedelta(days=n),
            followers=followers + n * per_day,
            following=10,
            posts_published=1 if n % 7 == 0 else 0,
            views_gained=views,
            likes_gained=views // 10,
            comments_gained=views // 100,
            shares_gained=0,
        )
        for n in range(days)
    )


def agency(name: str = "Acme Foods"):
    """The client, its two accounts and their posts: on the Instagram account one post far
    above its siblings (Talking Head, Finance, posted at 18:00), on TikTok two."""
    client = Client.objects.create(name=name, report_emails="boss@acme.test\nteam@acme.test")
    insta = AccountFactory(client=client, username="acme.eats")
    tiktok = AccountFactory(
        client=client,
        platform="tiktok",
        username="acmetok",
        url="https://www.tiktok.com/@acmetok",
    )
    finance, _ = Category.objects.get_or_create(name="Finance")
    investing, _ = Subcategory.objects.get_or_create(category=finance, name="Investing")
    video = {
        "base_format": BaseFormat.VIDEO,
        "content_type": ContentType.VIDEO_SHORT,
        "reel_style": ReelStyle.TALKING_HEAD,
        "category": finance,
        "duration_s": 22,
    }
    stars = [
        post_gaining(insta, 50_000, **video),
        post_gaining(tiktok, 30_000, **video),
        post_gaining(tiktok, 24_000, **video),
    ]
    for star in stars:
        star.subcategories.add(investing)
    for gained in (900, 1000, 1100, 1200):
        post_gaining(insta, gained, hour=9, base_format=BaseFormat.SINGLE_PHOTO)
    for gained in (2000, 2500, 3000):
        post_gaining(tiktok, gained, hour=7, base_format=BaseFormat.VIDEO, duration_s=70)
    # February (the previous period) and March.
    rollups(insta, start=date(2026, 2, 1), days=28, followers=10_000, per_day=10, views=1_000)
    rollups(insta, start=date(2026, 3, 1), days=31, followers=10_300, per_day=20, views=2_000)
    rollups(tiktok, start=date(2026, 2, 1), days=28, followers=5_000, per_day=5, views=500)
    rollups(tiktok, start=date(2026, 3, 1), days=31, followers=5_200, per_day=5, views=500)
    return {"client": client, "insta": insta, "tiktok": tiktok, "stars": stars}


def march_report(client, **fields):
    """A monthly report on `client` for March 2026 (MARCH)."""
    return report_create(
        kind="monthly",
        scope_kind="client",
        scope_id=client.pk,
        start=MARCH[0],
        end=MARCH[1],
        **fields,
    )
