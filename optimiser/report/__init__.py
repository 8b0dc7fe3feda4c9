"""Reports a planner reads: a self-contained ``report.html`` and PNG figures for a stored result.

``write_report(directory)`` regenerates ``<directory>/report.html`` and ``<directory>/figures/*.png`` from a
run result directory (what ``optimiser report DIR`` does); ``report_after_run`` is the hook ``optimiser run``
calls, which never lets a report failure lose the result already written. What each figure shows, and the
binding-stage definition, are in ``docs/reports.md``.

Modules: ``data`` (tables the figures show), ``style`` (colours, labels), ``figures`` (matplotlib PNGs),
``interactive`` (plotly charts), ``html`` (the page and its templates). matplotlib and plotly are imported
only when a report is written, so other commands start as fast as before.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..inputs.data import InputData

logger = logging.getLogger(__name__)

__all__ = ["report_after_run", "write_report"]


def write_report(directory: str | Path, out: str | Path | None = None, inputs: InputData | None = None) -> Path:
    """Write the report of the result in ``directory`` (default ``<directory>/report.html``) and its PNGs.

    ``inputs`` should be the input tables the result was solved on: they give the sources table, the
    restricted elements and each project's construction years; other inputs are ignored, with a note.
    """
    from .html import write_run_report

    return write_run_report(directory, out, inputs)


def report_after_run(directory: str | Path, inputs: InputData | None = None) -> Path | None:
    """Write the report of a run just stored in ``directory``; on failure log a warning and return None.

    The result files are already written when this runs: a report that cannot be drawn must not turn a
    solved run into a failed command.
    """
    try:
        return write_report(directory, inputs=inputs)
    except Exception as error:  # whatever broke, the run's result must survive (see docstring)
        logger.warning("the result in %s is written, but its report failed: %s: %s", directory, type(error).__name__, error)
        return None
