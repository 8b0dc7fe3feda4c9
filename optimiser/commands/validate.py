"""`optimiser validate`: check the inputs and a scenario, and build the model without solving."""

from __future__ import annotations

import argparse
import time

from ..errors import EXIT_OK
from .common import add_inputs_argument, add_scenario_argument, load

NAME = "validate"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(NAME, help="check the inputs and a scenario, and build the model without solving")
    add_inputs_argument(parser)
    add_scenario_argument(parser)


def execute(args: argparse.Namespace) -> int:
    import pyomo.environ as pyo

    from ..model import build_model
    from ..model.parameters import unmet_weight_warnings

    data, scenario = load(args.inputs, args.scenario)
    started = time.perf_counter()
    model, structure = build_model(data, scenario)
    seconds = time.perf_counter() - started
    rows = sum(1 for _ in model.component_data_objects(pyo.Constraint, active=True))
    columns = sum(1 for _ in model.component_data_objects(pyo.Var))
    print(f"inputs {args.inputs}: valid (sha256 {data.inputs_sha256[:12]})")
    print(f"scenario '{scenario.name}': valid")
    print(
        f"model built in {seconds:.2f} s: {rows} constraints, {columns} variables, "
        f"{len(structure.projects)} projects ({len(structure.buildable_projects)} buildable), "
        f"years {structure.first_year}-{structure.last_year}"
    )
    for warning in unmet_weight_warnings(data, scenario, structure):
        print(f"warning: {warning}")
    return EXIT_OK
