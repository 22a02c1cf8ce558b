"""Find the Chromium binary of Debian, Ubuntu or Raspberry Pi OS and build its kiosk command line."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

# Debian and Raspberry Pi OS (Bookworm) name it chromium, older Raspberry Pi OS and Ubuntu's
# transitional package chromium-browser; the absolute paths cover a systemd PATH without them.
CANDIDATES = ("chromium", "chromium-browser", "/usr/bin/chromium", "/snap/bin/chromium")

KIOSK_FLAGS = (
    "--kiosk",
    "--noerrdialogs",
    "--disable-infobars",
    # Both: the first is what older builds read, the second what current ones do.
    "--disable-session-crashed-bubble",
    "--hide-crash-restore-bubble",
    "--autoplay-policy=no-user-gesture-required",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-translate",
    "--check-for-update-interval=31536000",
    "--disable-pinch",
    "--overscroll-history-navigation=0",
    "--password-store=basic",
    # Native Wayland on Raspberry Pi OS Bookworm (wayfire, labwc), X11 everywhere else.
    "--ozone-platform-hint=auto",
)
DISABLED_FEATURES = ("Translate", "TranslateUI")
DISABLE_FEATURES = "--disable-features="


class ChromiumNotFound(Exception):
    """No usable Chromium binary; the message says so in Vietnamese and English."""

    def __init__(self, tried: Sequence[str]):
        self.tried = tuple(tried)
        listed = ", ".join(self.tried)
        super().__init__(
            f"Không tìm thấy trình duyệt Chromium (đã thử: {listed}). "
            "Cài bằng `sudo apt install chromium` (Raspberry Pi OS cũ: chromium-browser) "
            "hoặc chỉ đường dẫn bằng --chromium.\n"
            f"Chromium not found (tried: {listed}). Install it with `sudo apt install chromium` "
            "(older Raspberry Pi OS: chromium-browser) or give its path with --chromium."
        )


def find_chromium(explicit: str | None = None, candidates: Sequence[str] = CANDIDATES, path: str | None = None) -> str:
    """Return the path of the Chromium to run: `explicit` if executable, else the first candidate found."""
    if explicit:
        if os.path.isfile(explicit) and os.access(explicit, os.X_OK):
            return os.path.abspath(explicit)
        raise ChromiumNotFound([explicit])
    for name in candidates:
        found = shutil.which(name, path=path)
        if found:
            return found
    raise ChromiumNotFound(candidates)


def is_snap(binary: str) -> bool:
    """Return whether `binary` is (or is a script that starts) the snap Chromium of Ubuntu."""
    if os.path.realpath(binary).startswith("/snap/"):
        return True
    try:
        with open(binary, "rb") as file:
            head = file.read(4096)
    except OSError:
        return False
    return head.startswith(b"#!") and b"/snap/bin/chromium" in head


def kiosk_url(server: str, token: str | None = None) -> str:
    """Return the player URL of `server`, with the kiosk token in the fragment (never sent over the network)."""
    url = server.rstrip("/") + "/kiosk"
    if token:
        url += "#token=" + quote(token, safe="")
    return url


def chromium_command(binary: str, profile_dir: Path, url: str, extra_args: Sequence[str] = ()) -> list[str]:
    """Return the argv that starts `binary` as a kiosk on `url` with a persistent profile.

    Chromium reads only the last `--disable-features=`, so one given in `extra_args` is merged into
    ours instead of silently switching translation back on.
    """
    disabled = list(DISABLED_FEATURES)
    others = []
    for arg in extra_args:
        if arg.startswith(DISABLE_FEATURES):
            disabled += [name for name in arg.removeprefix(DISABLE_FEATURES).split(",") if name and name not in disabled]
        else:
            others.append(arg)
    return [
        binary,
        *KIOSK_FLAGS,
        DISABLE_FEATURES + ",".join(disabled),
        f"--user-data-dir={profile_dir}",
        *others,
        url,
    ]
