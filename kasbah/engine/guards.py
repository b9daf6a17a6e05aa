"""Guards around code Kasbah does not control (programs, policy packs): exits, time limits, noise.

- ``os._exit`` is turned into an exception while a program or a pack runs, so that a pack or
  a program that exits can never end the run silently (exit 0 with no output): it is one
  clear error, exit 2. ``sys.exit`` raises ``SystemExit``, which the callers catch.
- A deadline stops a program (or a policy) that never finishes: ``RunTimeout`` is raised in
  the main thread by a timer signal, wherever the main thread is (the event loop's select, a
  sleep, a Python loop).
- asyncio's own warnings ("Future exception was never retrieved" and the like) are silenced
  while a program runs, as the Python language host silences them
  (pulumi/pulumi ``sdk/python/cmd/pulumi-language-python-exec``: ``logging.getLogger("asyncio")``
  set to CRITICAL): a failure is one line, not pages.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import warnings
from collections.abc import Callable, Iterator
from typing import Any, NoReturn

DEFAULT_TIMEOUT = 600.0
"""Seconds a preview (program and policies) may take by default (``--timeout``)."""


class ExitCalled(BaseException):
    """``os._exit`` was called by a program or a policy pack."""

    def __init__(self, code: int) -> None:
        super().__init__(f"os._exit({code})")
        self.code = code


class RunTimeout(BaseException):
    """The run's deadline passed (a BaseException, so that ``except Exception`` in a program cannot swallow it)."""


@contextlib.contextmanager
def no_process_exit() -> Iterator[None]:
    """``os._exit`` raises :class:`ExitCalled` instead of ending the process."""
    saved = os._exit

    def refuse(code: int) -> NoReturn:
        raise ExitCalled(code)

    os._exit = refuse  # type: ignore[assignment]
    try:
        yield
    finally:
        os._exit = saved


@contextlib.contextmanager
def quiet_asyncio() -> Iterator[None]:
    logger = logging.getLogger("asyncio")
    saved = logger.level
    logger.setLevel(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="coroutine .* was never awaited", category=RuntimeWarning)
        warnings.filterwarnings("ignore", category=ResourceWarning)
        try:
            yield
        finally:
            logger.setLevel(saved)


class Deadline:
    """A time limit for the whole preview; ``phase`` says what was running when it passed."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds if seconds and seconds > 0 else None
        self.phase: Callable[[], str] = lambda: "the preview"
        self.detail: Callable[[], str] = lambda: ""
        self._armed = False

    @contextlib.contextmanager
    def armed(self) -> Iterator[None]:
        """Raise :class:`RunTimeout` in the main thread when the time is up (no-op elsewhere)."""
        if self._armed or self.seconds is None or threading.current_thread() is not threading.main_thread():
            yield
            return
        if not hasattr(signal, "setitimer"):  # pragma: no cover - Windows
            self._armed = True
            try:
                with self._timer_thread():
                    yield
            finally:
                self._armed = False
            return

        def on_alarm(signum: int, frame: Any) -> None:
            raise RunTimeout()

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        self._armed = True
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            self._armed = False

    @contextlib.contextmanager
    def _timer_thread(self) -> Iterator[None]:  # pragma: no cover - Windows
        import _thread

        fired = threading.Event()

        def fire() -> None:
            fired.set()
            _thread.interrupt_main()

        assert self.seconds is not None
        timer = threading.Timer(self.seconds, fire)
        timer.daemon = True
        timer.start()
        try:
            yield
        except KeyboardInterrupt:
            if fired.is_set():
                raise RunTimeout() from None
            raise
        finally:
            timer.cancel()

    def message(self) -> str:
        return f"{self.phase()} did not finish within {self.seconds:g} s (--timeout){self.detail()}"
