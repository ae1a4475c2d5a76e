"""``python -m guanxi.costs.engine SCENARIO.yaml …`` runs ``guanxi tco``."""

import sys

from guanxi.costs.engine.cli import main

sys.exit(main(sys.argv[1:]))
