"""One look for every report figure: colours per stage and per element, units, and shared labels.

Every figure, PNG or interactive, takes its colours from here, so a stage or an element has the same colour
everywhere. Palettes are colour-blind safe: stages use Okabe & Ito's palette (Color Universal Design,
https://jfly.uni-koeln.de/color/), elements Paul Tol's discrete rainbow for eleven colours (Tol, "Colour
Schemes", SRON/EPS/TN/09-002, figure 18), dependence the ColorBrewer YlOrBr sequential scale, which both
matplotlib and plotly ship.

Names from the inputs reach every figure as plain text through the two helpers at the top: matplotlib draws
under :data:`MATPLOTLIB_PLAIN_TEXT`, plotly labels go through :func:`plotly_text`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Plain text --------------------------------------------------------------------------------------------------

MATPLOTLIB_PLAIN_TEXT: dict[str, object] = {"text.parse_math": False, "text.usetex": False}
"""matplotlib settings under which every text is drawn as typed: no mathtext (``$...$``), no LaTeX.

Names come from the inputs (project ids, countries, elements, portfolios): a project id ``a$^{$b`` would
otherwise be parsed as mathtext and stop the figure, and ``a$b$c`` drawn with an italic *b*. No report text is
meant as mathtext, so parsing is turned off rather than ``$`` escaped at each call. Both the drawing
(:func:`optimiser.report.figures.styled`) and the saving (:func:`optimiser.report.figures.save_png`) run under
these settings: matplotlib makes some tick labels only when the figure is drawn."""

_PLOTLY_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "%": "&#37;"}
_PLOTLY_SPECIAL = re.compile("[&<>%]")


def plotly_text(text: object) -> str:
    """``text`` as plotly shows it literally, for any label, title, tick, hover or legend text from the inputs.

    plotly reads ``<b>``, ``<br>``, ``<span>`` and other tags, ``&...;`` entities, and in hover and text
    templates ``%{...}`` placeholders: ``&``, ``<``, ``>`` and ``%`` become entities, which plotly turns back into
    the characters when it draws them. Our own markup (``<b>`` round a restricted element, ``<br>`` in hover
    text) is added around the escaped name, never inside it.
    """
    return _PLOTLY_SPECIAL.sub(lambda match: _PLOTLY_ESCAPES[match.group()], str(text))


def plotly_texts(texts: Iterable[object]) -> list[str]:
    """:func:`plotly_text` of each of ``texts`` (subplot titles, category values, tick labels)."""
    return [plotly_text(text) for text in texts]


STAGE_COLOURS: dict[str, str] = {
    "mining": "#E69F00",
    "separation": "#56B4E9",
    "metal": "#009E73",
    "magnet": "#CC79A7",
}
"""Okabe-Ito orange, sky blue, bluish green and reddish purple for the four default stages."""

EXTRA_STAGE_COLOURS: tuple[str, ...] = ("#0072B2", "#D55E00", "#F0E442", "#000000")
"""The rest of Okabe-Ito, for stages a data set adds (in stage order)."""

ELEMENT_COLOURS: dict[str, str] = {
    "La": "#882E72",
    "Ce": "#1965B0",
    "Pr": "#5289C7",
    "Nd": "#7BAFDE",
    "Sm": "#4EB265",
    "Gd": "#CAE0AB",
    "Tb": "#F7F056",
    "Dy": "#F4A736",
    "Lu": "#E8601C",
    "Y": "#DC050C",
    "Sc": "#72190E",
}
"""Tol's discrete rainbow (11 colours: indices 9, 10, 12, 14, 15, 17, 18, 21, 24, 26, 28) in the default
element order, fixed per element so that a data set with fewer elements keeps the same colours."""

EXTRA_ELEMENT_COLOURS: tuple[str, ...] = (
    "#332288", "#117733", "#44AA99", "#88CCEE", "#DDCC77", "#CC6677", "#AA4499", "#882255", "#999933",
)
"""Tol's muted palette, for elements outside the default eleven (in element order)."""

SELF_SUFFICIENT_COLOUR = "#DDDDDD"
"""Binding-stage cells where ROW imports nothing and nothing is unmet (Tol's pale grey)."""

EXPORT_CAP_COLOUR = "#E8E8E8"
HISTORY_COLOUR = "#F3EBD3"
"""Shading of the history years (before the first decision year) in the dependence charts."""
"""Background band over the years an export cap is in force."""

NO_REQUIREMENT_COLOUR = "#BBBBBB"
"""Heatmap cells where dependence is undefined (no requirement): grey, outside the YlOrBr scale."""

EDGE_COLOUR = "#333333"
"""Thin outlines that keep pale bars (Gd, Tb) visible on white."""

DEPENDENCE_SCALE = "YlOrBr"
"""Sequential scale for dependence (0-100 %): darker is more dependent on China."""

BASELINE_DASH = "dash"
"""plotly line style of the no-new-builds baseline (the plan is solid)."""

BASELINE_LINESTYLE = (0, (4, 2))
"""The same dashes in matplotlib's terms."""

GRID_COLOUR = "#E5E5E5"
"""Light gridlines behind values, in every figure."""

PERCENT_AXIS = "China dependence (% of ROW requirement)"
CAPEX_AXIS = "Capex (US$ million)"
FLOW_AXIS = "t REO-eq per year"
YEAR_AXIS = "Year"

RESTRICTED_MARK = "*"
"""Appended to restricted (export-controlled) elements in axis labels."""

GROUP_TITLES: dict[str, str] = {"all": "All elements", "restricted": "Restricted elements"}


def _colour(name: str, names: list[str], fixed: dict[str, str], extra_palette: list[str] | tuple[str, ...]) -> str:
    """``fixed[name]``, else the next colour of ``extra_palette`` in the order of the names without one."""
    if name in fixed:
        return fixed[name]
    extra = [other for other in names if other not in fixed]
    index = extra.index(name) if name in extra else len(extra)
    return extra_palette[index % len(extra_palette)]


def stage_colour(stage: str, stages: list[str]) -> str:
    """The colour of ``stage``; stages outside the default four take the rest of Okabe-Ito in order."""
    return _colour(stage, stages, STAGE_COLOURS, EXTRA_STAGE_COLOURS)


def element_colour(element: str, elements: list[str]) -> str:
    """The colour of ``element``; elements outside the default eleven take Tol's muted palette in order."""
    return _colour(element, elements, ELEMENT_COLOURS, EXTRA_ELEMENT_COLOURS)


def binding_categories(stages: list[str], self_sufficient: str) -> tuple[list[str], list[str], dict[str, int]]:
    """The categories of the binding-stage figures (each stage, then self-sufficient), their colours, and
    each category's code in the colour scale."""
    categories = [*stages, self_sufficient]
    colours = [stage_colour(stage, stages) for stage in stages] + [SELF_SUFFICIENT_COLOUR]
    return categories, colours, {category: i for i, category in enumerate(categories)}


@dataclass(frozen=True)
class CategoryStyle:
    """How a build's stage category is drawn: fill colour, and for a multi-stage project a hatch in the
    colour of its last stage (so ``mining+separation`` shows both stage colours)."""

    label: str
    fill: str
    hatch_colour: str | None

    @property
    def hatched(self) -> bool:
        return self.hatch_colour is not None


def category_style(category: str, stages: list[str]) -> CategoryStyle:
    """Style of a build's stage category (``builds.csv`` ``stage``: one stage or several joined by ``+``)."""
    parts = category.split("+")
    fill = stage_colour(parts[0], stages)
    hatch = stage_colour(parts[-1], stages) if len(parts) > 1 else None
    return CategoryStyle(category, fill, hatch)


def category_order(categories: list[str], stages: list[str]) -> list[str]:
    """Stage categories in chain order: by first stage, then single stages before combinations."""

    def key(category: str) -> tuple[int, int, str]:
        parts = category.split("+")
        first = stages.index(parts[0]) if parts[0] in stages else len(stages)
        return first, len(parts), category

    return sorted(dict.fromkeys(categories), key=key)


def element_label(element: str, restricted: list[str] | None) -> str:
    """An element's axis label, marked when it is export-controlled."""
    return f"{element}{RESTRICTED_MARK}" if restricted and element in restricted else element


def musd(value: float) -> str:
    """US$ million as a short label: $385M, $3.35B."""
    if abs(value) >= 1000:
        return f"${value / 1000:.2f}B"
    if abs(value) >= 10:
        return f"${value:.0f}M"
    return f"${value:.1f}M"


PORTFOLIO_COLOURS: tuple[str, ...] = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB")
"""Paul Tol's bright qualitative palette (colour-blind safe), one colour per portfolio in the order listed;
an eighth portfolio starts the palette again."""


def portfolio_colour(name: str, names: list[str]) -> str:
    """The colour of portfolio ``name`` among ``names`` (the order of the comparison, stress or robust run)."""
    index = names.index(name) if name in names else len(names)
    return PORTFOLIO_COLOURS[index % len(PORTFOLIO_COLOURS)]


REFERENCE_BUDGET_BAND_BUSD: tuple[float, float] = (13.0, 18.0)
"""The source report's estimate of what new processing capacity outside China costs, US$13-18B (MODEL.md,
"The question"): shaded on every budget axis so a planner sees where the policy debate sits."""

BUDGET_AXIS = "Budget (US$ billion)"
DUAL_AXIS = "Budget dual (points per extra US$1B)"
OBJECTIVE_AXIS = "Objective (weighted dependence, points)"


def series_colour(index: int) -> str:
    """The colour of the ``index``-th line of a figure whose lines are neither stages, elements nor
    portfolios (a sweep's frontier per lead-time shift, say): Tol's bright palette in order."""
    return PORTFOLIO_COLOURS[index % len(PORTFOLIO_COLOURS)]


OBJECTIVE_SCALE = "YlOrBr"
"""Sequential scale for the objective in a sweep's heatmap: darker is more dependent, as for dependence."""

FAN_ALPHAS: tuple[float, float] = (0.22, 0.45)
"""Opacity of the fan chart's outer (5-95 %) and inner (25-75 %) bands, over the stage's colour."""
