"""Input tables: their schema, loading and validation, and the typed data set the model is built from."""

from .data import InputData
from .load import load_inputs

__all__ = ["InputData", "load_inputs"]
