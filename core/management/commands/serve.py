"""Run the web server and the django-q2 worker together (`make run`); Ctrl-C stops both."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

GRACE_SECONDS = 15


class Command(BaseCommand):
    help = (
        "Start `runserver` and `qcluster` as two child processes and stop both when either "
        "stops or on Ctrl-C. For development; production runs gunicorn and qcluster."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "addrport",
            nargs="?",
            default=f"127.0.0.1:{os.environ.get('PORT') or 8000}",
            help="Address and port of the web server (default 127.0.0.1:$PORT, PORT=8000).",
        )
        parser.add_argument("--no-worker", action="store_true", help="Start the web server only.")
        parser.add_argument("--noreload", action="store_true", help="Passed to runserver.")

    def handle(self, *args, **options) -> None:
        addrport: str = options["addrport"]
        host, _, port = addrport.rpartition(":")
        if not port.isdigit():
            raise CommandError(f"{addrport!r} is not an address:port or a port.")
        host = host or "127.0.0.1"

        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        web_command = [*manage, "runserver", f"{host}:{port}"]
        if options["noreload"]:
            web_command.append("--noreload")
        commands = {"web server": web_command}
        if not options["no_worker"]:
            commands["worker"] = [*manage, "qcluster"]
            call_command("sync_schedules", stdout=self.stdout)  # the jobs' schedules, idempotent

        stopping = False

        def request_stop(signum, frame):
            nonlocal stopping
            stopping = True

        # Before spawning: a child inherits an ignored SIGINT (as in a background job), while a
        # handler is reset to the default in the child.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, request_stop)
        # Each child leads its own process group so that one signal reaches it and its own
        # children (the autoreloader, the cluster's workers) exactly once, from us.
        children = {
            name: subprocess.Popen(command, start_new_session=True)
            for name, command in commands.items()
        }

        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "[::]") else host
        self.stdout.write(
            self.style.SUCCESS(f"CreatorOps admin: http://{shown_host}:{port}/admin/")
            + f"\nStarted {' and '.join(children)}; press Ctrl-C to stop."
        )
        exited = None
        while not stopping and exited is None:
            exited = next((n for n, c in children.items() if c.poll() is not None), None)
            time.sleep(0.3)

        if exited:
            self.stderr.write(f"The {exited} stopped (exit code {children[exited].returncode}).")
        self.stdout.write(f"Stopping {' and '.join(children)}…")
        _stop(children.values())
        if exited and children[exited].returncode:
            raise CommandError(f"The {exited} failed.", returncode=children[exited].returncode)


def _stop(children) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        running = [c for c in children if c.poll() is None]
        if not running:
            return
        for child in running:
            with contextlib.suppress(ProcessLookupError):  # already gone
                os.killpg(child.pid, sig)
        deadline = time.monotonic() + GRACE_SECONDS
        while time.monotonic() < deadline and any(c.poll() is None for c in running):
            time.sleep(0.2)
