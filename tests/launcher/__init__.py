"""Tests of the Chromium kiosk launcher."""

import os

import pytest

CHROMIUM = "/usr/bin/chromium"


def require_chromium() -> str:
    """Return Debian's Chromium; skip without it, loudly, except in CI where it must be installed."""
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: `apt-get install chromium` (see .ci/run)"
        if os.environ.get("CI"):
            pytest.fail(message + " and CI must run this test")
        pytest.skip(message)
    return CHROMIUM
