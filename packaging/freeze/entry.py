"""Entry point of the frozen build: the same ``klasgenoot`` command as the wheel's."""

from app.cli import main

raise SystemExit(main())
