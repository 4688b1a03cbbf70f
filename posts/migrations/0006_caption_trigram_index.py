"""Caption search on PostgreSQL: a trigram index, so `?search=` is not a scan of every post.

The search matches `caption__icontains`, which Django writes `UPPER(caption) LIKE UPPER(%s)`
on PostgreSQL: the GIN index is on that expression with pg_trgm's operator class. The
username half of the search (a prefix) uses the `_like` index Django makes for `username`.
PostgreSQL only (SQLite has no trigram indexes), so not part of the model state; built
CONCURRENTLY, hence not atomic. pg_trgm is a trusted extension: the database owner may
create it.
"""

from django.db import migrations

from core.migration_operations import RunSQLOnPostgreSQL

INDEX = "post_caption_trgm_idx"


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("posts", "0005_sort_indexes"),
    ]

    operations = [
        RunSQLOnPostgreSQL(
            [
                "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} "
                "ON posts_post USING gin (UPPER(caption) gin_trgm_ops)",
            ],
            f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}",
        )
    ]
