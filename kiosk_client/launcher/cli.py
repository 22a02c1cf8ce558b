"""The command line: read the options, find Chromium, and hand everything to the supervisor."""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
from collections.abc import Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk_client.launcher.blanking import VIET_NAM, BlankRange, parse_range
from kiosk_client.launcher.chromium import ChromiumNotFound, chromium_command, find_chromium, is_snap, kiosk_url
from kiosk_client.launcher.power import ScreenCommands, ScreenPower, default_commands
from kiosk_client.launcher.profile import clear_stale_singleton, default_profile_dir, mark_exited_cleanly
from kiosk_client.launcher.supervisor import Supervisor

log = logging.getLogger("kiosk_client.launcher")

EXAMPLES = """\
ví dụ / examples:
  python3 -m kiosk_client.launcher --server http://192.168.1.10:5000
  python3 -m kiosk_client.launcher --server https://bangtin.example.gov.vn --blank 22:00-06:00 --blank 11:30-13:00
  python3 -m kiosk_client.launcher --server http://192.168.1.10:5000 \\
      --screen-off-cmd "wlr-randr --output HDMI-A-1 --off" --screen-on-cmd "wlr-randr --output HDMI-A-1 --on"

Giờ tắt màn hình là giờ Việt Nam, dù máy đặt múi giờ nào (--timezone để đổi).
Blanking times are Viet Nam time whatever the device's own time zone (--timezone to change).
"""


def _server_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(
            f"'{text}': cần địa chỉ http(s)://máy-chủ[:cổng] / expected an http(s)://host[:port] URL"
        )
    return text


def _blank_range(text: str) -> BlankRange:
    try:
        return parse_range(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _timezone(text: str) -> tzinfo:
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"'{text}': không rõ múi giờ / unknown time zone") from None


def _command(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"'{text}': {error}") from None


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the launcher's options."""
    parser = argparse.ArgumentParser(
        prog="python3 -m kiosk_client.launcher",
        description="Chạy Chromium toàn màn hình cho bảng tin điện tử. / Run Chromium as a bulletin-board kiosk.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--server", required=True, type=_server_url, help="server URL, e.g. http://192.168.1.10:5000")
    parser.add_argument(
        "--profile",
        type=Path,
        help="persistent Chromium profile (default ~/.local/share/bangtin-kiosk/profile; "
        "~/snap/chromium/common/bangtin-kiosk/profile for the snap)",
    )
    parser.add_argument(
        "--chromium",
        metavar="PATH",
        help="Chromium binary (default: the first of chromium, chromium-browser, /usr/bin/chromium, /snap/bin/chromium)",
    )
    parser.add_argument("--token", help="kiosk token (kt_...), for a screen provisioned without pairing")
    parser.add_argument(
        "--blank",
        action="append",
        default=[],
        type=_blank_range,
        metavar="HH:MM-HH:MM",
        help="screen off during this daily period, in --timezone; repeatable; may wrap past midnight",
    )
    parser.add_argument(
        "--timezone",
        type=_timezone,
        default=VIET_NAM,
        metavar="ZONE",
        help="time zone of the --blank periods (default Asia/Ho_Chi_Minh, whatever the device is set to)",
    )
    parser.add_argument("--screen-off-cmd", type=_command, metavar="CMD", help="command that switches the screen off")
    parser.add_argument("--screen-on-cmd", type=_command, metavar="CMD", help="command that switches the screen on")
    parser.add_argument(
        "--screen-setup-cmd",
        type=_command,
        metavar="CMD",
        help='command run once at start instead of the X11 default (xset s off; xset s noblank; xset dpms 0 0 0); "" for none',
    )
    parser.add_argument(
        "--extra-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="one more Chromium flag; repeatable; write it as --extra-arg=--flag",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debugging details")
    return parser


def screen_commands(args: argparse.Namespace) -> ScreenCommands | None:
    """Return the commands given on the command line, else those found for this display system.

    The found setup command (X11: no screen saver, no DPMS timeouts) runs even with commands of
    one's own or no schedule at all: a kiosk must never blank by itself by day.
    """
    found = default_commands()
    if args.screen_off_cmd and args.screen_on_cmd:
        # Found setup and environment (WAYLAND_DISPLAY from the socket) serve one's own commands too.
        chosen = ScreenCommands(
            off=args.screen_off_cmd, on=args.screen_on_cmd, setup=found.setup if found else [], env=found.env if found else {}
        )
    elif found:
        chosen = found
    else:
        return None
    if args.screen_setup_cmd is not None:
        setup = [args.screen_setup_cmd] if args.screen_setup_cmd else []
        chosen = ScreenCommands(off=chosen.off, on=chosen.on, setup=setup, env=chosen.env, source=chosen.source)
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    """Return the launcher's exit status: 0 when stopped by a signal, 2 on a usage or setup error."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if bool(args.screen_off_cmd) != bool(args.screen_on_cmd):
        parser.error("--screen-off-cmd và --screen-on-cmd phải đi cùng nhau / must be given together")
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        binary = find_chromium(args.chromium)
    except ChromiumNotFound as error:
        print(error, file=sys.stderr)
        return 2
    profile = args.profile or default_profile_dir(snap=is_snap(binary))
    profile = profile.expanduser().absolute()

    commands = screen_commands(args)
    if commands:
        log.info("Screen commands (%s): off %s, on %s", commands.source, shlex.join(commands.off), shlex.join(commands.on))
    elif args.blank:
        log.warning("No way to switch the screen off is known here; give --screen-off-cmd and --screen-on-cmd")

    def prepare() -> None:
        mark_exited_cleanly(profile)
        clear_stale_singleton(profile)

    command = chromium_command(binary, profile, kiosk_url(args.server, args.token), args.extra_arg)
    # The URL is left out: its fragment may hold the kiosk token, which has no place in a journal.
    log.info("Chromium command: %s <%s/kiosk>", shlex.join(command[:-1]), args.server.rstrip("/"))
    supervisor = Supervisor(
        command,
        prepare=prepare,
        ranges=args.blank,
        screen=ScreenPower(commands) if commands else None,
        clock=lambda: datetime.now(args.timezone),
    )
    log.info("Kiosk on %s, profile %s, blank %s", args.server, profile, ", ".join(map(str, args.blank)) or "never")
    return supervisor.run()
