"""Integer-millisecond clocks: the system clock for live calls, a virtual one for simulation."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now_ms(self) -> int:
        """Milliseconds since the clock started."""
        ...

    def sleep_ms(self, ms: int) -> None: ...


class SystemClock:
    def __init__(self) -> None:
        self._origin = time.monotonic()

    def now_ms(self) -> int:
        return int((time.monotonic() - self._origin) * 1000)

    def sleep_ms(self, ms: int) -> None:
        if ms > 0:
            time.sleep(ms / 1000)


class VirtualClock:
    """Time moves only when someone sleeps, so a 3-minute call simulates without waiting."""

    def __init__(self, start_ms: int = 0) -> None:
        self._now = start_ms

    def now_ms(self) -> int:
        return self._now

    def sleep_ms(self, ms: int) -> None:
        if ms > 0:
            self._now += ms

    def advance_to(self, t_ms: int) -> None:
        self._now = max(self._now, t_ms)
