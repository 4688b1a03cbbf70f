"""A run left "running" by a dead worker is closed as failed and its job queued again, once.

With the Redis broker the task of a killed worker is gone: nothing but this sweeper brings the
work back (tests/operations/test_worker_death.py kills a real worker)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from django_q.models import OrmQ

from core.jobs import WorkReport
from operations import jobs
from operations.models import JobRun, JobStatus
from operations.services import (
    job_run_record,
    job_run_start,
    job_runs_recover_abandoned,
)
from posts.models import Post
from posts.services.refresh import posts_claim_due
from tests.operations import fakes
from tests.operations.factories import JobRunFactory
from tests.posts.factories import PostFactory

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
JOB_FUNCS = {name: spec["func"] for name, spec in jobs.SCHEDULES.items()}


def queued_funcs() -> list[str]:
    return sorted(task.func() for task in OrmQ.objects.all())


def running_run(*, silent_for: timedelta, job: str = "refresh_post_stats") -> JobRun:
    last_sign = timezone.now() - silent_for
    return JobRunFactory(
        job=job,
        status=JobStatus.RUNNING,
        finished_at=None,
        started_at=last_sign,
        heartbeat_at=last_sign,
        items_ok=0,
    )


@pytest.mark.django_db
def test_a_run_silent_past_its_lease_is_closed_as_failed_and_its_job_queued_again(
    settings, django_capture_on_commit_callbacks
):
    dead = running_run(silent_for=timedelta(seconds=settings.JOB_LEASE_SECONDS + 1))

    with django_capture_on_commit_callbacks(execute=True):
        requeued = jobs.recover_abandoned_runs()

    dead.refresh_from_db()
    assert dead.status == JobStatus.FAILED
    assert dead.finished_at is not None
    assert dead.error == (
        f"Abandoned: no sign of life for {settings.JOB_LEASE_SECONDS} s, its worker died or "
        "was stopped; the job was run again."
    )
    assert requeued == ["refresh_post_stats"]
    assert queued_funcs() == ["operations.jobs.refresh_post_stats"]


@pytest.mark.django_db
def test_a_long_run_that_keeps_recording_batches_is_alive(
    settings, django_capture_on_commit_callbacks
):
    run = running_run(silent_for=timedelta(seconds=settings.JOB_LEASE_SECONDS + 1))
    job_run_record(run=run, report=WorkReport(kind="post_refresh", ok=3))

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.recover_abandoned_runs() == []

    run.refresh_from_db()
    assert (run.status, run.items_ok) == (JobStatus.RUNNING, 3)
    assert not OrmQ.objects.exists()


@pytest.mark.django_db
def test_a_run_within_its_lease_is_left_running(settings, django_capture_on_commit_callbacks):
    run = running_run(silent_for=timedelta(seconds=settings.JOB_LEASE_SECONDS - 5))

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.recover_abandoned_runs() == []

    run.refresh_from_db()
    assert run.status == JobStatus.RUNNING


@pytest.mark.django_db
def test_several_abandoned_runs_of_one_job_queue_it_once_and_an_unscheduled_one_not_at_all(
    settings, django_capture_on_commit_callbacks
):
    silent = timedelta(seconds=settings.JOB_LEASE_SECONDS + 60)
    runs = [running_run(silent_for=silent), running_run(silent_for=silent)]
    replay = running_run(silent_for=silent, job="replay_dead_letters")  # started by hand

    with django_capture_on_commit_callbacks(execute=True):
        jobs.recover_abandoned_runs()

    for run in [*runs, replay]:
        run.refresh_from_db()
        assert run.status == JobStatus.FAILED
    assert queued_funcs() == ["operations.jobs.refresh_post_stats"]


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_queue_the_job_once(settings, monkeypatch):
    dead = running_run(silent_for=timedelta(seconds=settings.JOB_LEASE_SECONDS + 1))
    # Both sweepers have listed the abandoned run before either closes it.
    both_listed = threading.Barrier(2, timeout=10)
    from operations import services

    real_abandon = services.job_run_abandon

    def abandon_after_both_listed(**kwargs):
        both_listed.wait()
        return real_abandon(**kwargs)

    monkeypatch.setattr(services, "job_run_abandon", abandon_after_both_listed)
    results, errors = [], []

    def sweep():
        try:
            results.append(job_runs_recover_abandoned(job_funcs=JOB_FUNCS))
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(results) == [[], ["refresh_post_stats"]]
    assert queued_funcs() == ["operations.jobs.refresh_post_stats"]
    dead.refresh_from_db()
    assert dead.status == JobStatus.FAILED


@pytest.mark.django_db
def test_the_recovered_run_takes_the_posts_the_dead_run_had_claimed(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    fake = fakes.install(settings, monkeypatch)
    for post_id in ("A1", "A2", "A3"):
        PostFactory(post_id=post_id)
        fake.posts[post_id] = fakes.post_stats(post_id)
    # The dead run: it claimed a batch of two posts at NOW, then its worker was killed.
    dead = job_run_start(job="refresh_post_stats")
    JobRun.objects.filter(pk=dead.pk).update(started_at=NOW, heartbeat_at=NOW)
    assert len(posts_claim_due(now=NOW, limit=2)) == 2

    # The sweeper finds the run abandoned once its lease is over: the claims are over too.
    recovered_at = NOW + timedelta(seconds=settings.JOB_LEASE_SECONDS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.recover_abandoned_runs(now=recovered_at) == ["refresh_post_stats"]
    rerun = JobRun.objects.get(pk=jobs.refresh_post_stats(now=recovered_at))

    assert (rerun.status, rerun.items_ok) == (JobStatus.SUCCEEDED, 3)
    assert set(Post.objects.values_list("last_updated", flat=True)) == {recovered_at}


@pytest.mark.django_db
def test_an_abandoned_run_whose_work_a_later_run_took_over_is_not_queued_again(
    settings, django_capture_on_commit_callbacks
):
    dead = running_run(silent_for=timedelta(seconds=settings.JOB_LEASE_SECONDS + 60))
    # The ORM broker handed the task out again: that run is at work.
    JobRunFactory(job=dead.job, status=JobStatus.RUNNING, finished_at=None)

    with django_capture_on_commit_callbacks(execute=True):
        requeued = jobs.recover_abandoned_runs()

    dead.refresh_from_db()
    assert dead.status == JobStatus.FAILED
    assert requeued == [] and queued_funcs() == []


@pytest.mark.django_db
def test_a_run_that_finishes_after_being_declared_abandoned_keeps_that_verdict(settings):
    from operations.services import job_run_finish

    dead = running_run(silent_for=timedelta(seconds=settings.JOB_LEASE_SECONDS + 60))
    jobs.recover_abandoned_runs()

    job_run_finish(run=dead)

    dead.refresh_from_db()
    assert dead.status == JobStatus.FAILED
    assert dead.error.startswith("Abandoned:")
