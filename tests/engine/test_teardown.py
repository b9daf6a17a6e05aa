"""Issue 17, "Also seen": a run printed ``ValueError: Invalid file descriptor: -1`` from an event loop's
teardown. Finalising the SDK's leftover worker loops is silenced; anything else still reaches the hook."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from kasbah.engine import runtime


class DeadEventLoop:
    """Stands for an SDK worker thread's loop whose self-pipe is already closed."""

    def __init__(self) -> None:
        self.cycle = self

    def __del__(self) -> None:
        raise ValueError("Invalid file descriptor: -1")


class OtherObject:
    def __init__(self) -> None:
        self.cycle = self

    def __del__(self) -> None:
        raise ValueError("a real problem")


def test_teardown_noise_of_dead_event_loops_is_dropped_and_other_errors_are_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: seen.append(u.exc_value))
    DeadEventLoop()
    runtime._collect_quietly()
    assert seen == []
    OtherObject()
    runtime._collect_quietly()
    assert [str(e) for e in seen] == ["a real problem"]
