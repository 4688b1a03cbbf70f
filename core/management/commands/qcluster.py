"""`manage.py qcluster`: django-q2's worker, with a stop that works when SIGTERM or SIGINT
reaches the whole process group, as systemd, `docker stop` and Ctrl-C send them.

django-q2's own command hangs then, with a zombie: its sentinel dies of the SIGTERM while it
waits on the cluster's stop event, and the main process, setting that event from its signal
handler, waits forever for the dead waiter. Here the sentinel and its processes ignore the stop
signals; the main process only notes the signal and stops the cluster from its main loop: the
pusher stops taking tasks, each worker finishes the task it runs (django-q2 ends it at its
timeout anyway), and whatever still runs Q_TIMEOUT after the stop began is killed. A task cut
short that way is recovered like one whose worker died (operations.jobs.recover_abandoned_runs).

This command replaces django-q2's because `core` comes before `django_q` in INSTALLED_APPS.
"""

import os
import signal
import threading
import time
import uuid

from django.conf import settings
from django.core.management.base import CommandError
from django_q.cluster import Cluster, Sentinel, get_mp_context
from django_q.conf import Conf, logger
from django_q.management.commands.qcluster import Command as DjangoQClusterCommand

STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


class DrainingSentinel(Sentinel):
    """django-q2's sentinel, deaf to the stop signals (and so are the workers, pusher and monitor
    it forks): it stops when the cluster sets its stop event, within Q_TIMEOUT."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, start=False, **kwargs)  # sets SIGTERM back to the default
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        # Blocked by the cluster while it forked us: a signal sent meanwhile is dropped now.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        self.start()

    def reincarnate(self, process):
        # django-q2 ends a worker stuck past its timeout with SIGTERM, which workers ignore here.
        if process in self.pool and process.timer.value == 0 and process.is_alive():
            process.kill()
        super().reincarnate(process)

    def stop(self):
        deadline = None
        if self.timeout:
            deadline = threading.Timer(self.timeout, self._kill_what_is_left)
            deadline.daemon = True
            deadline.start()
        super().stop()
        if deadline is not None:
            deadline.cancel()

    def _kill_what_is_left(self):
        logger.error(
            "Q Cluster still stopping %s s after the stop began: its processes are killed.",
            self.timeout,
        )
        for process in [*self.pool, self.pusher, self.monitor]:
            if process is not None and process.is_alive():
                process.kill()
        os._exit(1)


class DrainingCluster(Cluster):
    """A cluster whose signal handler only notes the stop; `run` stops it outside the handler
    (setting the stop event takes locks a signal handler must not wait for)."""

    def __init__(self):
        self.stop_requested = False
        super().__init__()  # installs sig_handler

    def sig_handler(self, signum, frame):
        self.stop_requested = True

    def start(self) -> int:
        self.stop_event = get_mp_context().Event()
        self.start_event = get_mp_context().Event()
        self.sentinel = get_mp_context().Process(
            target=DrainingSentinel,
            name=f"Process-{uuid.uuid4().hex}",
            args=(self.stop_event, self.start_event, self.cluster_id, self.broker, self.timeout),
        )
        # The sentinel ignores the stop signals once it has started; until then it must not get
        # them either (it inherits this mask).
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            self.sentinel.start()
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        logger.info("Q Cluster %s starting.", self.name)
        while not self.start_event.is_set():
            if not self.sentinel.is_alive():
                raise CommandError(
                    f"Q Cluster {self.name} failed to start: its sentinel exited with code "
                    f"{self.sentinel.exitcode}."
                )
            time.sleep(0.1)
        return self.pid

    def run(self, *, once: bool = False) -> None:
        """Until a stop signal (or at once with `once`), then stop the cluster, waiting for
        the running tasks (at most Q_TIMEOUT)."""
        while not (once or self.stop_requested) and self.sentinel.is_alive():
            time.sleep(0.2)
        if not self.sentinel.is_alive():
            raise CommandError(
                f"Q Cluster {self.name} stopped unexpectedly: its sentinel exited with code "
                f"{self.sentinel.exitcode}."
            )
        logger.info(
            "Q Cluster %s: stop requested, its running tasks have up to %s s to finish.",
            self.name,
            Conf.TIMEOUT,
        )
        self.stop()


class Command(DjangoQClusterCommand):
    help = (
        "Start a django-q2 cluster (the jobs' worker). SIGTERM or SIGINT, to the process or its "
        "whole group, stops it cleanly within Q_TIMEOUT: running tasks finish or are killed."
    )

    def handle(self, *args, **options) -> None:
        settings.SECRET_KEY  # noqa: B018 -- signed task packages need it: fail now, not later
        if options.get("cluster_name"):
            os.environ["Q_CLUSTER_NAME"] = options["cluster_name"]
        cluster = DrainingCluster()
        cluster.start()
        cluster.run(once=options.get("run_once", False))
