"""A small agency for the analytics tests: two clients' accounts with daily views, rolled up."""

from datetime import UTC, date, datetime, timedelta

from analytics.services.rollups import daily_metrics_rollup
from core import windows
from posts.choices import Platform
from tests.creators.factories import AccountFactory, AccountSnapshotFactory, CreatorFactory
from tests.posts.factories import PostFactory, PostSnapshotFactory
from tests.settings_app.factories import (
    BoardFactory,
    CategoryFactory,
    ClientFactory,
    EditorFactory,
    SubcategoryFactory,
    UserFactory,
)

MARCH = {"start_date": "2026-03-01", "end_date": "2026-03-10"}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def grow(account, *, views: list[tuple[str, int]], followers: list[tuple[str, int]], **post):
    # Its current views are its latest snapshot's, as a refresh leaves them.
    latest = views[-1][1] if views else None
    item = PostFactory(account=account, post_date=utc("2026-02-01"), views=latest, **post)
    for moment, value in views:
        PostSnapshotFactory(post=item, captured_at=utc(moment), views=value, likes=value // 10)
    for moment, value in followers:
        AccountSnapshotFactory(account=account, captured_at=utc(moment), followers=value)
    return item


def agency_create() -> dict:
    """Client A: an Instagram and a TikTok account; client B: one account. Views each day of
    February and March; rolled up."""
    client_a, client_b = ClientFactory(name="A"), ClientFactory(name="B")
    editor = EditorFactory(user=UserFactory(roles=["Editor"]))
    creator = CreatorFactory(user=UserFactory(roles=["Creator"]))
    board = BoardFactory()
    insta = AccountFactory(client=client_a, editor=editor, creator=creator)
    insta.boards.add(board)
    tiktok = AccountFactory(client=client_a, platform=Platform.TIKTOK)
    other = AccountFactory(client=client_b)
    category = CategoryFactory(name="Fitness")
    hit = grow(
        insta,
        # +100 a day in February, +200 a day in March
        views=[(f"2026-02-{d:02} 12:00", 100 * d) for d in range(1, 29)]
        + [(f"2026-03-{d:02} 12:00", 2_800 + 200 * d) for d in range(1, 11)],
        followers=[
            ("2026-02-20 12:00", 1_000),
            ("2026-02-28 12:00", 1_100),
            ("2026-03-10 12:00", 1_300),
        ],
        category=category,
        editor=editor,
    )
    hit.subcategories.add(SubcategoryFactory(category=category, name="Workout"))
    flop = grow(tiktok, views=[("2026-02-01 12:00", 50), ("2026-03-05 12:00", 60)], followers=[])
    grow(other, views=[("2026-02-01 12:00", 0), ("2026-03-05 12:00", 9_999)], followers=[])
    daily_metrics_rollup(start=date(2026, 2, 14), end=date(2026, 3, 10))
    return {
        "client_a": client_a,
        "client_b": client_b,
        "insta": insta,
        "tiktok": tiktok,
        "other": other,
        "hit": hit,
        "flop": flop,
        "board": board,
        "editor": editor.user,
        "creator": creator,
        "owner": UserFactory(roles=["Owner"], is_staff=True),
    }


# The demo agency's "now" (specs/metrics.md's worked example: a Wednesday).
DEMO_NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


def demo_rolled_up(settings, zone: str, *, accounts: int, posts: int, days: int) -> date:
    """The demo agency (40 days of posts up to DEMO_NOW) in `zone`, rolled up over the `days`
    before today; today's local date."""
    from operations.demo import demo_data_create

    settings.TIME_ZONE = zone
    demo_data_create(accounts=accounts, posts=posts, days=40, now=DEMO_NOW)
    today = windows.local_date(DEMO_NOW)
    daily_metrics_rollup(start=today - timedelta(days=days), end=today - timedelta(days=1))
    return today
