"""A real django-q2 worker (`manage.py qcluster`, or `manage.py serve`) in a subprocess, on the
test database, for the tests that kill or stop it. Use with a transactional database: the
worker only sees committed rows."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from django.conf import settings
from django.db import connection

REDIS_URL = "redis://127.0.0.1:6379/0"


def database_url() -> str:
    """The test database, as a DATABASE_URL for the subprocess."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}{port}/{db['NAME']}"


def worker_env(*, broker: str, **overrides: object) -> dict[str, str]:
    """The subprocess's environment: the test database, `broker` ("orm" or "redis") with a
    queue of its own, the slow fake provider, and settings `overrides` (Q_TIMEOUT=5, …)."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.operations.worker_settings",
        DATABASE_URL=database_url(),
        TEST_CLUSTER_NAME=f"test-{uuid.uuid4().hex[:12]}",
        FIELD_ENCRYPTION_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
        PYTHONUNBUFFERED="1",
    )
    if broker == "redis":
        env["REDIS_URL"] = REDIS_URL
    env.update({name: str(value) for name, value in overrides.items()})
    return env


def manage(*args: str) -> list[str]:
    return [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args]


def enqueue(env: dict[str, str], func: str, *args: object) -> None:
    """Queue `func(*args)` on the worker's broker, as the worker's settings see it."""
    code = f"from django_q.tasks import async_task; async_task({func!r}, *{args!r})"
    subprocess.run(
        manage("shell", "-c", code), env=env, cwd=settings.BASE_DIR, check=True, timeout=120
    )


def processes() -> dict[int, tuple[str, int, int]]:
    """Every process in the process table (zombies included): pid -> (state letter, Z for a
    zombie; parent pid; process group)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with suppress(OSError):
            # The command may hold spaces and parentheses: the fields after its last ")".
            state, ppid, pgid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:3]
            found[int(entry.name)] = (state, int(ppid), int(pgid))
    return found


def group_processes(*pgids: int) -> dict[int, str]:
    """The processes of the groups `pgids` still in the process table: pid -> state."""
    return {pid: state for pid, (state, _, pgid) in processes().items() if pgid in pgids}


def wait_until(condition: Callable[[], object], *, timeout: float, what: str, log: Path) -> float:
    """Poll `condition` until true; returns the seconds waited. Fails with the worker's log."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"Not {what} after {timeout:.0f} s. Worker log:\n{tail(log)}")
        time.sleep(0.2)
    return time.monotonic() - started


def tail(log: Path, lines: int = 60) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""


@contextmanager
def started(command: list[str], *, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """Start `command` leading a new session (its own process group, as under systemd or in a
    container); on the way out, whatever is left of its group is killed."""
    with log.open("w") as output:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=settings.BASE_DIR,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def wait_running(log: Path, *, timeout: float = 120) -> None:
    """Until the cluster says it runs (django-q2 logs "Q Cluster … running.")."""
    wait_until(
        lambda: " running." in log.read_text(errors="replace"),
        timeout=timeout,
        what="running",
        log=log,
    )
