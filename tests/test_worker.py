"""InOrderWorker: analyze's judging and encoding threads keep frame order, bound their queue and
hand errors back to the producer."""
import threading
import time

import pytest

from posecoach.core.worker import InOrderWorker


def test_items_are_handled_in_order_and_close_waits_for_all():
    seen = []
    w = InOrderWorker(lambda i: (time.sleep(0.001 * (i % 3)), seen.append(i)), "t")
    for i in range(50):
        w.put(i)
    w.close()
    assert seen == list(range(50))


def test_a_slow_worker_makes_the_producer_wait_with_at_most_depth_items_queued():
    release, started = threading.Event(), threading.Event()

    def handle(i):
        started.set()
        release.wait()

    w = InOrderWorker(handle, "t", depth=2)
    w.put(0)
    started.wait(2)
    w.put(1)
    w.put(2)  # the queue (depth 2) is now full
    blocked = threading.Thread(target=w.put, args=(3,))
    blocked.start()
    blocked.join(0.3)
    assert blocked.is_alive()  # waits rather than growing the queue or dropping the item
    release.set()
    blocked.join(2)
    w.close()


def test_an_error_in_the_worker_is_raised_by_the_next_put_or_by_close():
    def handle(i):
        if i == 3:
            raise ValueError("bad frame")

    w = InOrderWorker(handle, "t")
    with pytest.raises(ValueError, match="bad frame"):
        for i in range(100):
            w.put(i)
            time.sleep(0.002)
    w.close()  # the error was already raised once: closing is clean

    w = InOrderWorker(handle, "t")
    for i in range(5):
        w.put(i)
    with pytest.raises(ValueError, match="bad frame"):
        w.close()


def test_close_without_check_keeps_the_error_for_later_and_runs_on_exit():
    exited = []
    w = InOrderWorker(lambda i: 1 / 0, "t", on_exit=lambda: exited.append(True))
    w.put(1)
    w.close(check=False)
    assert exited == [True]
    with pytest.raises(ZeroDivisionError):
        w.raise_error()
