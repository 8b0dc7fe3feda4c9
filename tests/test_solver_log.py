"""`-v` shows HiGHS's own log (issue 14: the MIP gap and branch-and-bound progress of integer builds must be
visible); without it the solver stays silent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

TINY = Path(__file__).resolve().parent / "data" / "tiny"


@pytest.mark.parametrize("verbose", [True, False])
def test_the_solver_log_shows_only_with_verbose(tmp_path, verbose):
    command = [sys.executable, "-m", "optimiser", *(["-v"] if verbose else []), "run", "--inputs", str(TINY),
               "--scenario", str(TINY / "scenarios" / "base.toml"), "--out", str(tmp_path / "run"), "--no-report"]
    completed = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert completed.returncode == 0, completed.stderr
    shown = "Model status" in completed.stdout + completed.stderr
    assert shown == verbose
