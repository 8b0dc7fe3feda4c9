"""One module per CLI command, each with ``add_parser(subparsers)`` and ``execute(args) -> int``.

``optimiser.cli`` registers the modules listed in :data:`COMMANDS`; a new command is a new module here
and one line in that list.
"""

from . import alternatives, compare, evaluate, report, robust, run, serve, stress, sweep, validate

COMMANDS = [validate, run, compare, evaluate, stress, robust, alternatives, sweep, report, serve]
