"""Packages whose public names are imported on first use.

pandas, Pyomo, HiGHS, pyarrow, Dask and SciPy take about a second to load; a package that imported them
eagerly would make ``optimiser --help`` and ``validate`` wait for all of them. A package calls
:func:`lazy_exports` with its public names; each is imported from its module when first read.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Mapping


class _LazyPackage(types.ModuleType):
    """A package module whose public functions keep their names when a submodule of the same name is
    imported (``optimiser.solve`` the function beside ``optimiser/solve.py``; ``from optimiser.solve import
    ...`` still reaches the module through ``sys.modules``)."""

    _lazy_exports: Mapping[str, str] = {}

    def __setattr__(self, name: str, value: object) -> None:
        if name in self._lazy_exports and isinstance(value, types.ModuleType) and value.__name__.endswith(f".{name}"):
            return
        super().__setattr__(name, value)

    def __getattr__(self, name: str) -> object:
        exports = type(self)._lazy_exports
        if name not in exports:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(exports[name], self.__name__), name)
        super().__setattr__(name, value)
        return value


def lazy_exports(package: str, exports: Mapping[str, str]) -> list[str]:
    """Make the public names ``exports`` (name -> relative module) of ``package`` load on first use; returns
    the names for ``__all__``."""
    module = sys.modules[package]
    module.__class__ = type(f"{package}.LazyPackage", (_LazyPackage,), {"_lazy_exports": dict(exports)})
    return sorted(exports)
