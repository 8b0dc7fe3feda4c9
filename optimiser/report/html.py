"""The self-contained ``report.html``: jinja2 templates, plotly charts and their script inlined.

A report is one HTML file that opens from disk with no network: styles and scripts are inline, each chart is
a plotly JSON spec in the page, and plotly.js itself (4.8 MB minified, more than the whole 5 MB report
budget) is embedded gzip-compressed and base64-encoded (2 MB) and unpacked in the browser with the standard
``DecompressionStream``. PNGs of the same figures (matplotlib) are written beside the page for slides when
asked for (``png=True``; ``--png`` on the command line): drawing them takes about twice as long as the whole
page, so matplotlib is imported only then (:func:`lazy_png`).

A report kind is a template (``templates/<kind>.html.j2``, extending ``base.html.j2``) plus a tuple of
:class:`FigureSpec`; ``RUN_FIGURES`` is the run report's. Sweep and comparison reports add their own.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import gzip
import importlib
import json
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import plotly
import plotly.io
from markupsafe import Markup

from .. import __version__
from ..errors import InputError, InputIssue
from . import data as rd
from . import interactive, style
from .marks import GENERATOR_MARK, PNG_MARK, carries_mark

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..inputs.data import InputData

logger = logging.getLogger(__name__)

REPORT_NAME = "report.html"
FIGURES_DIRECTORY = "figures"
PAGE_SUFFIXES = (".html", ".htm")
"""What a report's file name may end with: ``--out`` names the page, never a folder or another kind of file."""


@dataclass(frozen=True)
class FigureSpec:
    """One figure of a report: its PNG and interactive drawings and the words around them.

    Each callable takes the report's data object (a run's :class:`~optimiser.report.data.RunReport`, a
    sweep's or a portfolio set's).

    ``png`` draws the matplotlib figure; a kind's specs name it with :func:`lazy_png`, so that matplotlib is
    imported only when a PNG is drawn. ``interactive`` may return ``None``: the page then shows ``empty``
    (what the absence means) instead. ``available`` says whether the result has the tables the figure needs
    (most need an optimal plan).
    """

    key: str
    title: str
    caption: str
    png: Callable[[Any], Figure]
    interactive: Callable[[Any], object]
    empty: Callable[[Any], str]
    available: Callable[[Any], bool] = lambda report: report.has_plan


def lazy_png(module: str, name: str) -> Callable[[Any], Figure]:
    """The PNG drawing ``name`` of ``optimiser.report.<module>``, imported when first called: the modules that
    draw PNGs import matplotlib (half a second), which a report without PNGs never needs."""

    def draw(report: Any) -> Figure:
        return getattr(importlib.import_module(f".{module}", __package__), name)(report)

    draw.__name__ = draw.__qualname__ = name
    draw.__doc__ = f"optimiser.report.{module}.{name}, imported on first use."
    return draw


@dataclass
class Chart:
    """A figure as the template shows it: spec JSON for plotly (or a message), and its PNG's relative path
    (None when no PNG was drawn)."""

    key: str
    title: str
    caption: str
    spec: Markup | None
    message: str | None
    png: str | None


def _no_shortfall(report: rd.RunReport) -> str:
    caps = "; ".join(f"{text} in {first}-{last}" for first, last, text in rd.export_control_years(report))
    return (
        "No shortfall: every tonne of ROW demand is met at every stage in every year. "
        f"Export caps in this scenario: {caps or 'none'}."
    )


RUN_FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "dependence",
        "China dependence over time",
        "Share of ROW's requirement at each stage that is Chinese content (imports, and at mining the Chinese-mined "
        "share of what China separates for ROW), for all elements and for the export-controlled group. Dashed: "
        "no new builds (the same model with a zero budget); solid: with this plan.",
        lazy_png("figures", "dependence_figure"),
        interactive.dependence_chart,
        lambda report: report.status_words,
        available=lambda report: bool(rd.dependence_groups(report)),
    ),
    FigureSpec(
        "heatmap",
        "Dependence by element and year",
        "The plan's China dependence of each element at each stage. Restricted (export-controlled) elements are "
        "marked * and bold; grey cells have no requirement at that stage (dependence is undefined there).",
        lazy_png("figures", "heatmap_figure"),
        interactive.heatmap_chart,
        lambda report: report.status_words,
    ),
    FigureSpec(
        "timeline",
        "Build timeline",
        "Each funded build from its construction start (the decision) to its first output, coloured by stage "
        "(hatched: a project with two stages, in the colours of both), labelled with its capex. ×n: units of a "
        "generic module, or the fraction of a named project built.",
        lazy_png("figures", "timeline_figure"),
        interactive.timeline_chart,
        lambda report: "This plan funds no new project.",
    ),
    FigureSpec(
        "capex",
        "Capex by year and by country",
        "Capex drawn evenly over each build's construction years (the last build_years before first output; "
        "the years before are permitting), undiscounted, against the yearly cap; and capex per host country. "
        "ROW: generic modules, not sited.",
        lazy_png("figures", "capex_figure"),
        interactive.capex_chart,
        lambda report: "This plan funds no new project, so it draws no capex.",
    ),
    FigureSpec(
        "binding",
        "Binding stage",
        "For each element and year, the stage where ROW's own supply runs out: start at the most upstream stage "
        "where imports from China (or unmet demand) enter, and walk upstream while the stage above has nothing "
        "left over; grey: ROW imports none of the element and meets all its demand (docs/reports.md).",
        lazy_png("figures", "binding_figure"),
        interactive.binding_chart,
        lambda report: report.status_words,
    ),
    FigureSpec(
        "shortfall",
        "Shortfall where an export cap bites",
        "ROW demand left unmet (t REO-eq a year) by stage and element; shaded: years of an export cap.",
        lazy_png("figures", "shortfall_figure"),
        interactive.shortfall_chart,
        _no_shortfall,
    ),
)
"""The run report's figures, in page order."""


