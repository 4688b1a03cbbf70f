"""A job whose worker is killed (`kill -9`) mid-run is finished by a new run, with either broker.

A real `qcluster` runs in a subprocess on the test database, with short settings: the job
(`refresh_post_stats`) fetches six posts in batches of two through a slow fake provider, and
the worker is killed during its second batch. With Redis the task is gone with the worker: the
`recover_abandoned_runs` schedule closes the silent run and queues the job again. With the ORM
broker django-q2 hands the task out again after Q_RETRY. Either way each post is refreshed once.
"""

import os
import signal
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone
from django_q.models import Schedule

from operations.jobs import SCHEDULES
from operations.models import JobRun, JobStatus
from posts.models import Post, PostSnapshot
from tests.operations import cluster
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db(transaction=True)

POSTS = 6
SHORT = {
    "Q_TIMEOUT": 10,
    "JOB_PASS_SECONDS": 8,
    "REFRESH_CLAIM_TTL_SECONDS": 10,
    "REFRESH_BATCH_SIZE": 2,
    "SLOW_PROVIDER_SECONDS": 2,
}
# django-q2's scheduler looks at the schedules every 30 s; the sweeper's is every minute.
SCHEDULER_TICK_S, SWEEPER_EVERY_S = 30, 60


def all_refreshed_by_a_finished_run() -> bool:
    return (
        Post.objects.filter(last_updated__isnull=False).count() == POSTS
        and JobRun.objects.filter(status=JobStatus.SUCCEEDED).exists()
    )


def runs() -> list[JobRun]:
    return list(JobRun.objects.filter(job="refresh_post_stats").order_by("started_at", "id"))


def assert_each_post_refreshed_once():
    per_post = PostSnapshot.objects.values("post").annotate(n=Count("id"))
    assert sorted(row["n"] for row in per_post) == [1] * POSTS


def kill_the_worker_mid_job(log, pidfile) -> JobRun:
    """kill -9 the worker once the job's first batch is recorded, while it fetches the second;
    returns the killed run."""
    cluster.wait_until(
        lambda: JobRun.objects.filter(items_ok__gte=2).exists(),
        timeout=120,
        what="a first batch recorded",
        log=log,
    )
    os.kill(int(pidfile.read_text()), signal.SIGKILL)
    return JobRun.objects.get()


@pytest.fixture
def due_posts():
    return [PostFactory(post_id=f"KILL{i}") for i in range(POSTS)]


def test_with_redis_the_sweeper_reruns_the_job_of_a_killed_worker(due_posts, tmp_path):
    lease = 12
    env = cluster.worker_env(
        broker="redis",
        **SHORT,
        Q_RETRY=300,  # not used by Redis, which never hands a task out again
        JOB_LEASE_SECONDS=lease,
        SLOW_PROVIDER_PIDFILE=tmp_path / "worker.pid",
    )
    Schedule.objects.create(
        name="recover_abandoned_runs",
        repeats=-1,
        next_run=timezone.now(),
        **SCHEDULES["recover_abandoned_runs"],
    )
    cluster.enqueue(env, "operations.jobs.refresh_post_stats")
    log = tmp_path / "worker.log"

    with cluster.started(cluster.manage("qcluster"), env=env, log=log):
        killed = kill_the_worker_mid_job(log, tmp_path / "worker.pid")
        recovered_in = cluster.wait_until(
            all_refreshed_by_a_finished_run,
            timeout=lease + SWEEPER_EVERY_S + SCHEDULER_TICK_S + 20,
            what="every post refreshed",
            log=log,
        )

    print(f"Redis: recovered {recovered_in:.1f} s after the kill (lease {lease} s)")
    dead, rerun = runs()
    assert dead.pk == killed.pk
    assert dead.status == JobStatus.FAILED
    assert dead.error.startswith("Abandoned: no sign of life for 12 s, its worker died")
    assert 2 <= dead.items_ok < POSTS
    assert rerun.status == JobStatus.SUCCEEDED
    assert rerun.items_ok == POSTS - dead.items_ok  # only the unfinished posts
    assert_each_post_refreshed_once()


def test_with_the_orm_broker_the_task_of_a_killed_worker_comes_back_after_q_retry(
    due_posts, tmp_path
):
    retry = 15
    env = cluster.worker_env(
        broker="orm",
        **SHORT,
        Q_RETRY=retry,
        JOB_LEASE_SECONDS=20,
        SLOW_PROVIDER_PIDFILE=tmp_path / "worker.pid",
    )
    cluster.enqueue(env, "operations.jobs.refresh_post_stats")
    log = tmp_path / "worker.log"

    with cluster.started(cluster.manage("qcluster"), env=env, log=log):
        killed = kill_the_worker_mid_job(log, tmp_path / "worker.pid")
        recovered_in = cluster.wait_until(
            all_refreshed_by_a_finished_run,
            timeout=retry + 20,
            what="every post refreshed",
            log=log,
        )

    print(f"ORM: recovered {recovered_in:.1f} s after the kill (Q_RETRY {retry} s)")
    dead, redelivered = runs()[:2]
    assert dead.pk == killed.pk
    assert 2 <= dead.items_ok < POSTS
    assert redelivered.started_at - dead.started_at >= timedelta(seconds=retry - 5)
    assert redelivered.status == JobStatus.SUCCEEDED
    assert redelivered.items_ok == POSTS - dead.items_ok
    assert_each_post_refreshed_once()
