"""Account metrics of specs/metrics.md and the per-account monthly figures of specs/finance.md.

`account_metrics_recompute` writes every figure on the accounts (and the engagement rate of
their posts) with a few set-based statements, except the KPI status: that one is a finance
rule, written by `finance.metrics` (finance imports creators, not the reverse). Two equivalent
paths:

- the portable ORM path: correlated subqueries built from `posts.metrics` (the definitions),
  one UPDATE per batch of accounts;
- on PostgreSQL, one raw statement for the posts and one for the accounts, with LATERAL index
  probes, fast enough for a million posts. It applies the same rules; the tests check that it
  gives the same numbers as the ORM path.

One module per concern: `definitions` (the figures as ORM expressions), `recompute` (the
ORM path and the choice of path), `sql` (the PostgreSQL statements), `history` (charts).
"""

from .definitions import (
    ALIASES,
    FIGURES,
    FORMATS,
    OWN_FIGURES,
    Method,
    Moments,
    account_earliest,
    account_figures,
    account_value_at,
    counted_posts,
    post_aggregates,
    post_engagement_rate,
)
from .history import ACCOUNT_COUNTERS, CHART_DAYS, account_snapshot_history, account_views_per_day
from .recompute import account_metrics_recompute

__all__ = [
    "ACCOUNT_COUNTERS",
    "ALIASES",
    "CHART_DAYS",
    "FIGURES",
    "FORMATS",
    "OWN_FIGURES",
    "Method",
    "Moments",
    "account_earliest",
    "account_figures",
    "account_metrics_recompute",
    "account_snapshot_history",
    "account_value_at",
    "account_views_per_day",
    "counted_posts",
    "post_aggregates",
    "post_engagement_rate",
]
