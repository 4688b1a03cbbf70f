"""The PostgreSQL statements of the full recompute: one for the posts' engagement rate, one for
every account figure, with LATERAL index probes; the tests check they give the ORM path's
numbers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models.expressions import RawSQL

from posts.metrics import (
    engagement_rate,
)
from posts.models import Post

from .definitions import (
    ALIASES,
    FORMATS,
    OWN_FIGURES,
    Moments,
)


def _rate_sql(followers: str) -> tuple[str, dict]:
    """`posts.metrics.engagement_rate` compiled for the statement below, whose posts are `p`
    and the account's `followers@post_date` is the column `followers`: the rule stays written
    once. Its parameters are named (the statement's other parameters are)."""
    query = Post.objects.all().query
    expression = engagement_rate(followers=RawSQL(followers, ())).resolve_expression(query)
    sql, params = query.get_compiler(connection=connection).compile(expression)
    table = connection.ops.quote_name(Post._meta.db_table)
    pieces = sql.replace(f"{table}.", "p.").split("%s")
    named = {f"rate_{index}": value for index, value in enumerate(params)}
    return "".join(
        piece + (f"%(rate_{index})s" if index < len(params) else "")
        for index, piece in enumerate(pieces)
    ), named


@dataclass(frozen=True)
class _Part:
    """What one statement covers: the accounts `ids`, or (all accounts) the slice
    `id mod parts = part`, so that several connections can share a full recompute."""

    ids: list[int] | None = None
    part: int = 0
    parts: int = 1

    def params(self) -> dict:
        return {
            "ids": self.ids,
            "part": self.part,
            "parts": self.parts,
            **_rate_sql("f.followers")[1],
        }

    def filter(self, account_column: str, *, id_column: str | None = None) -> str:
        """SQL condition (after AND) on an account id; the slice may use another column."""
        if self.ids is not None:
            return f"AND {account_column} = ANY(%(ids)s)"
        if self.parts > 1:
            return f"AND mod({id_column or account_column}, %(parts)s) = %(part)s"
        return ""


def _posts_rate_sql(part: _Part) -> str:
    """Statement 1: the posts' engagement rate, written only where it changes.

    The account's `followers@post_date` is looked up only for posts without views (the
    LATERAL's condition on `p` alone becomes a one-time filter: no probe for the others).
    """
    no_views = "COALESCE(p.views, 0) = 0"
    rate = _rate_sql("f.followers")[0]
    return f"""
    UPDATE posts_post AS target SET engagement_rate = x.rate
    FROM (
        SELECT p.id, {rate} AS rate
        FROM posts_post p
        LEFT JOIN LATERAL (
            SELECT s.captured_at, s.followers FROM creators_accountsnapshot s
            WHERE s.account_id = p.account_id AND s.captured_at <= p.post_date AND {no_views}
            ORDER BY s.captured_at DESC LIMIT 1
        ) f_at ON true
        LEFT JOIN LATERAL (
            SELECT s.followers FROM creators_accountsnapshot s
            WHERE s.account_id = p.account_id AND {no_views} AND f_at.captured_at IS NULL
            ORDER BY s.captured_at LIMIT 1
        ) f_first ON true
        CROSS JOIN LATERAL (
            SELECT CASE WHEN f_at.captured_at IS NOT NULL THEN f_at.followers
                        ELSE f_first.followers END AS followers
        ) f
        WHERE true {part.filter("p.account_id", id_column="p.id")}
    ) x
    WHERE target.id = x.id AND target.engagement_rate IS DISTINCT FROM x.rate
    """


def _accounts_sql(part: _Part, moments: Moments) -> tuple[str, dict]:
    """Statement 2: every account figure, in one UPDATE … FROM."""
    params: dict = {**part.params(), "now": moments.now}
    # One probe per distinct moment before `now`, each only for the posts it can matter to:
    # a moment before the first snapshot or after the last one is answered by those two rows.
    moment_names: dict[datetime, str] = {moments.now: "now"}
    for start, end in moments.view_windows().values():
        for moment in (start, end):
            moment_names.setdefault(moment, f"t{len(moment_names)}")
    params.update({name: moment for moment, name in moment_names.items()})

    values = []
    for name in moment_names.values():
        if name == "now":
            values.append(
                """CASE WHEN first.captured_at IS NULL THEN NULL
                    WHEN first.captured_at > %(now)s
                        THEN CASE WHEN p.post_date >= %(now)s THEN 0 ELSE first.views END
                    ELSE last.views END AS v_now"""
            )
            continue
        # Between the first and the last snapshot: a scalar subquery, run only in that case.
        values.append(
            f"""CASE WHEN first.captured_at IS NULL THEN NULL
                WHEN first.captured_at > %({name})s
                    THEN CASE WHEN p.post_date >= %({name})s THEN 0 ELSE first.views END
                WHEN last.captured_at <= %({name})s THEN last.views
                ELSE (
                    SELECT s.views FROM posts_postsnapshot s
                    WHERE s.post_id = p.id AND s.captured_at <= %({name})s
                    ORDER BY s.captured_at DESC LIMIT 1
                ) END AS v_{name}"""
        )

    aggregates = [
        "sum(views)::bigint AS total_views",
        "sum(likes) AS total_likes",
        "sum(comments) AS total_comments",
        "sum(shares) AS total_shares",
        "count(views) AS counted_views",
        "sum(round(engagement_rate * 100)::bigint)::bigint AS rate_sum",
        "count(engagement_rate) AS counted_rates",
    ]
    for field, base_format in FORMATS.items():
        params[field] = str(base_format)
        aggregates.append(f"count(*) FILTER (WHERE base_format = %({field})s) AS {field}")
    for field, (start, end) in moments.post_windows().items():
        params[f"{field}_a"], params[f"{field}_b"] = start, end
        aggregates.append(
            f"count(*) FILTER (WHERE post_date >= %({field}_a)s AND post_date < %({field}_b)s)"
            f" AS {field}"
        )
    for field, (start, end) in moments.view_windows().items():
        aggregates.append(f"sum(v_{moment_names[end]} - v_{moment_names[start]}) AS {field}")

    def followers_at(name: str) -> str:
        return f"""LEFT JOIN LATERAL (
            SELECT s.captured_at, s.followers FROM creators_accountsnapshot s
            WHERE s.account_id = a.id AND s.captured_at <= %({name})s
            ORDER BY s.captured_at DESC LIMIT 1
        ) fol_{name} ON true"""

    def followers_value(name: str) -> str:
        return (
            f"CASE WHEN fol_{name}.captured_at IS NOT NULL THEN fol_{name}.followers"
            " ELSE fol_first.followers END"
        )

    params.update(month=moments.month, monday=moments.monday)
    set_columns = ",\n".join(f"{field} = x.{field}" for field in OWN_FIGURES)
    sql = f"""
    WITH post_values AS (
        SELECT p.account_id, p.views, p.likes, p.comments, p.shares, p.engagement_rate,
               p.base_format, p.post_date,
               {", ".join(values)}
        FROM posts_post p
        LEFT JOIN LATERAL (
            SELECT s.captured_at, s.views FROM posts_postsnapshot s
            WHERE s.post_id = p.id ORDER BY s.captured_at LIMIT 1
        ) first ON true
        LEFT JOIN LATERAL (
            SELECT s.captured_at, s.views FROM posts_postsnapshot s
            WHERE s.post_id = p.id AND s.captured_at <= %(now)s
            ORDER BY s.captured_at DESC LIMIT 1
        ) last ON true
        WHERE NOT p.is_trial AND p.account_id IS NOT NULL {part.filter("p.account_id")}
    ),
    per_account AS (
        SELECT account_id, {", ".join(aggregates)}
        FROM post_values GROUP BY account_id
    ),
    figures AS (
        SELECT a.id,
            pa.total_views, pa.total_likes, pa.total_comments, pa.total_shares,
            (pa.total_views * 2 + pa.counted_views) / NULLIF(pa.counted_views * 2, 0)
                AS avg_views,
            ((pa.rate_sum * 2 + pa.counted_rates) / NULLIF(pa.counted_rates * 2, 0))::numeric
                / 100 AS avg_engagement_rate,
            {", ".join(f"COALESCE(pa.{f}, 0) AS {f}" for f in (*FORMATS, *moments.post_windows()))},
            {", ".join(f"pa.{f}" for f in moments.view_windows())},
            {", ".join(f"pa.{source} AS {alias}" for alias, source in ALIASES.items())},
            {followers_value("now")} - {followers_value("month")}
                AS followers_since_1st_of_month,
            {followers_value("now")} - {followers_value("monday")} AS followers_since_monday,
            {followers_value("now")} - fol_first.followers AS followers_since_start_of_growth
        FROM creators_account a
        LEFT JOIN per_account pa ON pa.account_id = a.id
        LEFT JOIN LATERAL (
            SELECT s.followers FROM creators_accountsnapshot s
            WHERE s.account_id = a.id ORDER BY s.captured_at LIMIT 1
        ) fol_first ON true
        {followers_at("now")}
        {followers_at("month")}
        {followers_at("monday")}
        WHERE true {part.filter("a.id")}
    )
    UPDATE creators_account AS target SET
        {set_columns},
        metrics_computed_at = %(now)s
    FROM figures x
    WHERE target.id = x.id
    """
    return sql, params


def recompute_sql(ids: list[int] | None, moments: Moments, *, workers: int) -> int:
    if ids is not None or workers <= 1:
        part = _Part(ids=ids)
        with connection.cursor() as cursor:
            cursor.execute(_posts_rate_sql(part), part.params())
            cursor.execute(*_accounts_sql(part, moments))
            return cursor.rowcount
    # A full recompute is split over `workers` connections: PostgreSQL runs a statement whose
    # probes use LIMIT 1 on one core. Slices are disjoint; every post's rate is written before
    # any account averages them.
    parts = [_Part(part=k, parts=workers) for k in range(workers)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda part: _execute(_posts_rate_sql(part), part.params()), parts))
        return sum(pool.map(lambda part: _execute(*_accounts_sql(part, moments)), parts))


def _execute(sql: str, params: dict) -> int:
    """Run one statement on this thread's own connection, then close it."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount
    finally:
        connection.close()
