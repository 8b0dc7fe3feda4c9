"""Rare-earth diversification investment optimiser.

Chooses which non-Chinese mines, separation, metal, magnet and recycling plants to fund, and when, under a
capital budget and lead times, to minimise ROW dependence on China over a planning horizon.

    >>> import optimiser
    >>> data = optimiser.load_inputs("inputs")
    >>> scenario = optimiser.Scenario.from_toml("inputs/scenarios/base.toml")
    >>> result = optimiser.solve(data, scenario)
    >>> result.builds, result.dependence, result.flows
"""

__version__ = "0.1.0"

from .inputs import InputData, load_inputs
from .portfolios import alternatives, compare, evaluate, robust, stress
from .runner import RunResult, solve
from .scenario import ExportControl, Scenario
from .sweep import sweep

__all__ = [
    "ExportControl",
    "InputData",
    "RunResult",
    "Scenario",
    "__version__",
    "alternatives",
    "compare",
    "evaluate",
    "load_inputs",
    "robust",
    "solve",
    "stress",
    "sweep",
]
