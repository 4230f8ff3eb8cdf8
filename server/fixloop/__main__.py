"""Entry point for `python -m fixloop`, identical to the `fixloop` console script."""

from fixloop.cli import main

raise SystemExit(main())
