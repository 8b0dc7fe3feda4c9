"""Portfolios: read them, compare them, stress-test them, find robust and near-optimal ones."""

from .alternatives import alternatives
from .compare import compare
from .evaluate import evaluate
from .portfolio import Portfolio, read_portfolio
from .result_dir import StoredResult, read_result
from .robust import robust
from .stress import stress

__all__ = [
    "Portfolio",
    "StoredResult",
    "alternatives",
    "compare",
    "evaluate",
    "read_portfolio",
    "read_result",
    "robust",
    "stress",
]
