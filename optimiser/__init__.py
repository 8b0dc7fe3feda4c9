"""Rare-earth diversification investment optimiser.

Chooses which non-Chinese mines, separation, metal, magnet and recycling plants to fund, and when, under a
capital budget and lead times, to minimise ROW dependence on China over a planning horizon.

    >>> import optimiser
    >>> data = optimiser.load_inputs("inputs")
    >>> scenario = optimiser.Scenario.from_toml("inputs/scenarios/base.toml")
    >>> result = optimiser.solve(data, scenario)
    >>> result.builds, result.dependence, result.flows

The names below are imported on first use (:mod:`optimiser.lazy`), so ``optimiser --help`` starts fast.
``optimiser.solve`` and ``optimiser.sweep`` are the functions; their modules are ``optimiser/solve.py`` and
the subpackage ``optimiser/sweep/``, reached with ``from optimiser.solve import ...``.
"""

from .lazy import lazy_exports

__version__ = "0.1.0"

__all__ = [
    "__version__",
    *lazy_exports(
        __name__,
        {
            "ExportControl": ".scenario",
            "InputData": ".inputs.data",
            "RunResult": ".runner",
            "Scenario": ".scenario",
            "alternatives": ".portfolios.alternatives",
            "compare": ".portfolios.compare",
            "evaluate": ".portfolios.evaluate",
            "load_inputs": ".inputs.load",
            "robust": ".portfolios.robust",
            "solve": ".runner",
            "stress": ".portfolios.stress",
            "sweep": ".sweep.api",
        },
    ),
]
