"""The kiosk's persistent Chromium profile: where it lives and how it is made ready before each start.

The profile is kept across restarts because the player's service worker caches the media there:
a screen that reboots without network keeps playing. A crash or a power cut must not leave the
"restore pages?" bubble or a "profile in use" dialog on a screen nobody can click.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from pathlib import Path

log = logging.getLogger(__name__)

PREFERENCES = Path("Default") / "Preferences"
SINGLETON_FILES = ("SingletonLock", "SingletonSocket", "SingletonCookie")


def default_profile_dir(snap: bool = False, home: Path | None = None) -> Path:
    """Return the default profile folder; the snap Chromium may only write under ~/snap/chromium."""
    home = home or Path.home()
    if snap:
        return home / "snap" / "chromium" / "common" / "bangtin-kiosk" / "profile"
    return home / ".local" / "share" / "bangtin-kiosk" / "profile"


def mark_exited_cleanly(profile_dir: Path) -> Path:
    """Return the Preferences file after setting `profile.exited_cleanly` and `profile.exit_type: Normal`.

    Every other preference is kept. A file that is not a JSON object (truncated by a power cut,
    typically) cannot be kept anyway: it is moved aside to `Preferences.corrupt` and replaced by one
    holding just these keys, which Chromium completes on start.
    """
    path = profile_dir / PREFERENCES
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    prefs: dict = {}
    if path.exists():
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError):
            loaded = None
        if isinstance(loaded, dict):
            prefs = loaded
        else:
            log.warning("Chromium preferences %s were unreadable; kept as %s.corrupt and started afresh", path, path.name)
            os.replace(path, path.with_name(path.name + ".corrupt"))
    profile = prefs.get("profile")
    if not isinstance(profile, dict):
        profile = prefs["profile"] = {}
    profile["exited_cleanly"] = True
    profile["exit_type"] = "Normal"
    # Written beside and renamed, so a power cut now cannot leave a half-written file.
    partial = path.with_name(path.name + ".bangtin-tmp")
    partial.write_text(json.dumps(prefs, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    os.replace(partial, path)
    return path


def clear_stale_singleton(profile_dir: Path, hostname: str | None = None) -> bool:
    """Return whether a stale profile lock was removed.

    Chromium's `SingletonLock` points at `host-pid`. Chromium clears a lock of a dead process of the
    same host itself, but a lock from another host name (an SD card image cloned to many screens,
    a renamed device) stops it with a dialog. A lock of a live process is left alone.
    """
    lock = profile_dir / "SingletonLock"
    try:
        target = os.readlink(lock)
    except OSError:
        return False
    host, _, pid = target.rpartition("-")
    if host == (hostname or socket.gethostname()) and pid.isdigit() and _alive(int(pid)):
        return False
    for name in SINGLETON_FILES:
        try:
            (profile_dir / name).unlink()
        except FileNotFoundError:
            pass
    log.info("Removed the stale Chromium profile lock %s -> %s", lock, target)
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
