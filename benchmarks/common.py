"""What the benchmark scripts share: the machine's description, and a clock on HiGHS's own solves."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path


def machine() -> str:
    """Cores, CPU model, Python and the operating system, for a benchmark's record."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model or platform.processor()}), Python {platform.python_version()}, {platform.system()}"


class HighsClock:
    """Seconds and calls of ``highspy.Highs.run`` while installed (``with HighsClock() as clock``): what a
    command spends inside HiGHS, against its whole time."""

    def __init__(self) -> None:
        import highspy

        self.seconds = 0.0
        self.calls = 0
        self._highs = highspy.Highs
        self._original = highspy.Highs.run

    def __enter__(self) -> HighsClock:
        clock, original = self, self._original

        def timed_run(highs):
            started = time.perf_counter()
            try:
                return original(highs)
            finally:
                clock.seconds += time.perf_counter() - started
                clock.calls += 1

        self._highs.run = timed_run
        return self

    def __exit__(self, *exc) -> None:
        self._highs.run = self._original
