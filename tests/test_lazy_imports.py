"""The package loads its heavy dependencies on first use: `optimiser --help` starts without pandas or Pyomo,
and the public names are the functions they always were."""

from __future__ import annotations

import subprocess
import sys
import types

HEAVY = ("pandas", "pyomo", "highspy", "pyarrow", "dask", "scipy", "matplotlib", "plotly")


def _loaded_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_the_command_line_parser_loads_no_heavy_dependency():
    loaded = _loaded_after("import optimiser.cli\noptimiser.cli._parser().format_help()")
    assert loaded.isdisjoint(HEAVY), loaded & set(HEAVY)


def test_importing_the_package_loads_no_heavy_dependency():
    loaded = _loaded_after("import optimiser, optimiser.sweep, optimiser.portfolios, optimiser.inputs")
    assert loaded.isdisjoint(HEAVY), loaded & set(HEAVY)


def test_public_names_are_the_functions_even_after_their_modules_are_imported():
    import optimiser
    import optimiser.portfolios
    import optimiser.portfolios.robust
    import optimiser.runner
    import optimiser.solve
    import optimiser.sweep.api
    from optimiser.portfolios import robust
    from optimiser.runner import solve
    from optimiser.sweep.api import sweep

    assert optimiser.solve is solve and optimiser.sweep is sweep
    assert optimiser.portfolios.robust is robust
    assert isinstance(sys.modules["optimiser.solve"], types.ModuleType)
    for name in optimiser.__all__:
        assert getattr(optimiser, name) is not None
    for name in optimiser.portfolios.__all__:
        assert not isinstance(getattr(optimiser.portfolios, name), types.ModuleType), name


def test_an_unknown_name_is_an_attribute_error():
    import optimiser

    try:
        optimiser.no_such_name  # noqa: B018
    except AttributeError as error:
        assert "no_such_name" in str(error)
    else:
        raise AssertionError("expected AttributeError")
