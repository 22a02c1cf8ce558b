"""Screen commands: chosen for the display system, run only on a change, and never fatal."""

import logging
import os
import sys

from kiosk_client.launcher.power import (
    VCGENCMD,
    ScreenCommands,
    ScreenPower,
    default_commands,
    run_command,
    wayland_commands,
    wayland_display,
    wayland_outputs,
    x11_commands,
)

WLR_RANDR = """\
HDMI-A-1 "Samsung Electric Company S24R35x H4ZR000000 (HDMI-A-1)"
  Make: Samsung Electric Company
  Enabled: yes
  Modes:
    1920x1080 px, 60.000000 Hz (preferred, current)
HDMI-A-2 "LG Electronics LG TV (HDMI-A-2)"
  Enabled: no
"""


def test_wayland_switches_every_output_listed_by_wlr_randr():
    outputs = wayland_outputs(WLR_RANDR)
    assert outputs == ["HDMI-A-1", "HDMI-A-2"]
    commands = wayland_commands(outputs, "wayland-1")
    assert commands.off == ["wlr-randr", "--output", "HDMI-A-1", "--off", "--output", "HDMI-A-2", "--off"]
    assert commands.on == ["wlr-randr", "--output", "HDMI-A-1", "--on", "--output", "HDMI-A-2", "--on"]
    assert commands.env == {"WAYLAND_DISPLAY": "wayland-1"}


def test_wayland_display_is_found_from_its_socket_when_not_exported(tmp_path):
    (tmp_path / "wayland-1").touch()
    (tmp_path / "wayland-1.lock").touch()
    assert wayland_display({"XDG_RUNTIME_DIR": str(tmp_path)}) == "wayland-1"
    assert wayland_display({"WAYLAND_DISPLAY": "wayland-0", "XDG_RUNTIME_DIR": str(tmp_path)}) == "wayland-0"
    assert wayland_display({"XDG_RUNTIME_DIR": str(tmp_path / "none")}) is None


def test_x11_turns_off_self_blanking_and_forces_dpms():
    commands = x11_commands()
    assert commands.off == ["xset", "dpms", "force", "off"]
    assert commands.on == ["xset", "dpms", "force", "on"]
    assert commands.setup == [["xset", "s", "off"], ["xset", "s", "noblank"], ["xset", "dpms", "0", "0", "0"]]


def test_without_a_display_only_a_raspberry_pi_has_commands(tmp_path):
    found = default_commands({"XDG_RUNTIME_DIR": str(tmp_path)})
    if os.path.exists(VCGENCMD):
        assert found is not None
        assert found.off == [VCGENCMD, "display_power", "0"]
    else:
        assert found is None


def test_screen_commands_run_once_per_change(tmp_path):
    off, on = tmp_path / "off", tmp_path / "on"
    screen = ScreenPower(
        ScreenCommands(off=["touch", str(off)], on=["touch", str(on)], setup=[["touch", str(tmp_path / "setup")]])
    )
    screen.setup()
    assert (tmp_path / "setup").exists()
    screen.apply(True)
    assert off.exists()
    off.unlink()
    screen.apply(True)
    assert not off.exists()
    screen.apply(False)
    assert on.exists()


def test_commands_get_their_environment(tmp_path):
    marker = tmp_path / "display"
    write_env = [sys.executable, "-c", f"import os; open({str(marker)!r}, 'w').write(os.environ['WAYLAND_DISPLAY'])"]
    assert run_command(write_env, {"WAYLAND_DISPLAY": "wayland-7"})
    assert marker.read_text() == "wayland-7"


def test_a_failing_command_is_logged_and_not_raised(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    assert not run_command(["sh", "-c", "echo no display >&2; exit 1"])
    assert not run_command([str(tmp_path / "missing-command")])
    messages = [record.getMessage() for record in caplog.records]
    assert "exited 1: no display" in messages[0]
    assert "missing-command" in messages[1]
    assert run_command([])
