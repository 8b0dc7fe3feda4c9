"""Sweep progress: a tqdm bar (counts, rate, ETA) on a terminal, plain log lines otherwise, or nothing.

Log lines go to the ``optimiser.sweep.progress`` logger at INFO level, at most every
``LOG_INTERVAL_SECONDS`` (and at the end); the CLI turns that logger on unless ``--quiet``.
"""

from __future__ import annotations

import logging
import sys
import time

from tqdm import tqdm

logger = logging.getLogger(__name__)

MODES = ("bar", "log", "none")
LOG_INTERVAL_SECONDS = 10.0


def resolve_mode(progress: bool | str | None) -> str:
    """``None``/``True``: a bar on a terminal, else log lines; ``False``: nothing; or a mode by name."""
    if progress is False:
        return "none"
    if progress is None or progress is True:
        return "bar" if sys.stderr.isatty() else "log"
    if progress not in MODES:
        raise ValueError(f"progress must be one of {', '.join(MODES)}, True, False or None, not {progress!r}")
    return progress


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Progress:
    """Counts scenarios done (``initial`` of them before this run) out of ``total``."""

    def __init__(self, total: int, initial: int, label: str, mode: str) -> None:
        self.total, self.done, self.label, self.mode = total, initial, label, mode
        self.initial = initial
        self.not_optimal = 0
        self.started = time.perf_counter()
        self._logged = self.started
        self._bar = None
        if mode == "bar":
            self._bar = tqdm(total=total, initial=initial, desc=label, unit="scenario", file=sys.stderr, dynamic_ncols=True)
        elif mode == "log":
            logger.info("%s: %d scenarios, %d already done", label, total, initial)

    def update(self, count: int, not_optimal: int = 0) -> None:
        """``count`` more scenarios done, ``not_optimal`` of them not optimal."""
        self.done += count
        self.not_optimal += not_optimal
        if self._bar is not None:
            self._bar.update(count)
            if self.not_optimal:
                self._bar.set_postfix(not_optimal=self.not_optimal, refresh=False)
        elif self.mode == "log":
            now = time.perf_counter()
            if now - self._logged >= LOG_INTERVAL_SECONDS or self.done >= self.total:
                self._logged = now
                logger.info(self.line(now))

    def line(self, now: float | None = None) -> str:
        """``label: done/total (pct), rate/s, ETA h:mm:ss`` (rate over this run's scenarios)."""
        now = now if now is not None else time.perf_counter()
        elapsed = max(now - self.started, 1e-9)
        rate = (self.done - self.initial) / elapsed
        left = self.total - self.done
        eta = _duration(left / rate) if rate > 0 else "?"
        share = 100.0 * self.done / self.total if self.total else 100.0
        extra = f", {self.not_optimal} not optimal" if self.not_optimal else ""
        return f"{self.label}: {self.done}/{self.total} scenarios ({share:.0f}%), {rate:.1f}/s, ETA {eta}{extra}"

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
