"""Allow ``python -m kiosk``."""

from kiosk.cli import main

main()
