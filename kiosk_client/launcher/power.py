"""The commands that switch the screen off and on, found for the display system in use, and running them.

Which command works depends on the display stack, not on the board:
- Wayland (Raspberry Pi OS Bookworm on Pi 4/5: wayfire, labwc): `wlr-randr --output NAME --off|--on`;
  xset only reaches Xwayland there and does nothing to the monitor.
- X11 (Debian, Ubuntu on Xorg, Raspberry Pi OS before Bookworm or with X11 chosen): DPMS through xset,
  after turning off the screen saver and DPMS timeouts so the screen never blanks by itself by day.
- No display server the launcher can see, on a Raspberry Pi: `vcgencmd display_power 0|1` (it only
  works with the firmware display driver, not with the KMS driver of Bookworm).
"""

from __future__ import annotations

import logging
import os
import shlex
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

VCGENCMD = "/usr/bin/vcgencmd"
COMMAND_TIMEOUT = 15.0


@dataclass(frozen=True)
class ScreenCommands:
    """Argv lists that switch the screen off and on, and those run once at start (maybe none)."""

    off: list[str]
    on: list[str]
    setup: list[list[str]] = field(default_factory=list)
    env: Mapping[str, str] = field(default_factory=dict)  # added to the launcher's own environment
    source: str = "custom"


def x11_commands() -> ScreenCommands:
    """Return the xset commands.

    `force on` enables DPMS again, so its timeouts are set to 0 (never) rather than DPMS disabled
    with `-dpms`: the screen would otherwise go dark by itself ten minutes after each wake-up.
    Separate commands, because xset drops every change of a command line that holds one it cannot do
    (`dpms` on a server without the extension).
    """
    return ScreenCommands(
        off=["xset", "dpms", "force", "off"],
        on=["xset", "dpms", "force", "on"],
        setup=[["xset", "s", "off"], ["xset", "s", "noblank"], ["xset", "dpms", "0", "0", "0"]],
        source="x11",
    )


def wayland_outputs(listing: str) -> list[str]:
    """Return the output names in the text `wlr-randr` prints (each output starts an unindented line)."""
    return [line.split()[0] for line in listing.splitlines() if line.strip() and not line[0].isspace()]


def wayland_commands(outputs: Sequence[str], display: str) -> ScreenCommands:
    """Return the wlr-randr commands that switch every output in `outputs` off and on."""

    def switch(state: str) -> list[str]:
        return ["wlr-randr"] + [arg for name in outputs for arg in ("--output", name, state)]

    return ScreenCommands(off=switch("--off"), on=switch("--on"), env={"WAYLAND_DISPLAY": display}, source="wayland")


def wayland_display(environ: Mapping[str, str]) -> str | None:
    """Return the Wayland display of this user's session, from the environment or its socket."""
    if environ.get("WAYLAND_DISPLAY"):
        return environ["WAYLAND_DISPLAY"]
    # A systemd user service started before the session exported its environment still sees the socket.
    runtime = Path(environ.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}")
    sockets = sorted(p.name for p in runtime.glob("wayland-*") if not p.name.endswith(".lock")) if runtime.is_dir() else []
    return sockets[0] if sockets else None


def default_commands(environ: Mapping[str, str] | None = None) -> ScreenCommands | None:
    """Return the screen commands for the display system in use, or None when none is known to work."""
    environ = os.environ if environ is None else environ
    display = wayland_display(environ)
    if display and shutil.which("wlr-randr"):
        listing = _output_of(["wlr-randr"], {"WAYLAND_DISPLAY": display})
        outputs = wayland_outputs(listing or "")
        if outputs:
            return wayland_commands(outputs, display)
        log.warning("wlr-randr lists no output on Wayland display %s", display)
    elif display:
        log.warning("Wayland session without wlr-randr: install it (sudo apt install wlr-randr) to blank the screen")
    if environ.get("DISPLAY") and shutil.which("xset") and not display:
        return x11_commands()
    if os.path.exists(VCGENCMD):
        return ScreenCommands(off=[VCGENCMD, "display_power", "0"], on=[VCGENCMD, "display_power", "1"], source="raspberry-pi")
    return None


def run_command(argv: Sequence[str], env: Mapping[str, str] | None = None) -> bool:
    """Return whether `argv` ran and exited 0; a failure is logged, never raised: the screen keeps playing."""
    if not argv:
        return True
    try:
        done = subprocess.run(  # noqa: S603 - the operator's own command, run without a shell
            list(argv),
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        log.warning("Screen command %s failed: %s", shlex.join(argv), error)
        return False
    if done.returncode != 0:
        log.warning("Screen command %s exited %s: %s", shlex.join(argv), done.returncode, done.stderr.strip())
        return False
    return True


def _output_of(argv: list[str], env: Mapping[str, str]) -> str | None:
    try:
        done = subprocess.run(  # noqa: S603 - fixed argv
            argv, env={**os.environ, **env}, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


class ScreenPower:
    """Switches the screen, running a command only when the wanted state differs from the last one set."""

    def __init__(self, commands: ScreenCommands):
        self.commands = commands
        self.blank: bool | None = None  # unknown until the first apply

    def setup(self) -> None:
        """Run the setup commands once, e.g. so X11 never blanks the screen by itself."""
        for argv in self.commands.setup:
            run_command(argv, self.commands.env)

    def apply(self, blank: bool) -> None:
        """Switch the screen off (`blank`) or on, if it is not already so."""
        if blank == self.blank:
            return
        log.info("Screen %s (%s)", "off" if blank else "on", self.commands.source)
        run_command(self.commands.off if blank else self.commands.on, self.commands.env)
        # Recorded even on failure: retrying a broken command every loop would not mend it.
        self.blank = blank
