"""`optimiser serve` on the command line: bad arguments refused before anything starts, the hosts it answers,
and FastAPI and uvicorn loaded only by this command."""

from __future__ import annotations

import subprocess
import sys

from optimiser import cli
from optimiser.commands.serve import _allowed_hosts


def test_a_port_out_of_range_is_a_usage_error(capsys):
    assert cli.main(["serve", "--port", "70000"]) == 2
    assert "--port 70000" in capsys.readouterr().err


def test_the_hosts_answered_besides_the_local_ones():
    assert _allowed_hosts("127.0.0.1") == ()
    assert _allowed_hosts("localhost") == ()
    assert _allowed_hosts("192.168.1.20") == ("192.168.1.20",)
    assert _allowed_hosts("0.0.0.0") == ("*",)


def test_other_commands_do_not_load_the_web_framework():
    code = "import sys; from optimiser.cli import _parser; _parser(); print(sorted(m for m in ('fastapi', 'uvicorn', 'starlette') if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
