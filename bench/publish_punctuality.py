"""Punctuality of the publisher: 1 000 targets due in the same minute, the fakes answering at
once, one worker process; then the claim query's plan at 1 M scheduled rows on PostgreSQL.

    .venv/bin/python bench/publish_punctuality.py --targets 1000
    .venv/bin/python bench/publish_punctuality.py --explain-only \\
        --explain-url postgres://postgres@127.0.0.1:5432/test --rows 1000000

Part 1 fills a database of its own (SQLite by default, `DATABASE_URL` for PostgreSQL) with
`--targets` targets over the three fake platforms (tests/platforms/publish_fakes.py, no faults),
all due at the same moment, and runs the publishing job once in a worker subprocess at that
moment, as the minutely schedule would. A target's lateness is the end of its publish attempt
(its publishing log) minus its due time: prints p50, p99 and the worst, and the queries of each
job run (every thread's connection counted). `BENCH_PROFILE=file` saves a cProfile of the
worker's job runs.

Part 2 creates the database `--explain-db` (default bench_publish) on the `--explain-url`
server, migrates it, inserts `--rows` scheduled targets (due over the next 90 days, a thousand
of them due now) with plain SQL, ANALYZEs and prints EXPLAIN (ANALYZE, BUFFERS) of the claim
query the job runs, then drops the database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import publish_faults  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=100, help="Per platform.")
    parser.add_argument("--explain-url", default="postgres://postgres@127.0.0.1:5432/test")
    parser.add_argument("--explain-db", default="bench_publish")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--explain-only", action="store_true")
    parser.add_argument("--skip-explain", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def worker() -> None:
    """One run of the real job, as the scheduler starts it at the due minute."""
    import django

    django.setup()
    from django.db.backends.signals import connection_created

    from operations.jobs import publish_due_targets
    from publishing.models import PublishTarget

    # Every query of the run, on every thread's connection (the pass may run targets on a few
    # threads, each with its own connection): a figure that stays stable on a busy machine.
    queries = [0]
    lock = threading.Lock()

    def count(execute, sql, params, many, context):
        with lock:
            queries[0] += 1
        return execute(sql, params, many, context)

    def install(sender, connection, **kwargs):
        if count not in connection.execute_wrappers:
            connection.execute_wrappers.append(count)

    connection_created.connect(install, weak=False)
    profile = os.environ.get("BENCH_PROFILE")
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()

    # The scheduler starts the job every minute; a run lasts at most PUBLISH_PASS_SECONDS, so
    # runs back to back stand for the minutely schedule while targets are left.
    for number in range(30):
        started, before = time.monotonic(), queries[0]
        if profiler:
            profiler.enable()
        publish_due_targets()
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile)
        spent = queries[0] - before
        left = PublishTarget.objects.filter(state="scheduled").count()
        print(
            f"job run {number + 1}: {time.monotonic() - started:.1f} s, {spent:,} queries, "
            f"{left} left",
            file=sys.stderr,
            flush=True,
        )
        if not left:
            return


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def punctuality(args) -> None:
    from tests.platforms.publish_fakes import FakeGraph, FakeTikTok, FakeYouTube

    fakes = {
        "instagram": FakeGraph().start(),
        "tiktok": FakeTikTok().start(),
        "youtube": FakeYouTube().start(),
    }
    fakes["instagram"].quota_total = 10**9
    env = publish_faults.environment({name: fake.url for name, fake in fakes.items()})
    env["DATABASE_URL"] = os.environ.get(
        "DATABASE_URL", env["DATABASE_URL"].replace("publish_faults", "publish_punctuality")
    )
    os.environ.update(env)
    database = Path(env["DATABASE_URL"].removeprefix("sqlite:///"))
    if env["DATABASE_URL"].startswith("sqlite") and database.exists():
        database.unlink()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import F
    from django.utils import timezone

    from publishing.models import PublishAttempt, PublishTarget

    call_command("migrate", verbosity=0)
    tokens = publish_faults.fill(args.targets, args.connections)
    for fake in fakes.values():
        fake.tokens = tokens
    due = timezone.now().replace(microsecond=0)
    PublishTarget.objects.update(next_attempt_at=due)
    from publishing.models import ScheduledPost

    ScheduledPost.objects.update(scheduled_at=due)
    time.sleep(max(0.0, (due - timezone.now()).total_seconds()))
    started = time.monotonic()
    process = subprocess.run(
        [sys.executable, __file__, "--worker"],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    wall = time.monotonic() - started
    runs = [line for line in process.stderr.splitlines() if line.startswith("job run")]
    print("\n".join(runs))
    if process.returncode:
        print(process.stderr[-3000:])
    done = (
        PublishAttempt.objects.filter(outcome="published", step="publish")
        .annotate(due=F("target__next_attempt_at"))
        .values_list("finished_at", "target__post__scheduled_at")
    )
    lateness = [(finished - scheduled).total_seconds() for finished, scheduled in done]
    states = PublishTarget.objects.values_list("state", flat=True)
    published = sum(1 for s in states if s == "published")
    print(f"{args.targets:,} targets due at {due:%H:%M:%S} UTC; one worker process.")
    print(f"Published: {published:,} of {args.targets:,}; the run took {wall:.1f} s.")
    if lateness:
        print(
            f"Lateness: p50 {percentile(lateness, 0.5):.1f} s, p99 "
            f"{percentile(lateness, 0.99):.1f} s, max {max(lateness):.1f} s, mean "
            f"{statistics.mean(lateness):.1f} s (goal: p99 < 60 s)"
        )
    posts = sum(len(f.posts) for f in fakes.values())
    print(f"Remote posts: {posts:,}")
    spent = sum(int(line.split(", ")[1].split()[0].replace(",", "")) for line in runs)
    if published:
        print(f"Queries: {spent:,} in all, {spent / published:.1f} per published target")
    for fake in fakes.values():
        fake.stop()


def explain(args) -> None:
    import psycopg

    parts = urlsplit(args.explain_url)
    admin = psycopg.connect(urlunsplit(parts._replace(scheme="postgresql")), autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{args.explain_db}"')
    admin.execute(f'CREATE DATABASE "{args.explain_db}"')
    url = urlunsplit(parts._replace(path=f"/{args.explain_db}"))
    try:
        code = subprocess.run(
            [
                sys.executable,
                __file__,
                "--explain-only",
                "--skip-explain-child",
                url,
                str(args.rows),
            ],
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
            cwd=ROOT,
        ).returncode
        if code:
            raise SystemExit(code)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{args.explain_db}" WITH (FORCE)')
        print(f"Database {args.explain_db} dropped.")


def explain_child(url: str, rows: int) -> None:
    """In a process of its own: Django on the bench database, fill, EXPLAIN."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "YmVuY2gtcHVibGlzaC1mYXVsdHMta2V5LTMyYnl0ZXM=")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from publishing.choices import DUE_STATES
    from publishing.models import PublishTarget

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    from creators.models import Account
    from publishing.models import ScheduledPost, SocialConnection

    accounts = Account.objects.bulk_create(
        Account(platform="instagram", username=f"b{n}", url=f"https://www.instagram.com/b{n}/")
        for n in range(1000)
    )
    connections = SocialConnection.objects.bulk_create(
        SocialConnection(account=a, platform="instagram", method="instagram_login")
        for a in accounts
    )
    post = ScheduledPost.objects.create(caption="template", scheduled_at=timezone.now())
    target = PublishTarget.objects.create(
        post=post, connection=connections[0], next_attempt_at=post.scheduled_at
    )
    # One post per target, as in real life: copies of the template rows, in plain SQL.
    # The posts are spread over the next 90 days; one target in a thousand is due now.
    post_sql = _copy_sql(
        ScheduledPost,
        {
            "caption": "'Post ' || n",
            "scheduled_at": "now() + make_interval(secs => n * 7.776)",
        },
    )
    target_sql = _copy_sql(
        PublishTarget,
        {
            "post_id": "p.id",
            "connection_id": "%s + (p.id %% 1000)",
            "next_attempt_at": (
                "CASE WHEN p.id %% 1000 = 0 THEN now() - interval '30 seconds' "
                "ELSE p.scheduled_at END"
            ),
        },
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"{post_sql} FROM publishing_scheduledpost t, generate_series(1, %s) n WHERE t.id = %s",
            [rows - 1, post.pk],
        )
        cursor.execute(
            f"{target_sql} FROM publishing_publishtarget t, publishing_scheduledpost p "
            "WHERE t.id = %s AND p.id <> %s",
            [connections[0].pk, target.pk, post.pk],
        )
        cursor.execute("ANALYZE publishing_scheduledpost")
        cursor.execute("ANALYZE publishing_publishtarget")
    loaded = PublishTarget.objects.count()
    print(f"Loaded {loaded:,} scheduled targets in {time.monotonic() - started:.0f} s.")
    now = timezone.now()
    due = PublishTarget.objects.filter(state__in=DUE_STATES, next_attempt_at__lte=now)
    print(f"Due now: {due.count():,}")
    claim = due.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:50]
    sql, params = claim.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        print("\nEXPLAIN (ANALYZE, BUFFERS) of the claim query (targets_claim_due):")
        print(sql % tuple(repr(str(p)) for p in params))
        for (line,) in cursor.fetchall():
            print("  " + line)


def _copy_sql(model, overrides: dict[str, str]) -> str:
    """INSERT … SELECT copying every column of `model`'s template row `t` but the id, with
    `overrides` (column -> SQL expression)."""
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    values = [overrides.get(column, f"t.{column}") for column in columns]
    return f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(values)}"


def main() -> None:
    if "--skip-explain-child" in sys.argv:
        index = sys.argv.index("--skip-explain-child")
        explain_child(sys.argv[index + 1], int(sys.argv[index + 2]))
        return
    args = parse_args()
    if args.worker:
        worker()
        return
    if not args.explain_only:
        punctuality(args)
    if not args.skip_explain:
        explain(args)


if __name__ == "__main__":
    main()
