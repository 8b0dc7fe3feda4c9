"""`python -m optimiser`: the same command line as `optimiser`."""

import sys

from .cli import main

sys.exit(main())
