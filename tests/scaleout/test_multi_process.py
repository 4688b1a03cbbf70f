"""Two web processes and three workers on one database, cache and Redis broker: nothing is done
twice, nothing is lost when a worker dies mid-batch, and the shared limits hold across them.

Started as subprocesses on 127.0.0.1 (tests/scaleout/process_settings.py): two gunicorn web
processes (`-w 1` each) and three `manage.py qcluster` processes (two workers each), sharing the
test database (PostgreSQL), its database cache and one Redis queue named for this run. Outside
them: a fake YouTube Data API (tracking, through the real `youtube_api` provider and the shared
rate limiter: 4 calls per 2 s), the fake OpenAI server (classification) and the fake Instagram,
TikTok and YouTube publishing servers, each counting what it was asked.

The scenario, through both web ports with an API key: bulk add 40 posts and 4 channels; queue
each job three times at once (as three schedulers would), then again every few seconds while
work is left (as the scheduler does), until every post and account is refreshed, the channels'
12 new posts detected, every post classified, the statements computed and the 3 scheduled posts
published. Round two: every post falls due again (the test moves `next_refresh_at`, as time
would), three refresh passes start, and the worker whose provider call is in flight is killed
(`kill -9` of its whole cluster); the survivors finish once its claims expire.

"Done twice" means: a second snapshot of a post in one round (each post ends with exactly 2, one
per round; each account with 1), a second AI request for a post, a second statement for a
finance item and month, a second remote post for a target.
"""

import itertools
import os
import re
import signal
import socket
import sys
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import requests
from django.conf import settings
from django.core import signing
from django.db.models import Count, Q
from django.utils import timezone
from django_q.signing import PickleSerializer

from core.models import ProviderState
from creators.models import Account, AccountSnapshot
from finance.models import PayoutStatement
from operations.models import JobRun, JobStatus
from posts.choices import ProcessingStatus
from posts.models import Post
from publishing.choices import TargetState
from publishing.models import PublishTarget, ScheduledPostMedia
from settings_app.services import api_key_create
from tests.ai.fake_openai import FakeOpenAI
from tests.creators.factories import AccountFactory
from tests.finance.factories import FinanceItemFactory
from tests.operations import cluster
from tests.platforms.publish_fakes import TOKEN, FakeGraph, FakeTikTok, FakeYouTube
from tests.publishing.factories import (
    PublishTargetFactory,
    ScheduledPostFactory,
    SocialConnectionFactory,
)
from tests.publishing.publish_setup import METHODS, PUBLIC, media_asset
from tests.settings_app.factories import UserFactory

from .fakes import CHANNELS, DETECTED_PER_CHANNEL, FakeYouTubeData, added_video_id, pid_of_client

pytestmark = [pytest.mark.postgresql_only, pytest.mark.django_db(transaction=True)]

POSTS = 40
DETECTED = CHANNELS * DETECTED_PER_CHANNEL
CALLS, WINDOW_S = 4, 2  # the fake API's shared rate limit
LATENCY_SLACK_S = 1.0  # a reserved call reaches the fake at most this late (loaded machine)
KEY_RATE = 20  # API requests per minute per key
LOCKOUT_FAILURES = 3
FINANCE_ITEMS = 3
PROCESS_ENV = {
    "Q_WORKERS": 2,
    "Q_TIMEOUT": 60,
    "Q_RETRY": 120,
    "JOB_PASS_SECONDS": 30,
    "JOB_LEASE_SECONDS": 90,
    "REFRESH_CLAIM_TTL_SECONDS": 8,
    "REFRESH_BATCH_SIZE": 5,
    "ACCOUNT_REFRESH_BATCH_SIZE": 2,
    "REFRESH_MAX_FAILURES": 1000,  # rate-limited passes are no dead letters here
    "YOUTUBE_API_KEY": "test-key",
    "YOUTUBE_API_CALLS_PER_WINDOW": CALLS,
    "YOUTUBE_API_WINDOW_S": WINDOW_S,
    "PROVIDER_RETRY_BACKOFF_S": 0,
    "PROVIDER_READ_TIMEOUT_S": 20,
    "OPENAI_API_KEY": "test-key",
    "API_THROTTLE_KEY_RATE": f"{KEY_RATE}/minute",
    "LOGIN_LOCKOUT_FAILURES": LOCKOUT_FAILURES,
    "MEDIA_PUBLIC_BASE_URL": PUBLIC,
    "PUBLISH_CONTAINER_POLL_SECONDS": 0,
    "PUBLISH_YOUTUBE_CHUNK_BYTES": 256 * 1024,
    "LOG_LEVEL": "INFO",
}
VIDEO = bytes(range(256)) * 1024  # 256 KiB


