"""The background worker: the smallest correct one, after sentry-python's ``worker.py``.

``submit`` never blocks and never raises into the caller: it returns False when the bounded
queue is full. The thread starts lazily on the first submit, so a process that forks (gunicorn,
Celery prefork) gets its own: the child forgets the parent's queue (those calls are the
parent's to deliver) and starts a thread of its own when it first submits. A job that fails is
logged and dropped; it never kills the thread.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time
import weakref
from collections.abc import Callable

from tenpoint._errors import TenpointError

log = logging.getLogger("tenpoint")

Job = Callable[[], object]
DEFAULT_QUEUE_SIZE = 1000
# At interpreter exit, wait at most this long for pending calls; a dead collector must not
# hang the host's shutdown.
EXIT_FLUSH_TIMEOUT = 5.0

_STOP = object()


class BackgroundWorker:
    def __init__(self, *, queue_size: int = DEFAULT_QUEUE_SIZE,
                 on_thread_exit: Callable[[], None] | None = None) -> None:
        self._queue_size = queue_size
        self._on_thread_exit = on_thread_exit
        self._reset()
        self._closed = False
        # Bound methods would keep the worker alive for ever; weak references do not.
        reference = weakref.WeakMethod(self._after_fork_in_child)
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=lambda: _call_if_alive(reference))
        atexit.register(_call_if_alive, weakref.WeakMethod(self._at_exit))

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._queue: queue.Queue[object] = queue.Queue(self._queue_size)
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    def _after_fork_in_child(self) -> None:
        self._reset()

    @property
    def is_alive(self) -> bool:
        return self._pid == os.getpid() and self._thread is not None and self._thread.is_alive()

    def _ensure_thread(self) -> None:
        if self.is_alive:
            return
        with self._lock:
            if self._pid != os.getpid():  # forked without the at-fork hook (not on POSIX)
                self._reset()
            if self.is_alive:
                return
            thread = threading.Thread(target=self._run, name="tenpoint.BackgroundWorker",
                                      daemon=True)
            try:
                thread.start()
            except RuntimeError:  # interpreter shutting down: nothing can run any more
                log.warning("tenpoint: cannot start the background worker")
                return
            self._thread = thread

    def submit(self, job: Job) -> bool:
        """Queue ``job``; True when queued, False when the queue is full or the worker closed."""
        if self._closed:
            return False
        self._ensure_thread()
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            return False
        return True

    @property
    def pending(self) -> int:
        """Calls queued or being delivered."""
        return self._queue.unfinished_tasks

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued call was delivered (or dropped); False on timeout."""
        if self._pid != os.getpid():
            return True
        self._ensure_thread()
        deadline = None if timeout is None else time.monotonic() + timeout
        condition = self._queue.all_tasks_done
        with condition:
            while self._queue.unfinished_tasks:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                condition.wait(remaining)
        return True

    def close(self, timeout: float | None = None) -> bool:
        """Flush, then stop the thread; later submits return False."""
        flushed = self.flush(timeout)
        self._closed = True
        thread = self._thread
        if thread is not None and thread.is_alive() and self._pid == os.getpid():
            try:
                self._queue.put_nowait(_STOP)
            except queue.Full:
                return False
            thread.join(timeout)
        return flushed

    def _at_exit(self) -> None:
        if self._closed or not self._queue.unfinished_tasks:
            return
        log.debug("tenpoint: flushing %d pending calls at exit", self._queue.unfinished_tasks)
        if not self.flush(EXIT_FLUSH_TIMEOUT):
            log.warning("tenpoint: %d calls were not delivered before exit",
                        self._queue.unfinished_tasks)

    def _run(self) -> None:
        work = self._queue
        try:
            while True:
                job = work.get()
                try:
                    if job is _STOP:
                        return
                    assert callable(job)
                    job()
                except TenpointError as error:
                    # Already retried; the collector's own words say why it was refused.
                    log.error("tenpoint: a background call was dropped: %s", error)
                except Exception:
                    log.exception("tenpoint: a background call failed and was dropped")
                finally:
                    work.task_done()
        finally:
            if self._on_thread_exit is not None:
                self._on_thread_exit()


def _call_if_alive(reference: weakref.WeakMethod[Callable[[], None]]) -> None:
    method = reference()
    if method is not None:
        method()
