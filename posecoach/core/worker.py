"""One background thread that handles items in order, for the stages of `analyze` that can run
beside pose inference (judging and logging a frame, encoding the annotated video).

MediaPipe releases the GIL while it infers, so Python work on this thread overlaps the next
frame's inference instead of following it. The queue is bounded: when the worker falls behind the
producer waits (bounded memory) and nothing is dropped.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class _End:
    """Put after the last item: the worker stops."""


_END = _End()


class InOrderWorker(Generic[T]):
    """`put(item)` hands `item` to `handle(item)` on the worker thread, in order; `close()` waits
    for the items already handed over. An exception raised by `handle` stops the worker (later
    items are discarded) and is raised again by the next `put` or by `close(check=True)`."""

    def __init__(self, handle: Callable[[T], None], name: str, depth: int = 4,
                 on_exit: Callable[[], None] | None = None) -> None:
        self._handle = handle
        self._on_exit = on_exit
        self._queue: queue.Queue[T | _End] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def put(self, item: T) -> None:
        self.raise_error()
        while self._thread.is_alive():
            try:
                self._queue.put(item, timeout=0.2)
                return
            except queue.Full:
                continue
        self.raise_error()

    def close(self, check: bool = True) -> None:
        """Finish the items already handed over and stop; `check` raises the worker's error
        (pass False while another exception is on its way, so that one is not masked)."""
        if self._thread.is_alive():
            self._queue.put(_END)
            self._thread.join()
        if check:
            self.raise_error()

    def raise_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _run(self) -> None:
        try:
            while not isinstance(item := self._queue.get(), _End):
                self._handle(item)
        except BaseException as e:  # noqa: BLE001 - handed to the producer
            self._error = e
            while self._queue.get() is not _END:  # let a waiting producer finish
                pass
        finally:
            if self._on_exit is not None:
                self._on_exit()
