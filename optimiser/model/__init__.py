"""The linear programme: structure and parameters, one module per constraint family, the objectives."""

from .build import build_model
from .parameters import ModelStructure, build_structure, mutable_values

__all__ = ["ModelStructure", "build_model", "build_structure", "mutable_values"]
