"""Input tables: their schema, loading and validation, and the typed data set the model is built from.

``InputData`` and ``load_inputs`` are imported on first use (pandas is slow to load).
"""

from ..lazy import lazy_exports

__all__ = lazy_exports(__name__, {"InputData": ".data", "load_inputs": ".load"})
