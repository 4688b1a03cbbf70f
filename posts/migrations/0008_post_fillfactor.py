"""Room on each page of posts_post for the new version of a row, PostgreSQL only.

A refresh writes each post twice (the claim, then the stats). An update that changes no
indexed column and finds room on the row's page is a HOT update: no index is touched. With
every page full (fillfactor 100, the default) the claim rewrote all of the table's index
entries (bench/scale.py: 21 WAL records per claimed row, 26 ms per batch of 200; 3 with
room). New pages keep 20 % free at once; existing pages get it when the table is rewritten
(`VACUUM FULL posts_post` or pg_repack, in a quiet hour).
"""

from django.db import migrations

from core.migration_operations import RunSQLOnPostgreSQL


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0007_refresh_queue_index"),
    ]

    operations = [
        RunSQLOnPostgreSQL(
            "ALTER TABLE posts_post SET (fillfactor = 80)",
            "ALTER TABLE posts_post SET (fillfactor = 100)",
        )
    ]
