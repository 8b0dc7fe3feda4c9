"""Reports a planner reads: a self-contained ``report.html`` and PNG figures for a stored result.

``write_report(directory)`` regenerates ``<directory>/report.html`` and ``<directory>/figures/*.png`` from a
stored result of any kind (what ``optimiser report DIR --png`` does; without ``png`` only the page, in about
a third of the time); ``report_after_run`` is the hook the commands call after storing a result, which never
lets a report failure lose the result already written. What each figure shows, and the binding-stage
definition, are in ``docs/reports.md``.

Modules: ``style`` (colours, labels, shared by every kind), ``html`` (the page, its templates and the one
renderer every kind uses); per kind, the tables the figures show and the figures themselves (matplotlib PNGs
and plotly charts): ``data``, ``figures``, ``interactive`` for runs, ``sweep_data``, ``sweep_charts``,
``sweep_html`` for sweeps, ``portfolio_data``, ``portfolio_charts``, ``portfolio_html`` for comparisons,
stress tests and robust runs; the PNG drawings of sweeps and portfolio sets are ``sweep_figures`` and
``portfolio_figures``. plotly is imported only when a report is written, matplotlib only when its PNGs are
drawn, so other commands, and reports without PNGs, start as fast as before.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..inputs.data import InputData

logger = logging.getLogger(__name__)

__all__ = ["REPORT_KINDS", "report_after_run", "report_kind", "write_report"]


REPORT_KINDS: tuple[str, ...] = ("run", "sweep", "comparison", "stress", "robust")


def report_kind(directory: str | Path) -> str:
    """What ``directory`` holds, by the files each command writes: ``sweep`` (sweep.json), ``comparison``
    (comparison.csv), ``stress`` (stress.csv), ``robust`` (a summary.json of kind robust) or ``run``."""
    directory = Path(directory)
    if (directory / "sweep.json").is_file():
        return "sweep"
    if (directory / "comparison.csv").is_file():
        return "comparison"
    if (directory / "stress.csv").is_file():
        return "stress"
    summary = directory / "summary.json"
    if summary.is_file():
        try:
            settings = json.loads(summary.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            settings = None
        if isinstance(settings, dict) and settings.get("kind") == "robust":
            return "robust"
    return "run"


def write_report(
    directory: str | Path, out: str | Path | None = None, inputs: InputData | None = None, png: bool = True
) -> Path:
    """Write the report of the result in ``directory`` (default ``<directory>/report.html``) and, with
    ``png``, its PNGs (``figures/`` beside the report; without, PNGs an earlier report drew there are removed).

    The kind of report follows what the directory holds (:func:`report_kind`): a run, a sweep, or a
    comparison, stress test or robust run of portfolios. ``inputs`` should be the input tables the result
    was solved on: they give a run report's sources table, the restricted elements and each project's
    construction years; other inputs are ignored, with a note. ``png`` defaults to True here, as before;
    the command line draws PNGs only when asked (``--png``).
    """
    from ..store import check_complete, finish_interrupted_write

    finish_interrupted_write(directory)
    kind = report_kind(directory)
    if kind in ("comparison", "stress"):
        check_complete(directory)
    if kind == "sweep":
        from .sweep_html import write_sweep_report

        return write_sweep_report(directory, out, png)
    if kind in ("comparison", "stress", "robust"):
        from .portfolio_html import write_portfolio_report

        return write_portfolio_report(directory, out, kind, png)
    from .html import write_run_report

    return write_run_report(directory, out, inputs, png)


def report_after_run(directory: str | Path, inputs: InputData | None = None, png: bool = True) -> Path | None:
    """Write the report of a result just stored in ``directory`` (a run, sweep, comparison, stress test or
    robust run); on failure log a warning and return None.

    The result files are already written when this runs: a report that cannot be drawn must not turn a
    solved run into a failed command.
    """
    try:
        return write_report(directory, inputs=inputs, png=png)
    except Exception as error:  # whatever broke, the run's result must survive (see docstring)
        logger.warning("the result in %s is written, but its report failed: %s: %s", directory, type(error).__name__, error)
        return None
