"""Demo data: a believable agency to try CreatorOps with, clearly marked and removable.

Everything made here is recognisable: clients, editors and payees end with " (demo)", account
handles start with "demo_", accounts and posts carry `extra={"demo": True}`. Keys are
deterministic (a fixed seed, and one random stream per account and per post), so a second run
finds every row already there and creates nothing. Demo rows are created never due (`NEVER`),
so no job refreshes or classifies them.

It lives in `operations`, the one app that may import every other (DESIGN.md's layout). One
module per concern: `data` (the fixed data), `reference` (clients, editors, boards, taxonomy,
finance items), `accounts`, `posts`, `history` (post snapshots), `clear`.
"""

from __future__ import annotations

import time
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from finance.metrics import account_figures_recompute

from .accounts import account_plans
from .clear import demo_data_clear
from .data import (
    DEFAULT_ACCOUNTS,
    DEFAULT_DAYS,
    DEFAULT_POSTS,
    DEFAULT_SEED,
    DEMO_SUFFIX,
    NEVER,
    USERNAME_PREFIX,
    DemoSummary,
)
from .posts import posts_create
from .reference import (
    boards_ensure,
    clients_ensure,
    editors_ensure,
    finance_items_ensure,
    taxonomy_ensure,
)

__all__ = [
    "DEFAULT_ACCOUNTS",
    "DEFAULT_DAYS",
    "DEFAULT_POSTS",
    "DEFAULT_SEED",
    "DEMO_SUFFIX",
    "NEVER",
    "USERNAME_PREFIX",
    "DemoSummary",
    "demo_data_clear",
    "demo_data_create",
]


def demo_data_create(
    *,
    accounts: int = DEFAULT_ACCOUNTS,
    posts: int = DEFAULT_POSTS,
    days: int = DEFAULT_DAYS,
    seed: int = DEFAULT_SEED,
    now: datetime | None = None,
) -> DemoSummary:
    """Create the demo agency; rows already there (same keys) are left as they are.

    `days` of daily snapshots end at `now`; posts are spread over the last `days + 30` days.
    """
    if accounts < 1 or posts < 0 or days < 1:
        raise ValueError("accounts and days must be at least 1, posts at least 0.")
    started = time.monotonic()
    now = now or timezone.now()
    summary = DemoSummary()
    with transaction.atomic():
        clients = clients_ensure(summary)
        editors = editors_ensure(summary)
        boards = boards_ensure(summary)
        finance_items = finance_items_ensure(summary)
        categories = taxonomy_ensure(summary)
        plans = account_plans(
            accounts, seed, now, days, clients, editors, finance_items, boards, summary
        )
        posts_create(plans, posts, seed, now, days, categories, boards, summary)
    # The figures of specs/metrics.md, so the demo agency shows numbers straight away.
    account_figures_recompute(account_ids=[plan.account.pk for plan in plans], now=now)
    summary.seconds = time.monotonic() - started
    return summary
