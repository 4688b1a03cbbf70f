"""Demo rows made before issue 15 were kept out of the jobs' queues by a filter on
`extra.demo`; the queues no longer look at it, so those rows get the state the demo now creates
them in: never due (operations.demo.NEVER)."""

from datetime import UTC, datetime

from django.db import migrations

NEVER = datetime(9000, 1, 1, tzinfo=UTC)  # operations.demo.data.NEVER, frozen here


def demo_rows_never_due(apps, schema_editor):
    Post = apps.get_model("posts", "Post")
    Account = apps.get_model("creators", "Account")
    Post.objects.filter(extra__demo=True).update(next_refresh_at=NEVER, ai_next_attempt_at=NEVER)
    Account.objects.filter(extra__demo=True).update(next_stats_at=NEVER, next_detect_at=NEVER)


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0004_jobrun_heartbeat"),
        ("posts", "0010_extra_refuses_unstorable_json"),
        ("creators", "0004_extra_refuses_unstorable_json"),
    ]

    operations = [migrations.RunPython(demo_rows_never_due, migrations.RunPython.noop)]
