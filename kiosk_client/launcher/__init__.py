"""Keep a Chromium kiosk on a screen: start it with kiosk flags, restart it, blank the screen at night.

`python -m kiosk_client.launcher --server URL` on the screen's own computer (Debian, Ubuntu,
Raspberry Pi OS). Standard library only, so the system Python runs it from a plain checkout.
"""
