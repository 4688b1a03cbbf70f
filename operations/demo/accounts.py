"""The demo accounts: one plan per persona, their follower history and profile snapshots."""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from creators.models import Account, AccountSnapshot
from finance.models import FinanceItem
from posts.choices import AccountType, Platform, ProcessingStatus
from settings_app.models import Board, Client, Editor

from .data import (
    BATCH_SIZE,
    FITNESS,
    ID_CHARS,
    LIFESTYLE,
    NEVER,
    PERSONAS,
    PLATFORM_CYCLE,
    SOURCE,
    USERNAME_PREFIX,
    DemoSummary,
)


@dataclass
class AccountPlan:
    index: int
    account: Account
    niche: str
    rng: random.Random
    board_slugs: list[str]
    growth: float
    is_new: bool = False
    snapshot_times: list[datetime] = field(default_factory=list)
    followers: list[int] = field(default_factory=list)


def account_plans(
    count: int,
    seed: int,
    now: datetime,
    days: int,
    clients: dict[str, Client],
    editors: list[Editor],
    finance_items: list[FinanceItem],
    boards: dict[str, Board],
    summary: DemoSummary,
) -> list[AccountPlan]:
    """One plan per account, its account stored (new ones in bulk, with their boards)."""
    plans = []
    for index in range(count):
        plan = _account_plan(index, seed, now, days, (clients, editors, finance_items))
        _follower_history(plan, now, days)
        plans.append(plan)
    _accounts_store(plans, boards, summary)
    return plans


def _account_plan(
    index: int,
    seed: int,
    now: datetime,
    days: int,
    references: tuple[dict[str, Client], list[Editor], list[FinanceItem]],
) -> AccountPlan:
    clients, editors, finance_items = references
    handle, full_name, niche, bio = PERSONAS[index % len(PERSONAS)]
    if index >= len(PERSONAS):
        handle = f"{handle[:15]}{index // len(PERSONAS) + 1}"
    platform = PLATFORM_CYCLE[index % len(PLATFORM_CYCLE)]
    username = USERNAME_PREFIX + handle
    rng = random.Random(f"{seed}:account:{platform}:{username}")
    is_clip = "clips" in handle
    editor_index = (index * 5 + 1) % len(editors)
    finance_item = finance_items[editor_index] if editor_index < len(finance_items) else None
    board_slugs = ["clipping" if is_clip else "clients"]
    if finance_item:
        board_slugs.append("finance")
    if not is_clip and niche in (LIFESTYLE, FITNESS) and rng.random() < 0.6:
        board_slugs.append("ugc")
    median_followers = {
        Platform.INSTAGRAM: 45_000,
        Platform.TIKTOK: 80_000,
        Platform.YOUTUBE: 120_000,
    }[platform] * (0.4 if is_clip else 1)
    followers = int(min(3_000_000, max(2_000, rng.lognormvariate(math.log(median_followers), 1))))
    account = Account(
        url=_profile_url(platform, username),
        platform=platform,
        username=username,
        external_id=_external_id(platform, rng),
        full_name=full_name,
        biography=bio,
        is_verified=followers > 500_000 and rng.random() < 0.7,
        followers=followers,
        following=rng.randint(40, 1500) if platform != Platform.YOUTUBE else None,
        tracking_enabled=True,
        # Never due: neither the profile refresh nor new-post detection looks at demo rows.
        next_stats_at=NEVER,
        next_detect_at=NEVER,
        processing_status=ProcessingStatus.COMPLETED,
        client=clients[niche],
        editor=editors[editor_index],
        type=AccountType.CLIP_SIDE if is_clip else AccountType.MAIN,
        finance_item=finance_item,
        started_date=timezone.localdate(now - timedelta(days=rng.randint(days + 10, 400))),
        extra={"demo": True},
    )
    return AccountPlan(
        index=index,
        account=account,
        niche=niche,
        rng=rng,
        board_slugs=board_slugs,
        growth=rng.uniform(0.001, 0.012),
    )


def _accounts_store(plans: list[AccountPlan], boards: dict[str, Board], summary: DemoSummary):
    existing = _existing_accounts(plans)
    new = [p for p in plans if (p.account.platform, p.account.username) not in existing]
    Account.objects.bulk_create([p.account for p in new], batch_size=BATCH_SIZE)
    stored = _existing_accounts(plans)
    for plan in plans:
        plan.account = stored[(plan.account.platform, plan.account.username)]
    summary.add("accounts", len(new))

    through = Account.boards.through
    through.objects.bulk_create(
        [
            through(account_id=p.account.pk, board_id=boards[slug].pk)
            for p in new
            for slug in p.board_slugs
        ],
        batch_size=BATCH_SIZE,
    )
    for plan in new:
        plan.is_new = True  # only new accounts get a history; posts are matched by key later


def _existing_accounts(plans: list[AccountPlan]) -> dict[tuple[str, str], Account]:
    found = {}
    by_platform: dict[str, list[str]] = {}
    for plan in plans:
        by_platform.setdefault(plan.account.platform, []).append(plan.account.username)
    for platform, usernames in by_platform.items():
        for account in Account.objects.filter(platform=platform, username__in=usernames):
            found[(platform, account.username)] = account
    return found


def _profile_url(platform: str, username: str) -> str:
    if platform == Platform.INSTAGRAM:
        return f"https://www.instagram.com/{username}/"
    if platform == Platform.TIKTOK:
        return f"https://www.tiktok.com/@{username}"
    return f"https://www.youtube.com/@{username}"


def _external_id(platform: str, rng: random.Random) -> str:
    if platform == Platform.YOUTUBE:
        return "UC" + "".join(rng.choices(ID_CHARS, k=22))
    if platform == Platform.TIKTOK:
        return str(rng.randint(6_700_000_000_000_000_000, 7_300_000_000_000_000_000))
    return str(rng.randint(1_000_000_000, 69_999_999_999))


def _follower_history(plan: AccountPlan, now: datetime, days: int) -> None:
    """Daily follower counts ending at the current count, mostly growing."""
    rng = plan.rng
    followers = [plan.account.followers]
    for _ in range(days):
        step = plan.growth * rng.uniform(0.2, 1.8)
        if rng.random() < 0.05:
            step = -rng.uniform(0, 0.002)  # an unfollow wave now and then
        followers.append(max(100, round(followers[-1] / (1 + step))))
    plan.followers = followers[::-1]
    plan.snapshot_times = [now - timedelta(days=d) for d in range(days, -1, -1)]


def followers_at(plan: AccountPlan, moment: datetime) -> int:
    # specs/metrics.md: the latest snapshot at or before the moment, else the earliest.
    position = bisect.bisect_right(plan.snapshot_times, moment) - 1
    return plan.followers[max(position, 0)]


def account_snapshots(plan: AccountPlan, post_dates: list[datetime]) -> list[AccountSnapshot]:
    account, rng = plan.account, plan.rng
    untracked = rng.randint(40, 900)  # older posts, from before the agency tracked the account
    following = account.following
    snapshots = []
    for moment, followers in zip(plan.snapshot_times, plan.followers, strict=True):
        if following is not None and rng.random() < 0.2:
            following = max(0, following + rng.randint(-3, 6))
        snapshots.append(
            AccountSnapshot(
                account_id=account.pk,
                captured_at=moment,
                followers=followers,
                following=following,
                media_count=untracked + bisect.bisect_right(post_dates, moment),
                source=SOURCE,
            )
        )
    return snapshots
