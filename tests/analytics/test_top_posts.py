"""The top and bottom posts by views gained (`analytics.queries.top_posts`, shown by the
content endpoint, the admin analytics page and the PDF reports): equal gains keep one order,
the same on SQLite and PostgreSQL."""

from datetime import date

import pytest

from analytics.models import DailyPostMetric
from analytics.queries import Period, scope_accounts, top_posts
from tests.creators.factories import AccountFactory
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_equal_gains_rank_the_newer_post_first_in_the_top_and_last_in_the_bottom():
    account = AccountFactory()
    # Created in id order: three posts that gained 500 each, one that lost 20, one that
    # moved only with hidden views (not ranked), one whose rows are outside the period.
    first, second, third, loser, hidden, outside = (PostFactory(account=account) for _ in range(6))
    gains = [(first, 200), (first, 300), (second, 500), (third, 500), (loser, -20)]
    gains += [(hidden, None)]
    rows = [
        DailyPostMetric(post=post, account=account, date=date(2026, 3, 1 + n), views_gained=v)
        for n, (post, v) in enumerate(gains)
    ]
    rows.append(
        DailyPostMetric(post=outside, account=account, date=date(2026, 4, 1), views_gained=9_999)
    )
    DailyPostMetric.objects.bulk_create(rows)
    accounts = scope_accounts(scope="account", scope_id=account.pk)
    march = Period(date(2026, 3, 1), date(2026, 3, 31))

    def ranked(limit: int) -> tuple[list, list]:
        answer = top_posts(accounts=accounts, period=march, limit=limit)
        return (
            [(p["id"], p["views_gained"]) for p in answer["top"]],
            [(p["id"], p["views_gained"]) for p in answer["bottom"]],
        )

    top, bottom = ranked(2)
    assert top == [(third.pk, 500), (second.pk, 500)]
    assert bottom == [(loser.pk, -20), (first.pk, 500)]
    top, bottom = ranked(10)
    assert top == [(third.pk, 500), (second.pk, 500), (first.pk, 500), (loser.pk, -20)]
    assert bottom == list(reversed(top))
