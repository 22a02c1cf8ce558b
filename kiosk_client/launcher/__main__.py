"""`python -m kiosk_client.launcher`: see cli.py for the options."""

from kiosk_client.launcher.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
