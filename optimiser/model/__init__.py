"""The linear programme: structure and parameters, one module per constraint family, the objectives.

Names are imported on first use: :mod:`.parameters` loads no Pyomo, so readers of results (the reports)
that need only the structure do not wait for it.
"""

from ..lazy import lazy_exports

__all__ = lazy_exports(
    __name__,
    {
        "ModelStructure": ".parameters",
        "build_model": ".build",
        "build_structure": ".parameters",
        "mutable_values": ".parameters",
    },
)
