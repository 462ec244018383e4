"""The in-process background runner (``core.background``): what runs her
trainings when no broker is configured. Real threads; ``drain()`` waits on the
runner's own condition, not on the clock."""

import os
import sys
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from hypothesis import given
from hypothesis import strategies as st

from core.background import NICE, BackgroundRunner


@pytest.fixture
def runner():
    runner = BackgroundRunner(threads=1)
    yield runner
    runner.shutdown()


def test_a_job_runs_on_a_background_thread_and_drain_does_not_wait_for_its_delay(runner):
    ran_in = []
    assert runner.submit(lambda: ran_in.append(threading.current_thread().name), delay=3600)
    assert ran_in == []

    assert runner.drain(timeout=10)

    assert ran_in == ["planher-background-0"]


def test_jobs_run_one_at_a_time_in_the_order_they_fall_due(runner):
    order, running, overlaps = [], [], []

    def job(name):
        running.append(name)
        overlaps.append(len(running) > 1)
        order.append(name)
        running.remove(name)

    for name, delay in (("third", 30), ("first", 10), ("second", 20)):
        runner.submit(job, name, delay=delay)
    assert runner.drain(timeout=10)

    assert order == ["first", "second", "third"]
    assert not any(overlaps)


def test_a_failing_job_is_logged_and_the_thread_goes_on(runner, caplog):
    done = []

    def broken():
        raise RuntimeError("boom")

    runner.submit(broken)
    runner.submit(done.append, "after")
    assert runner.drain(timeout=10)

    assert done == ["after"]
    assert "background job broken() failed" in caplog.text


def test_the_queue_is_bounded():
    runner = BackgroundRunner(threads=0, max_pending=2)
    assert runner.submit(print, delay=60) and runner.submit(print, delay=60)
    assert not runner.submit(print, delay=60)
    assert runner.pending == 2


@pytest.mark.django_db(transaction=True)
def test_a_job_uses_its_own_database_connection_and_closes_it(runner, user):
    seen = {}

    def job():
        seen["users"] = get_user_model().objects.count()
        seen["connection"] = connections["default"]  # this thread's own wrapper
        seen["open"] = connections["default"].connection is not None

    runner.submit(job)
    assert runner.drain(timeout=10)

    assert seen["users"] == 1 and seen["open"]
    assert seen["connection"] is not connections["default"]
    assert seen["connection"].connection is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
def test_the_thread_runs_at_a_lower_cpu_priority_than_the_requests(runner):
    niceness = {}
    runner.submit(
        lambda: niceness.update(
            job=os.getpriority(os.PRIO_PROCESS, threading.get_native_id()),
            process=os.getpriority(os.PRIO_PROCESS, os.getpid()),
        )
    )
    assert runner.drain(timeout=10)

    assert niceness["job"] == min(19, niceness["process"] + NICE)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == niceness["process"]


def test_without_threads_a_drain_runs_the_jobs_in_the_callers_thread():
    runner = BackgroundRunner(threads=0)
    ran_in = []
    runner.submit(lambda: ran_in.append(threading.current_thread()), delay=60)
    assert ran_in == []
    assert runner.drain()
    assert ran_in == [threading.current_thread()]


@given(st.lists(st.integers(min_value=0, max_value=3600), max_size=30))
def test_a_drain_runs_every_job_once_in_the_order_they_fall_due(delays):
    runner = BackgroundRunner(threads=0)
    ran = []
    for index, delay in enumerate(delays):
        assert runner.submit(ran.append, index, delay=delay)

    assert runner.drain()

    assert ran == sorted(range(len(delays)), key=lambda index: (delays[index], index))
    assert runner.pending == 0
