"""`manage.py qcluster` (and `manage.py serve`) stop cleanly within Q_TIMEOUT when SIGTERM
reaches their whole process group, as systemd and `docker stop` send it, and leave no process
behind. django-q2's own command hung there, its sentinel a zombie (core's qcluster command)."""

import contextlib
import os
import signal
import socket
import subprocess
import time

import pytest
from django_q.models import Task

from tests.operations import cluster

pytestmark = pytest.mark.django_db(transaction=True)

Q_TIMEOUT = 10


def stop_group(process: subprocess.Popen, *, pgids: list[int] | None = None) -> float:
    """SIGTERM to the process's group (and to `pgids`); returns the seconds until it exited."""
    sent = time.monotonic()
    for pgid in [process.pid, *(pgids or [])]:
        os.killpg(pgid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=Q_TIMEOUT + 30)
    return time.monotonic() - sent


def assert_nothing_left(*pgids: int) -> None:
    """No process of these groups is left, not even a zombie (given a moment to be reaped)."""
    deadline = time.monotonic() + 5
    left = {}
    while time.monotonic() < deadline:
        left = cluster.group_processes(*pgids)
        if not left:
            return
        time.sleep(0.2)
    raise AssertionError(f"Processes left (pid: state): {left}")


def wait_processing(log, func: str) -> None:
    cluster.wait_until(
        lambda: f"'{func}'" in log.read_text(errors="replace"),
        timeout=60,
        what=f"processing {func}",
        log=log,
    )


def test_an_idle_cluster_stops_at_once_when_its_group_gets_sigterm(tmp_path):
    env = cluster.worker_env(broker="orm", Q_TIMEOUT=Q_TIMEOUT)
    log = tmp_path / "worker.log"

    with cluster.started(cluster.manage("qcluster"), env=env, log=log) as process:
        cluster.wait_running(log)
        took = stop_group(process)

        print(f"idle qcluster: exited {took:.1f} s after SIGTERM to its group")
        assert process.returncode == 0, cluster.tail(log)
        assert took < Q_TIMEOUT
        assert_nothing_left(process.pid)


def test_a_running_task_finishes_before_the_cluster_stops(tmp_path):
    env = cluster.worker_env(broker="redis", Q_TIMEOUT=Q_TIMEOUT)
    log = tmp_path / "worker.log"
    cluster.enqueue(env, "time.sleep", 3)

    with cluster.started(cluster.manage("qcluster"), env=env, log=log) as process:
        wait_processing(log, "time.sleep")
        took = stop_group(process)

        print(f"qcluster running a 3 s task: exited {took:.1f} s after SIGTERM to its group")
        assert process.returncode == 0, cluster.tail(log)
        assert took < Q_TIMEOUT
        assert_nothing_left(process.pid)
    assert Task.objects.get(func="time.sleep").success  # neither cut short nor lost


def test_a_task_that_outlives_q_timeout_is_killed_and_the_cluster_stops(tmp_path):
    timeout = 5
    env = cluster.worker_env(broker="orm", Q_TIMEOUT=timeout, JOB_PASS_SECONDS=4)
    log = tmp_path / "worker.log"
    cluster.enqueue(env, "tests.operations.fakes.task_that_outlives_its_timeout")

    with cluster.started(cluster.manage("qcluster"), env=env, log=log) as process:
        wait_processing(log, "tests.operations.fakes.task_that_outlives_its_timeout")
        took = stop_group(process)

        print(f"qcluster running a stuck task: exited {took:.1f} s after SIGTERM (Q_TIMEOUT 5)")
        assert process.returncode is not None, cluster.tail(log)
        assert took < timeout + 5, cluster.tail(log)
        assert_nothing_left(process.pid)
    assert "still stopping 5 s after the stop began: its processes are killed" in log.read_text()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_groups(pid: int) -> list[int]:
    """The process groups of `pid`'s children (serve starts each in a session of its own)."""
    return [pgid for _, ppid, pgid in cluster.processes().values() if ppid == pid]


def test_serve_stops_web_and_worker_when_every_process_gets_sigterm(tmp_path):
    env = cluster.worker_env(broker="orm", Q_TIMEOUT=Q_TIMEOUT)
    log = tmp_path / "serve.log"
    command = cluster.manage("serve", f"127.0.0.1:{free_port()}", "--noreload")

    with cluster.started(command, env=env, log=log) as process:
        cluster.wait_running(log)
        cluster.wait_until(
            lambda: "Quit the server" in log.read_text(errors="replace"),
            timeout=60,
            what="serving",
            log=log,
        )
        groups = children_groups(process.pid)
        assert len(groups) == 2  # web server and worker
        try:
            # As systemd's default KillMode does: every process of the service.
            took = stop_group(process, pgids=groups)

            print(f"serve: exited {took:.1f} s after SIGTERM to every process")
            assert process.returncode == 0, cluster.tail(log)
            assert took < Q_TIMEOUT, cluster.tail(log)
            assert_nothing_left(process.pid, *groups)
        finally:
            for pgid in groups:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, signal.SIGKILL)
