"""``python -m msk``: the ``msk`` command."""

from msk.cli import main

raise SystemExit(main())