@functools.lru_cache(maxsize=1)
def plotly_payload() -> str:
    """plotly.js, gzip-compressed (fixed mtime: same bytes every time) and base64-encoded, for inlining; made
    once per process (a sweep's or the workbench's many reports share it). Level 6: 0.1 s faster than 9 for
    0.2 % more bytes."""
    from plotly.offline import get_plotlyjs

    packed = gzip.compress(get_plotlyjs().encode("utf-8"), compresslevel=6, mtime=0)
    return base64.b64encode(packed).decode("ascii")


@functools.lru_cache(maxsize=1)
def plotly_js_version() -> str:
    """The version of the plotly.js bundled with the plotly package (from its banner)."""
    from plotly.offline import get_plotlyjs

    head = get_plotlyjs()[:200]
    marker = "plotly.js v"
    if marker in head:
        return head.split(marker, 1)[1].split()[0]
    return f"bundled with plotly {plotly.__version__}"


def _script_json(value: object) -> Markup:
    """JSON safe inside a <script> element: every '<' escaped, so no '</script>' can end it early."""
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c"))


@functools.lru_cache(maxsize=4)
def template_environment(package: str) -> jinja2.Environment:
    """The templates of ``package`` (its ``templates/`` folder), HTML autoescaped, undefined names an error:
    the one configuration of every page the optimiser renders (reports and the workbench)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def environment() -> jinja2.Environment:
    """The report templates' environment."""
    return template_environment("optimiser.report")


def draw_charts(report: object, specs: tuple[FigureSpec, ...], figures_dir: Path, page_dir: Path, png: bool = True) -> list[Chart]:
    """Build each figure's chart and, with ``png``, write its PNG into ``figures_dir``; figures a result cannot
    have are left out. A PNG this report does not draw is removed if one is there (it would be of an earlier
    report, perhaps of other inputs): ``figures/`` holds the PNGs of the page beside it or none."""
    save_png = importlib.import_module(".figures", __package__).save_png if png else None
    charts = []
    for spec in specs:
        png_path = figures_dir / f"{spec.key}.png"
        if not spec.available(report) or save_png is None:
            png_path.unlink(missing_ok=True)
        if not spec.available(report):
            continue
        if save_png is not None:
            save_png(spec.png(report), png_path)
        drawn = spec.interactive(report)
        charts.append(
            Chart(
                key=spec.key,
                title=spec.title,
                caption=spec.caption,
                spec=None if drawn is None else _script_json(plotly.io.to_json(drawn, validate=False, pretty=False)),
                message=spec.empty(report) if drawn is None else None,
                png=Path(os.path.relpath(png_path, page_dir)).as_posix() if save_png is not None else None,
            )
        )
    return charts


def _headline(report: rd.RunReport) -> dict:
    summary = report.summary
    used = summary.get("budget_used_musd")
    budget = summary.get("budget_musd")
    return {
        "objective": summary.get("objective"),
        "objective_name": summary.get("objective_name"),
        "objective_unit": summary.get("objective_unit", "percentage points"),
        "budget_busd": None if budget is None else budget / 1000,
        "budget_used_busd": None if used is None else used / 1000,
        "budget_dual": summary.get("budget_dual"),
        "budget_dual_method": rd.DUAL_METHOD_WORDS.get(summary.get("budget_dual_method"), summary.get("budget_dual_method")),
        "year": (summary.get("headline") or {}).get("year"),
        "rows": rd.headline_rows(report),
        "china_share_years": (summary.get("china_world_share") or {}).get("years", []),
        "china_share_rows": rd.china_world_share_rows(report),
        "history": rd.history_span(report),
        "suppliers": rd.supplier_rows(report),
        "first_decision_year": summary.get("first_decision_year"),
    }


