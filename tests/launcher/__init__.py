"""Tests of the Chromium kiosk launcher."""
