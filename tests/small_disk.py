"""A real full disk for tests: a small tmpfs mounted on a folder (CI runs as root).

Where mounting is refused (a laptop without root) the test is skipped with the reason, and fails under
CI, which must run it.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def small_disk(place: Path, size_bytes: int) -> Iterator[Path]:
    """Mount a tmpfs of `size_bytes` on `place` (created if missing), yield it, and unmount it afterwards."""
    place.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_bytes}", "tmpfs", str(place)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        message = f"cannot mount a tmpfs for a full disk: {mounted.stderr.strip()}"
        if os.environ.get("CI"):
            pytest.fail(message + " and CI must run it (as root)")
        pytest.skip(message)
    try:
        yield place
    finally:
        subprocess.run(["umount", "-l", str(place)], check=True)