def render_page(template: str, out: Path, charts: list[Chart], source: Path, **context: object) -> Path:
    """Render ``templates/<template>`` with its charts into ``out`` (atomically): the one way every report
    kind writes its page. ``source`` is the result directory the page is drawn from (named in its footer,
    and in the command that draws the PNGs when the charts have none)."""
    needs_plotly = any(chart.spec is not None for chart in charts)
    page_context = {
        "charts": charts,
        "pngs": any(chart.png is not None for chart in charts),
        "source_directory": source,
        "generator": f"optimiser {__version__}",
        "plotly": {
            "payload": plotly_payload(),
            "version": plotly_js_version(),
            "config": _script_json(interactive.CONFIG),
        }
        if needs_plotly
        else None,
        **context,
    }
    html = environment().get_template(template).render(**page_context)
    _write_atomically(out, html)
    logger.info("wrote %s (%d bytes) with %d figures", out, len(html.encode("utf-8")), len(charts))
    return out


def _own_figures(figures_dir: Path, result_directory: Path) -> bool:
    """Whether ``figures_dir`` is the result directory's own ``figures/``, which only reports write."""
    return figures_dir.resolve() == (Path(result_directory) / FIGURES_DIRECTORY).resolve()


def check_report_target(out: Path, figures_dir: Path, pngs: list[str], result_directory: Path) -> None:
    """Refuse, before anything is written, a target that would replace or remove what we did not write.

    ``out`` must be an ``.html`` path: not a folder, not a file of another kind, and if it exists a page we
    wrote. ``figures_dir`` must be a folder (or not exist yet); outside the result directory's own ``figures/``
    each of ``pngs`` already there (each is replaced, or removed when no PNGs are drawn) must be a PNG we
    wrote. InputError (exit 2) naming the path otherwise.
    """

    def refuse(path: Path, message: str) -> None:
        raise InputError(InputIssue(str(path), f"{message}; nothing was written"))

    if out.is_dir():
        refuse(out, "is a folder: --out names the report's .html file (its PNGs go to figures/ beside it)")
    if out.suffix.lower() not in PAGE_SUFFIXES:
        refuse(out, "--out names the report's page and must end in .html")
    if out.exists() and not carries_mark(out, GENERATOR_MARK):
        refuse(out, "exists and is not a report optimiser wrote, so it is left as it is")
    for folder in (out.parent, figures_dir):
        if folder.exists() and not folder.is_dir():
            refuse(folder, "is not a folder")
    if _own_figures(figures_dir, result_directory):
        return
    for name in pngs:
        png = figures_dir / name
        if png.exists() and not carries_mark(png, PNG_MARK):
            refuse(png, "exists and is not a figure optimiser drew, so it is left as it is")


def render_report(
    report: Any,
    specs: tuple[FigureSpec, ...],
    template: str,
    out: Path,
    figures_dir: Path | None = None,
    png: bool = True,
    **context: object,
) -> Path:
    """Draw ``specs`` for ``report`` (with ``png``, PNGs into ``figures_dir``, default ``figures/`` beside
    ``out``) and render ``template`` with them into ``out``: the steps every report kind shares.
    ``report.directory`` is the result directory the page names. Nothing is written to a target
    :func:`check_report_target` refuses."""
    out = Path(out)
    figures_dir = Path(figures_dir) if figures_dir is not None else out.parent / FIGURES_DIRECTORY
    check_report_target(out, figures_dir, [f"{spec.key}.png" for spec in specs], report.directory)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # zlib lets go of the GIL: plotly.js is compressed on another core while the charts are drawn
        payload = pool.submit(plotly_payload)
        charts = draw_charts(report, specs, figures_dir, out.parent, png)
        payload.result()
    if not png and _own_figures(figures_dir, report.directory):
        with contextlib.suppress(OSError):  # not empty (a file of the user's), or already gone
            figures_dir.rmdir()
    return render_page(template, out, charts, report.directory, report=report, **context)


def render_run(report: rd.RunReport, out: Path, figures_dir: Path | None = None, png: bool = True) -> Path:
    """Write the run report of ``report`` to ``out`` (atomically) and, with ``png``, its PNGs to
    ``figures_dir``."""
    return render_report(
        report,
        RUN_FIGURES,
        "run.html.j2",
        out,
        figures_dir,
        png,
        summary=report.summary,
        scenario=report.summary.get("scenario", {}),
        headline=_headline(report),
        builds=rd.build_timeline(report),
        sources=rd.source_tables(report),
        stage_colours={s: style.stage_colour(s, report.stages) for s in report.stages},
    )


def _write_atomically(path: Path, text: str) -> None:
    """Write beside the target and rename: a reader never sees half a page (permissions follow the umask)."""
    from ..store import write_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def write_run_report(
    directory: str | Path, out: str | Path | None = None, inputs: InputData | None = None, png: bool = True
) -> Path:
    """Read a run result directory and write its report (default ``<directory>/report.html``) and, with
    ``png``, its PNGs (``figures/`` beside the report)."""
    report = rd.load_run(directory, inputs)
    target = Path(out) if out is not None else report.directory / REPORT_NAME
    return render_run(report, target, png=png)
