"""Removing the demo data, and only it."""

from __future__ import annotations

import time

from django.db import transaction

from creators.models import Account, AccountSnapshot
from finance.models import FinanceItem
from posts.models import Post, PostSnapshot
from settings_app.models import Client, Editor

from .data import DEMO_SUFFIX, DemoSummary


def demo_data_clear() -> DemoSummary:
    """Remove the demo data, and only it. Boards and the taxonomy stay: real data uses them."""
    started = time.monotonic()
    summary = DemoSummary()
    with transaction.atomic():
        demo_posts = Post.objects.filter(extra__demo=True)
        demo_accounts = Account.objects.filter(extra__demo=True)
        summary.add("post snapshots", PostSnapshot.objects.filter(post__in=demo_posts).count())
        summary.add(
            "account snapshots", AccountSnapshot.objects.filter(account__in=demo_accounts).count()
        )
        summary.add("posts", demo_posts.count())
        summary.add("accounts", demo_accounts.count())
        # The bulky snapshots go first, in plain DELETEs, so the cascades have little to collect.
        PostSnapshot.objects.filter(post__in=demo_posts).delete()
        AccountSnapshot.objects.filter(account__in=demo_accounts).delete()
        demo_posts.delete()
        demo_accounts.delete()
        for kind, queryset in (
            ("clients", Client.objects.filter(name__endswith=DEMO_SUFFIX)),
            ("editors", Editor.objects.filter(name__endswith=DEMO_SUFFIX)),
            ("finance items", FinanceItem.objects.filter(payee_name__endswith=DEMO_SUFFIX)),
        ):
            summary.add(kind, queryset.count())
            queryset.delete()
    summary.seconds = time.monotonic() - started
    return summary
