"""A covering index for "views at a moment" (specs/metrics.md), PostgreSQL only.

The metrics recompute probes `latest snapshot of post P at or before t` about ten times per
post. The unique (post, captured_at) index finds the row but each probe then reads the table;
with `views` in the index the probe is index-only, which halved the full recompute in
bench/metrics.py. Built CONCURRENTLY (no write lock on a large table), hence not atomic.
It is not part of the model state (Django has no INCLUDE on SQLite), so makemigrations
ignores it.
"""

from django.db import migrations

from core.migration_operations import RunSQLOnPostgreSQL

INDEX = "postsnapshot_post_time_views_idx"


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("posts", "0002_refresh_bookkeeping"),
    ]

    operations = [
        RunSQLOnPostgreSQL(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} "
            "ON posts_postsnapshot (post_id, captured_at) INCLUDE (views)",
            f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}",
        )
    ]
