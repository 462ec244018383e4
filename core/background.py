"""Jobs that run in this process, after the request, when no broker is configured.

Celery without a broker runs a task inside the request that queues it (eager
mode), so one user's training would hold a web worker. Without a broker,
``predictions.tasks`` hands its jobs to ``runner`` instead: a few daemon
threads per process (``BACKGROUND_THREADS``, default 1), started by the first
job, each job at its due time.

- One at a time per thread: a burst of jobs waits its turn; a web worker never
  does. At most ``MAX_PENDING`` jobs wait; more are refused (and logged).
- Low priority: the threads lower their own CPU priority (``NICE``; Linux keeps
  nice values per thread), so they yield the cores to the web workers of every
  process. Within the process they still share the GIL with the request thread.
- Own database connections, closed after each job: nothing holds a lock or a
  connection between jobs.
- Not durable: jobs still waiting when the process exits are lost. Callers must
  cope (a training's "queued" mark expires, see ``predictions.tasks``).

With a broker, Celery workers do this job; this runner stays idle.
"""

import heapq
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

MAX_PENDING = 1000
NICE = 10  # added to the process's nice value (19 at most)
# A drain in the caller's thread stops after this many jobs, so a job that
# queues itself again cannot loop forever.
MAX_DRAINED_JOBS = 1000


class BackgroundRunner:
    """Runs ``fn(*args)`` after ``delay`` seconds on a background thread.

    ``threads=0`` (the test suite) starts no thread: jobs wait until ``drain()``
    runs them in the caller's thread, on its connection and transaction.
    """

    def __init__(self, *, threads: int | None = None, max_pending: int = MAX_PENDING):
        self._threads = threads  # None: settings.BACKGROUND_THREADS, read when first used
        self.max_pending = max_pending
        self._forget()

    def _forget(self):
        self._pid = os.getpid()
        self._lock = threading.Condition()
        self._jobs: list = []  # heap of (due, sequence, fn, args)
        self._sequence = itertools.count()
        self._running = 0
        self._workers: list[threading.Thread] = []
        self._hurry = False  # drain(): every job is due now
        self._closed = False

    @property
    def threads(self) -> int:
        if self._threads is None:
            self._threads = max(1, settings.BACKGROUND_THREADS)
        return self._threads

    @property
    def pending(self) -> int:
        return len(self._jobs)

    def submit(self, fn: Callable, *args, delay: float = 0.0) -> bool:
        """Queue ``fn(*args)`` to run ``delay`` seconds from now; False if refused."""
        if self._pid != os.getpid():
            self._forget()  # a forked child: the parent's threads and jobs are not ours
        with self._lock:
            if self._closed or len(self._jobs) >= self.max_pending:
                logger.warning("background jobs stopped or full: %s%r dropped", fn.__name__, args)
                return False
            due = time.monotonic() + max(0.0, delay)
            heapq.heappush(self._jobs, (due, next(self._sequence), fn, args))
            while len(self._workers) < self.threads:
                worker = threading.Thread(
                    target=self._work, name=f"planher-background-{len(self._workers)}", daemon=True
                )
                self._workers.append(worker)
                worker.start()
            self._lock.notify()
        return True

    def drain(self, timeout: float = 60.0) -> bool:
        """Run every waiting job now, regardless of its delay, and return once
        none is left or running (False if ``timeout`` passed first)."""
        if self.threads == 0:
            for _ in range(MAX_DRAINED_JOBS):
                with self._lock:
                    if not self._jobs:
                        return True
                    _, _, fn, args = heapq.heappop(self._jobs)
                self._run(fn, args)
            return False
        with self._lock:
            self._hurry = True
            self._lock.notify_all()
            try:
                return self._lock.wait_for(lambda: not self._jobs and not self._running, timeout)
            finally:
                self._hurry = False

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop the threads after their current job; waiting jobs are dropped."""
        with self._lock:
            self._closed = True
            self._jobs.clear()
            self._lock.notify_all()
        for worker in self._workers:
            worker.join(timeout)

    def _next_job(self):
        with self._lock:
            while not self._closed:
                wait = None
                if self._jobs:
                    wait = 0 if self._hurry else self._jobs[0][0] - time.monotonic()
                    if wait <= 0:
                        _, _, fn, args = heapq.heappop(self._jobs)
                        self._running += 1
                        return fn, args
                self._lock.wait(wait)
            return None

    def _work(self):
        lower_priority_of_this_thread()
        while (job := self._next_job()) is not None:
            try:
                self._run(*job)
            finally:
                connections.close_all()  # this thread's connections only
                with self._lock:
                    self._running -= 1
                    self._lock.notify_all()

    @staticmethod
    def _run(fn, args):
        try:
            fn(*args)
        except Exception:  # a job's failure must not stop the thread
            logger.exception("background job %s%r failed", fn.__name__, args)


def lower_priority_of_this_thread() -> None:
    try:
        thread = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(19, current + NICE))
    except (AttributeError, OSError):  # not Linux, or not allowed: run at normal priority
        pass


runner = BackgroundRunner()
