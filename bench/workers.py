"""Throughput with workers: how fast 1, 2, 4 and 8 worker processes refresh due posts (and look
for new posts on accounts) through a provider that answers in 300-800 ms under a rate limit.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/workers.py

Creates the database `--db` (default bench_workers) on that server, migrates it and adds
`--posts` YouTube posts and `--accounts` YouTube channels. The provider is the real
`youtube_api` one, pointed at the fake YouTube Data API of tests/scaleout/fakes.py, which
answers each call after a uniform 300-800 ms (`--latency`); the shared rate limiter allows
`--calls-per-s` calls a second (YOUTUBE_API_CALLS_PER_WINDOW, a 1 s window). For each worker
count it starts that many `manage.py qcluster` processes (one worker each, Q_WORKERS=1: as many
machines), on a Redis queue of their own, and keeps that many passes queued (as the schedule
would, sooner) until every post has been refreshed once, then every account looked at once for
new posts. Throughput is items over the wall time from the first task queued to the last item
written. The database is dropped at the end (`--keep` keeps it). See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import agency

ROOT = agency.ROOT
REDIS_URL = "redis://127.0.0.1:6379/0"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2,4,8", help="Worker counts, comma-separated.")
    parser.add_argument("--posts", type=int, default=4000)
    parser.add_argument("--accounts", type=int, default=48)
    parser.add_argument("--calls-per-s", type=int, default=10, help="The provider's rate limit.")
    parser.add_argument("--latency", default="0.3,0.8", help="Seconds per call: min,max.")
    parser.add_argument(
        "--account-batch", type=int, default=2, help="ACCOUNT_REFRESH_BATCH_SIZE (default 20)."
    )
    parser.add_argument("--db", default="bench_workers")
    parser.add_argument("--keep", action="store_true", help="Keep the database at the end.")
    return parser.parse_args()


class Queue:
    """The run's Redis queue, filled as django-q2's async_task does (a signed pickle)."""

    def __init__(self, name: str) -> None:
        import redis

        self.name, self.key = name, f"django_q:{name}:q"
        self.redis = redis.Redis.from_url(REDIS_URL)

    def enqueue(self, func: str) -> None:
        from django.conf import settings
        from django.core import signing
        from django.utils import timezone
        from django_q.signing import PickleSerializer

        task = {
            "id": uuid.uuid4().hex,
            "name": f"{func}-{uuid.uuid4().hex[:6]}",
            "func": f"operations.jobs.{func}",
            "args": (),
            "kwargs": {},
            "ack_failure": True,
            "started": timezone.now(),
        }
        pack = signing.dumps(
            task, key=settings.SECRET_KEY, salt=self.name, serializer=PickleSerializer
        )
        self.redis.rpush(self.key, pack)

    def waiting(self) -> int:
        return self.redis.llen(self.key)

    def drop(self) -> None:
        self.redis.delete(self.key)


def add_items(posts: int, accounts: int) -> None:
    from creators.models import Account
    from posts.models import Post
    from tests.scaleout.fakes import added_video_id

    Post.objects.bulk_create(
        [
            Post(
                platform="youtube",
                post_id=added_video_id(n),
                url=f"https://www.youtube.com/watch?v={added_video_id(n)}",
                extra={},
            )
            for n in range(posts)
        ],
        batch_size=1000,
    )
    Account.objects.bulk_create(
        [
            Account(
                platform="youtube", username=f"chan{n}", url=f"https://www.youtube.com/@chan{n}"
            )
            for n in range(accounts)
        ]
    )


def reset() -> None:
    """Every post due and never refreshed, every account never looked at, no provider state."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from core.models import ProviderState
    from creators.models import Account
    from operations.models import JobRun
    from posts.models import Post

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE posts_postsnapshot")
    Post.objects.filter(post_id__startswith="det").delete()
    Post.objects.update(
        last_updated=None, next_refresh_at=None, refresh_claimed_until=None, refresh_failures=0
    )
    Account.objects.update(
        last_tracked_at=None,
        next_detect_at=None,
        detect_claimed_until=None,
        detect_failures=0,
        updated_at=timezone.now() - timedelta(hours=1),
    )
    ProviderState.objects.all().delete()
    JobRun.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE posts_post")