# --- the processes ---------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    """The run's Redis queue, filled the way django-q2's async_task fills it (a signed pickle
    pushed on `django_q:<cluster>:q`), without a subprocess per task."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.key = f"django_q:{name}:q"
        self.redis = redis.Redis.from_url(cluster.REDIS_URL)

    def enqueue(self, func: str, times: int = 1) -> None:
        for _ in range(times):
            task = {
                "id": uuid.uuid4().hex,
                "name": f"{func.rsplit('.', 1)[-1]}-{uuid.uuid4().hex[:6]}",
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


class Web:
    """One gunicorn process, called with the test's API key."""

    def __init__(self, port: int, key: str) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.key = key

    def api(self, method: str, path: str, *, key: str | None = None, **kwargs):
        headers = {"Authorization": f"Api-Key {key or self.key}"}
        return requests.request(method, self.url + path, headers=headers, timeout=60, **kwargs)

    def health(self) -> requests.Response:
        return requests.get(self.url + "/api/v1/operations/health/", timeout=60)


def processed_tasks(log) -> int:
    return log.read_text(errors="replace").count(" processing ")


# --- the data ---------------------------------------------------------------------------------
def seed_taxonomy() -> None:
    """The default taxonomy (settings_app's data migration; a transactional test empties it)."""
    import importlib

    from django.apps import apps
    from django.db import connection

    class SchemaEditor:
        pass

    SchemaEditor.connection = connection
    importlib.import_module("settings_app.migrations.0002_default_taxonomy").seed_taxonomy(
        apps, SchemaEditor()
    )


def scheduled_target(platform: str, **options) -> PublishTarget:
    """A post due a minute ago on `platform` (an account not tracked: publishing only)."""
    due = timezone.now() - timedelta(minutes=1)
    post = ScheduledPostFactory(scheduled_at=due, caption=f"Launch on {platform}", title="Launch")
    ScheduledPostMedia.objects.create(
        post=post, asset=media_asset(VIDEO + platform.encode()), position=0
    )
    account = AccountFactory(platform=platform, tracking_enabled=False)
    connection = SocialConnectionFactory(
        account=account, platform=platform, method=METHODS[platform], access_token=TOKEN
    )
    return PublishTargetFactory(post=post, connection=connection, options=options)


def tracked_posts():
    """The posts added by URL and detected on the channels (the published targets are tracked
    posts too, on platforms whose stats the fakes do not serve)."""
    return Post.objects.filter(Q(post_id__startswith="add") | Q(post_id__startswith="det"))


def snapshots_per_post() -> Counter:
    counts = tracked_posts().annotate(n=Count("snapshots")).values_list("n", flat=True)
    return Counter(counts)


# --- what must hold ---------------------------------------------------------------------------
def assert_rate_limit_held(times: list[float]) -> None:
    """The limiter's windows are fixed (CALLS calls from a window's first call for WINDOW_S,
    shared by all processes), so any CALLS*(k+1)+1 calls in a row straddle at least k+2 windows
    and span more than k windows' length (less the latency between reserving and arriving)."""
    for k in itertools.count(1):
        step = CALLS * (k + 1)
        if step >= len(times):
            break
        shortest = min(times[i + step] - times[i] for i in range(len(times) - step))
        assert shortest > k * WINDOW_S - LATENCY_SLACK_S, (
            f"{step + 1} calls within {shortest:.2f} s: more than {CALLS} per {WINDOW_S} s"
        )


def login(session: requests.Session, web: Web, username: str, password: str) -> str:
    page = session.get(web.url + "/admin/login/", timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    answer = session.post(
        web.url + "/admin/login/?next=/admin/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=60,
    )
    if answer.status_code == 302:
        return "signed in"
    if "Too many failed logins" in answer.text:
        return "locked"
    assert "Please enter the correct username and password" in answer.text, answer.text[:2000]
    return "wrong password"


def wait_for(condition, *, timeout: float, what: str, logs, every=None) -> float:
    """Poll `condition`; `every()` runs between polls (the scheduler's part)."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            what = what() if callable(what) else what
            raise AssertionError(f"Not {what} after {timeout:.0f} s.\n{_troubles(logs)}")
        if every is not None:
            every()
        time.sleep(1.0)
    return time.monotonic() - started


# --- the test ---------------------------------------------------------------------------------
def test_two_web_processes_and_three_workers_share_the_work_and_the_limits(settings, tmp_path):
    started = time.monotonic()
    settings.MEDIA_ROOT = str(tmp_path / "media")
    seed_taxonomy()
    owner = UserFactory(is_staff=True, username="owner", roles=["Owner"])
    owner.set_password("right-password-1")
    owner.save()
    _, key = api_key_create(user=owner, name="scale-out", scopes=["read", "write"])
    _, throttled_key = api_key_create(user=owner, name="throttled", scopes=["read"])
    items = [FinanceItemFactory(base_monthly_pay=100) for _ in range(FINANCE_ITEMS)]
    targets = [
        scheduled_target("instagram"),
        scheduled_target("tiktok", privacy_level="PUBLIC_TO_EVERYONE"),
        scheduled_target("youtube"),
    ]

    with ExitStack() as stack:
        youtube_data = FakeYouTubeData(latency=(0.05, 0.2)).start()
        openai = FakeOpenAI().start()
        graph, tiktok, youtube = FakeGraph().start(), FakeTikTok().start(), FakeYouTube().start()
        for fake in (youtube_data, openai, graph, tiktok, youtube):
            stack.callback(fake.stop)
        env = cluster.worker_env(
            broker="redis",
            DJANGO_SETTINGS_MODULE="tests.scaleout.process_settings",
            YOUTUBE_API_BASE_URL=youtube_data.url,
            OPENAI_BASE_URL=openai.url + "/v1",
            INSTAGRAM_PUBLISH_BASE_URL=graph.url + "/v21.0",
            TIKTOK_API_BASE_URL=tiktok.url,
            YOUTUBE_UPLOAD_BASE_URL=youtube.url,
            MEDIA_ROOT=settings.MEDIA_ROOT,
            **PROCESS_ENV,
        )
        broker = Broker(env["TEST_CLUSTER_NAME"])
        stack.callback(broker.drop)

        webs, workers, logs = [], [], []
        for n in range(2):
            port, log = free_port(), tmp_path / f"web{n}.log"
            gunicorn = [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi"]
            command = [*gunicorn, "-b", f"127.0.0.1:{port}", "-w", "1", "--timeout", "120"]
            stack.enter_context(cluster.started(command, env=env, log=log))
            webs.append(Web(port, key))
            logs.append(log)
        for n in range(3):
            log = tmp_path / f"worker{n}.log"
            process = stack.enter_context(
                cluster.started(cluster.manage("qcluster"), env=env, log=log)
            )
            workers.append((process, log))
            logs.append(log)
        for web in webs:
            wait_for(lambda web=web: _answers(web), timeout=120, what="web up", logs=logs)
        for _, log in workers:
            cluster.wait_running(log, timeout=120)
        a, b = webs
        print(f"\n5 processes up in {time.monotonic() - started:.1f} s")

        # --- limits shared by the web processes --------------------------------------------
        session = requests.Session()
        outcomes = [
            login(session, webs[n % 2], "owner", "wrong-password") for n in range(LOCKOUT_FAILURES)
        ]
        assert outcomes == ["wrong password"] * LOCKOUT_FAILURES
        assert login(session, b, "owner", "wrong-password") == "locked"
        assert login(session, a, "owner", "right-password-1") == "locked"
        assert login(session, b, "owner", "right-password-1") == "locked"

        answers = [
            webs[n % 2].api("GET", "/api/v1/posts/", key=throttled_key).status_code
            for n in range(KEY_RATE)
        ]
        assert answers == [200] * KEY_RATE
        for web in (a, b):
            refused = web.api("GET", "/api/v1/posts/", key=throttled_key)
            assert refused.status_code == 429, refused.text
            assert int(refused.headers["Retry-After"]) > 0

        # --- round one: add through both web processes, the workers do the rest ------------
        urls = [f"https://www.youtube.com/watch?v={added_video_id(n)}" for n in range(POSTS)]
        half = POSTS // 2
        for web, chunk, item in ((a, urls[:half], items[0]), (b, urls[half:], items[1])):
            answer = web.api(
                "POST", "/api/v1/posts/bulk/", json={"urls": chunk, "finance_item": item.pk}
            )
            assert answer.status_code == 200, answer.text
            assert [row["status"] for row in answer.json()["results"]] == ["created"] * half
        channels = [f"https://www.youtube.com/@chan{n}" for n in range(CHANNELS)]
        answer = b.api("POST", "/api/v1/accounts/bulk/", json={"urls": channels})
        assert answer.status_code == 200, answer.text
        assert [row["status"] for row in answer.json()["results"]] == ["created"] * CHANNELS
        # The same URLs again, on the other process: nothing new.
        answer = a.api("POST", "/api/v1/posts/bulk/", json={"urls": urls[:5]})
        assert [row["status"] for row in answer.json()["results"]] == ["exists"] * 5

        jobs = [
            "refresh_post_stats",
            "refresh_account_stats",
            "detect_new_posts",
            "classify_posts",
            "process_creator_payments",
            "publish_due_targets",
            "heartbeat",
        ]
        for func in jobs:
            broker.enqueue(func, times=3)

        tracked = Account.objects.filter(tracking_enabled=True)
        left = {
            "refresh_post_stats": lambda: tracked_posts().filter(snapshots__isnull=True).exists(),
            "refresh_account_stats": lambda: tracked.filter(snapshots__isnull=True).exists(),
            "detect_new_posts": lambda: tracked.filter(last_tracked_at__isnull=True).exists(),
            "classify_posts": lambda: (
                tracked_posts().count() < POSTS + DETECTED
                or tracked_posts().exclude(processing_status=ProcessingStatus.COMPLETED).exists()
            ),
            "process_creator_payments": lambda: PayoutStatement.objects.count() < 2 * FINANCE_ITEMS,
            "publish_due_targets": lambda: PublishTarget.objects.exclude(
                state__in=[TargetState.PUBLISHED, TargetState.FAILED]
            ).exists(),
            # Every cluster took tasks (the broker hands each task to one waiting cluster).
            "heartbeat": lambda: any(processed_tasks(log) == 0 for _, log in workers),
        }

        def scheduler() -> None:
            if broker.waiting() < 3:
                for func, pending in left.items():
                    if pending():
                        broker.enqueue(func)

        round_one = wait_for(
            lambda: not any(pending() for pending in left.values()),
            timeout=150,
            what=lambda: "round one done: " + ", ".join(f for f, p in left.items() if p()),
            logs=logs,
            every=scheduler,
        )
        wait_for(
            lambda: (
                broker.waiting() == 0
                and not JobRun.objects.filter(status=JobStatus.RUNNING).exists()
            ),
            timeout=60,
            what="the workers idle",
            logs=logs,
        )
        print(f"round one: {round_one:.1f} s")
        assert tracked_posts().count() == POSTS + DETECTED
        assert snapshots_per_post() == {1: POSTS + DETECTED}
        assert Counter(
            AccountSnapshot.objects.values("account").annotate(n=Count("id")).values_list("n")
        ) == {(1,): CHANNELS}

        # --- round two: everything due again; one worker dies mid-batch --------------------
        youtube_data.hold_next_videos()
        tracked_posts().update(next_refresh_at=timezone.now() - timedelta(seconds=1))
        broker.enqueue("refresh_post_stats", times=3)
        assert youtube_data.held.wait(timeout=60), "no refresh reached the provider"
        pid = pid_of_client(youtube_data.held_port)
        assert pid is not None, "the held call's process is not found"
        victim = next(p for p, _ in workers if p.pid == os.getpgid(pid))
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait(timeout=30)
        killed_at = time.monotonic()
        youtube_data.release()
        survivors = [(p, log) for p, log in workers if p is not victim]

        def refresh_scheduler() -> None:
            if broker.waiting() < 2:
                broker.enqueue("refresh_post_stats")

        wait_for(
            lambda: not tracked_posts().annotate(n=Count("snapshots")).filter(n__lt=2).exists(),
            timeout=120,
            what="round two done",
            logs=logs,
            every=refresh_scheduler,
        )
        recovered = time.monotonic() - killed_at
        print(f"round two: every post refreshed {recovered:.1f} s after the kill")
        wait_for(
            lambda: (
                broker.waiting() == 0
                and JobRun.objects.filter(
                    status=JobStatus.RUNNING, heartbeat_at__gt=timezone.now() - timedelta(seconds=5)
                ).count()
                == 0
            ),
            timeout=60,
            what="the survivors idle",
            logs=logs,
        )
        # Once more, as the next schedule would: nothing is due, nothing is written.
        finished = JobRun.objects.filter(job="refresh_post_stats").exclude(status=JobStatus.RUNNING)
        finished_before = finished.count()
        broker.enqueue("refresh_post_stats", times=2)
        wait_for(
            lambda: finished.count() >= finished_before + 2,
            timeout=60,
            what="the last passes done",
            logs=logs,
        )
        broker.enqueue("heartbeat", times=2)
        wait_for(
            lambda: all(web.health().status_code == 200 for web in webs),
            timeout=60,
            what="healthy",
            logs=logs,
        )

        # --- nothing done twice, nothing lost -----------------------------------------------
        assert snapshots_per_post() == {2: POSTS + DETECTED}
        assert (
            not tracked_posts()
            .filter(Q(last_updated__isnull=True) | Q(refresh_claimed_until__isnull=False))
            .exists()
        )
        cut = JobRun.objects.filter(job="refresh_post_stats", status=JobStatus.RUNNING)
        assert cut.exists(), "the killed worker's run should be left unfinished"

        requests_per_caption = Counter(
            line
            for request in openai.requests
            for line in request.user.splitlines()
            if line.startswith("Caption: Scale-out video ")
        )
        # The published YouTube video, tracked through the same fake, may be classified too
        # when its turn comes before this check; it is no post of the scenario.
        published_video = f"Caption: Scale-out video {youtube.posts[0]['id']}"
        requests_per_caption.pop(published_video, None)
        assert len(requests_per_caption) == POSTS + DETECTED
        assert set(requests_per_caption.values()) == {1}

        statements = PayoutStatement.objects.values("finance_item", "month").annotate(n=Count("id"))
        assert len(statements) == 2 * FINANCE_ITEMS
        assert {row["n"] for row in statements} == {1}

        for target in targets:
            target.refresh_from_db()
        assert [t.state for t in targets] == [TargetState.PUBLISHED] * 3
        assert [len(fake.posts) for fake in (graph, tiktok, youtube)] == [1, 1, 1]
        # Each published post is tracked once.
        assert all(t.tracked_post is not None for t in targets)
        assert Post.objects.count() == POSTS + DETECTED + 3
        assert {t.platform_post_id for t in targets} == {
            graph.posts[0]["id"],
            tiktok.posts[0]["id"],
            youtube.posts[0]["id"],
        }

        # --- the shared rate limit and quota held across the three workers ------------------
        times = youtube_data.times()
        assert_rate_limit_held(times)
        quota_used = ProviderState.objects.get(provider="youtube_api").quota_used
        # Every call counted once (the killed cluster's other worker may have reserved one
        # call, 3 units at most, that it never made).
        assert len(times) <= quota_used <= len(times) + 3

        # --- every process answers ---------------------------------------------------------
        for web in webs:
            assert web.health().json() == {"status": "up"}
        assert all(p.poll() is None for p, _ in survivors)
        per_worker = [processed_tasks(log) for _, log in workers]
        assert all(n > 0 for n in per_worker)

        print(
            f"posts {POSTS}+{DETECTED} detected, 2 snapshots each; accounts {CHANNELS}; "
            f"provider calls {len(times)} {dict(youtube_data.count())} in "
            f"{times[-1] - times[0]:.1f} s (limit {CALLS}/{WINDOW_S} s); "
            f"AI requests {len(openai.requests)}; statements {2 * FINANCE_ITEMS}; "
            f"remote posts 3; tasks per worker {per_worker} (killed: worker "
            f"{[p for p, _ in workers].index(victim)}); total {time.monotonic() - started:.0f} s"
        )


def _troubles(logs) -> str:
    """Each process's warnings and errors, and its last lines."""
    parts = []
    for log in logs:
        lines = log.read_text(errors="replace").splitlines()
        bad = [line for line in lines if re.search(r"WARNING|ERROR|Traceback|Error", line)]
        parts.append(f"== {log.name}\n" + "\n".join([*bad[-15:], "...", *lines[-8:]]))
    return "\n\n".join(parts)


def _answers(web: Web) -> bool:
    try:
        return web.health().status_code in (200, 503)
    except requests.ConnectionError:
        return False
