"""Portfolios: read them, compare them, stress-test them, find robust and near-optimal ones.

Names are imported on first use (Pyomo is slow to load); ``MEASURES`` and ``MODES`` live in
:mod:`.choices`, which loads nothing, for the command line.
"""

from ..lazy import lazy_exports

__all__ = lazy_exports(
    __name__,
    {
        "Portfolio": ".portfolio",
        "StoredResult": ".result_dir",
        "alternatives": ".alternatives",
        "compare": ".compare",
        "evaluate": ".evaluate",
        "read_portfolio": ".portfolio",
        "read_result": ".result_dir",
        "robust": ".robust",
        "stress": ".stress",
    },
)
