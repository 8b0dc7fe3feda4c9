"""Where a sweep runs: local workers capped at the cores, and Dask scheduler addresses checked before
connecting (a malformed or unreachable one is one line and exit 2, quickly, with nothing written)."""

from __future__ import annotations

import logging
import os
import socket
import time

import pandas as pd
import pytest

from optimiser.cli import main
from optimiser.errors import EXIT_BAD_INPUT, EXIT_OK, InputError
from optimiser.sweep import executors, sweep
from optimiser.sweep.executors import cap_workers, dask_address_problem

from .conftest import TINY

GRID = "[grid]\nbudget_busd = [0.1, 0.2]"


def test_workers_above_the_cores_are_capped(monkeypatch):
    monkeypatch.setattr(executors, "default_workers", lambda: 2)
    assert cap_workers(2) == (2, None)
    count, note = cap_workers(39)
    assert count == 2 and "39 workers asked for, but only 2 cores available: using 2 workers" == note


def test_cli_caps_workers_with_a_note(sweep_file, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(executors, "default_workers", lambda: 1)
    out = tmp_path / "out"
    arguments = ["sweep", str(sweep_file(GRID)), "--inputs", str(TINY), "--out", str(out), "--workers", "39", "--no-report"]
    assert main(arguments) == EXIT_OK
    assert "note: 39 workers asked for, but only 1 core available: using 1 worker" in capsys.readouterr().out
    workers = set(pd.read_parquet(out / "runs.parquet")["worker"])
    assert workers == {f"{socket.gethostname()}:{os.getpid()}"}, "one core: solved in this process, no pool of 39"


def test_library_caps_workers_with_a_warning(sweep_file, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(executors, "default_workers", lambda: 1)
    with caplog.at_level(logging.WARNING, logger="optimiser.sweep.api"):
        runs = sweep(sweep_file(GRID), inputs=TINY, out=tmp_path / "out", workers=39, progress=False)
    assert any("39 workers asked for" in record.getMessage() for record in caplog.records)
    assert runs["worker"].nunique() == 1


def test_default_workers_are_no_more_than_the_chains_of_work(sweep_file, tmp_path, monkeypatch):
    """Two cores, but two scenarios make one chain (``plan.MIN_CHAIN``): a second process would only build
    a model, so the sweep solves in this process."""
    from optimiser.sweep import api

    monkeypatch.setattr(executors, "default_workers", lambda: 2)
    monkeypatch.setattr(api, "default_workers", lambda: 2)
    runs = sweep(sweep_file(GRID), inputs=TINY, out=tmp_path / "out", progress=False)
    assert set(runs["worker"]) == {f"{socket.gethostname()}:{os.getpid()}"}


@pytest.mark.parametrize("address, words", [
    ("not an address", "expected [tcp://]host:port"),
    ("tcp://", "expected [tcp://]host:port"),
    ("tcp://host:notaport", "port must be a number"),
    ("tcp://host:0", "port must be a number"),
    ("tcp://host:70000", "port must be a number"),
    ("http://x:1", "unknown scheme 'http://'"),
    ("tcp://bad host:8786", "not a host name"),
])
def test_malformed_scheduler_address_is_one_line_exit_2(sweep_file, tmp_path, capsys, address, words):
    out = tmp_path / "out"
    started = time.monotonic()
    code = main(["sweep", str(sweep_file(GRID)), "--inputs", str(TINY), "--out", str(out), "--dask-scheduler", address])
    assert code == EXIT_BAD_INPUT and time.monotonic() - started < 10
    captured = capsys.readouterr()
    (line,) = captured.err.splitlines()
    assert line.startswith("error: --dask-scheduler:") and words in line and repr(address) in line
    assert "Traceback" not in captured.err and not out.exists()


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:8786", "127.0.0.1:8786", "tls://[::1]:8786", "ws://scheduler-1.lan:80"])
def test_well_formed_addresses_pass(address):
    assert dask_address_problem(address) is None


def test_library_checks_the_address_before_writing(sweep_file, tmp_path):
    with pytest.raises(InputError, match="not a scheduler address"):
        sweep(sweep_file(GRID), inputs=TINY, out=tmp_path / "out", dask_scheduler="tcp://", progress=False)
    assert not (tmp_path / "out").exists()


def test_unreachable_scheduler_fails_within_the_connect_timeout(sweep_file, tmp_path, monkeypatch, capsys):
    pytest.importorskip("distributed")
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(executors, "DASK_CONNECT_TIMEOUT_SECONDS", 1.0)
    out = tmp_path / "out"
    started = time.monotonic()
    code = main(["sweep", str(sweep_file(GRID)), "--inputs", str(TINY), "--out", str(out),
                 "--dask-scheduler", f"tcp://127.0.0.1:{port}"])
    assert code == EXIT_BAD_INPUT and time.monotonic() - started < 20
    captured = capsys.readouterr()
    (line,) = captured.err.splitlines()
    assert f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port} within 1 s" in line
    assert "Traceback" not in captured.err and not out.exists()