def start_workers(count: int, env: dict[str, str], logs: Path, workers: list) -> None:
    """Start `count` qcluster processes into `workers` (so the caller stops them whatever
    happens) and wait until each says it runs."""
    for n in range(count):
        log = (logs / f"worker{n}.log").open("w")
        workers.append(
            subprocess.Popen(
                [sys.executable, str(ROOT / "manage.py"), "qcluster"],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    deadline = time.monotonic() + 180
    for n in range(count):
        while " running." not in (logs / f"worker{n}.log").read_text(errors="replace"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"worker {n} did not start: see {logs / f'worker{n}.log'}")
            time.sleep(0.2)


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for process in workers:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    for process in workers:
        process.wait(timeout=60)


def run_until(queue: Queue, func: str, passes: int, done) -> float:
    """Keep `passes` tasks of `func` queued until `done()`; the seconds it took."""
    started = time.monotonic()
    while not done():
        if queue.waiting() < passes:
            queue.enqueue(func)
        time.sleep(0.1)
        if time.monotonic() - started > 1800:
            raise RuntimeError(f"{func} did not finish in 30 minutes")
    return time.monotonic() - started


def main() -> None:
    args = parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    low, high = (float(s) for s in args.latency.split(","))
    server = agency.server_url()
    agency.drop_database(server, args.db)
    agency.create_database(server, args.db)
    url = agency.with_database(server, args.db)
    cluster = f"bench-workers-{uuid.uuid4().hex[:8]}"
    os.environ.update(
        TEST_CLUSTER_NAME=cluster, DJANGO_SETTINGS_MODULE="tests.scaleout.process_settings"
    )
    agency.setup_django(url)
    from django.core.management import call_command

    from creators.models import Account
    from posts.models import Post
    from tests.scaleout.fakes import FakeYouTubeData

    with agency.step("migrate"):
        call_command("migrate", verbosity=0)
    with agency.step(f"add {args.posts} posts and {args.accounts} channels"):
        add_items(args.posts, args.accounts)

    fake = FakeYouTubeData(latency=(low, high)).start()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)},
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "tests.scaleout.process_settings",
        "TEST_CLUSTER_NAME": cluster,
        "REDIS_URL": REDIS_URL,
        "Q_WORKERS": "1",
        "YOUTUBE_API_KEY": "bench-key",
        "YOUTUBE_API_BASE_URL": fake.url,
        "YOUTUBE_API_CALLS_PER_WINDOW": str(args.calls_per_s),
        "YOUTUBE_API_WINDOW_S": "1",
        "YOUTUBE_API_DAILY_QUOTA": "0",
        "PROVIDER_RETRY_BACKOFF_S": "0",
        "REFRESH_MAX_FAILURES": "1000000",
        "ACCOUNT_REFRESH_BATCH_SIZE": str(args.account_batch),
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    queue = Queue(cluster)
    logs = Path(f"/tmp/{cluster}")
    logs.mkdir()
    print(
        f"provider: {low:.1f}-{high:.1f} s a call, 50 posts a call, {args.calls_per_s} calls/s "
        f"(at most {50 * args.calls_per_s} posts/s, {args.calls_per_s / 3:.1f} accounts/s)"
    )
    rows = []
    try:
        for count in counts:
            reset()
            calls_before = len(fake.calls)
            workers: list[subprocess.Popen] = []
            try:
                start_workers(count, env, logs, workers)
                posts_s = run_until(
                    queue,
                    "refresh_post_stats",
                    count,
                    lambda: not Post.objects.filter(last_updated__isnull=True).exists(),
                )
                post_calls = len(fake.calls) - calls_before
                queue.drop()
                accounts_s = run_until(
                    queue,
                    "detect_new_posts",
                    count,
                    lambda: not Account.objects.filter(last_tracked_at__isnull=True).exists(),
                )
                queue.drop()
            finally:
                stop_workers(workers)
            rows.append((count, posts_s, post_calls, accounts_s))
            print(
                f"{count} worker(s): {args.posts} posts in {posts_s:.1f} s "
                f"({args.posts / posts_s:.0f} posts/s, {post_calls / posts_s:.1f} calls/s); "
                f"{args.accounts} accounts in {accounts_s:.1f} s "
                f"({args.accounts / accounts_s:.2f} accounts/s)",
                flush=True,
            )
    finally:
        queue.drop()
        fake.stop()
        from django.db import connections

        connections.close_all()
        if not args.keep:
            agency.drop_database(server, args.db)

    print()
    print("| Workers | Posts refreshed/s | Provider calls/s | Accounts looked at/s |")
    print("| ---: | ---: | ---: | ---: |")
    for count, posts_s, post_calls, accounts_s in rows:
        print(
            f"| {count} | {args.posts / posts_s:.0f} | {post_calls / posts_s:.1f} "
            f"| {args.accounts / accounts_s:.2f} |"
        )


if __name__ == "__main__":
    main()
