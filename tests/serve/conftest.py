"""The workbench over the tiny data set (inputs copied to a temporary folder, with a small sweep file) and
an empty results folder, for the API tests."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    # Starlette 1.x would rather its TestClient ran on httpx2; it still runs on httpx, the test extra's client.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

import optimiser
from optimiser.serve.app import create_app

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny"

SWEEP = """name = "tiny_budget"
description = "budget 0-1 $B on the tiny data"

[base]
scenario = "../scenarios/base.toml"

[grid]
budget_busd = { start = 0.0, stop = 1.0, step = 0.25 }
"""


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("serve-inputs") / "inputs"
    shutil.copytree(TINY, folder)
    (folder / "sweeps").mkdir()
    (folder / "sweeps" / "tiny_budget.toml").write_text(SWEEP)
    return folder


@pytest.fixture(scope="module")
def data(inputs: Path):
    return optimiser.load_inputs(inputs)


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("serve-results") / "results"


@pytest.fixture(scope="module")
def client(inputs: Path, results: Path):
    app = create_app(inputs, results, prepare=False)
    with TestClient(app, base_url="http://127.0.0.1") as opened:
        yield opened


@pytest.fixture(scope="module")
def base_settings(inputs: Path) -> dict:
    return optimiser.Scenario.from_toml(inputs / "scenarios" / "base.toml").to_dict()
