"""The TaskRunner runs work on its own thread and hands back values, errors and progress."""

from __future__ import annotations

import threading

import pytest

from sage_sync_desktop.errors import CancelledError
from sage_sync_desktop.gui.task_runner import TaskRunner


@pytest.fixture
def runner(qtbot):
    runner = TaskRunner()
    yield runner
    runner.shutdown()


def test_result_comes_back_as_a_value_on_the_gui_thread(qtbot, runner):
    seen_threads = []

    def work(*, progress, cancel):
        seen_threads.append(threading.current_thread())
        return 42

    received = []
    runner.succeeded.connect(lambda label, value: received.append((label, value, threading.current_thread())))
    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.start("answer", work)
    assert received[0][:2] == ("answer", 42)
    assert received[0][2] is threading.main_thread()
    assert seen_threads[0] is not threading.main_thread()


def test_an_exception_comes_back_as_a_value(qtbot, runner):
    def work(*, progress, cancel):
        raise ValueError("bad row")

    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        runner.start("boom", work)
    label, error = blocker.args
    assert label == "boom" and isinstance(error, ValueError) and str(error) == "bad row"


def test_progress_is_reported_and_clamped(qtbot, runner):
    def work(*, progress, cancel):
        progress(50, "half")
        progress(150, "over")
        return None

    seen = []
    runner.progress_changed.connect(lambda p, m: seen.append((p, m)))
    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.start("p", work)
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=2000)
    assert seen == [(50, "half"), (100, "over")]


def test_cancel_reaches_the_running_work(qtbot, runner):
    started = threading.Event()

    def work(*, progress, cancel):
        started.set()
        if not cancel.wait(5):
            return "not cancelled"
        raise CancelledError("stopped")

    with qtbot.waitSignal(runner.failed, timeout=8000) as blocker:
        runner.start("long", work)
        assert started.wait(5)
        assert runner.busy
        runner.cancel()
    assert isinstance(blocker.args[1], CancelledError)
    qtbot.waitUntil(lambda: not runner.busy, timeout=2000)


def test_jobs_run_one_at_a_time_in_order(qtbot, runner):
    order = []
    lock = threading.Lock()
    active = []

    def make(n):
        def work(*, progress, cancel):
            with lock:
                active.append(n)
                assert len(active) == 1
            order.append(n)
            with lock:
                active.remove(n)
            return n
        return work

    done = []
    runner.succeeded.connect(lambda label, value: done.append(value))
    for n in range(5):
        runner.start(str(n), make(n))
    qtbot.waitUntil(lambda: len(done) == 5, timeout=5000)
    assert order == [0, 1, 2, 3, 4] and done == [0, 1, 2, 3, 4]
