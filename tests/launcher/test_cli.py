"""The command line refuses what it cannot run, in Vietnamese and English."""

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk_client.launcher.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[2]


def test_a_missing_chromium_stops_with_a_clear_message(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk_client.launcher",
            "--server",
            "http://127.0.0.1:5000",
            "--chromium",
            str(tmp_path / "chromium"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert "Không tìm thấy trình duyệt Chromium" in done.stderr
    assert "Chromium not found" in done.stderr


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--server", "192.168.1.10:5000"], "http(s)://"),
        (["--server", "http://h", "--blank", "22h-6h"], "HH:MM-HH:MM"),
        (["--server", "http://h", "--timezone", "Asia/Hanoi-ish"], "không rõ múi giờ"),
        (["--server", "http://h", "--screen-off-cmd", "xset dpms force off"], "--screen-on-cmd"),
        (["--server", "http://h", "--screen-off-cmd", "echo 'unclosed", "--screen-on-cmd", "true"], "quotation"),
        ([], "--server"),
    ],
)
def test_bad_options_are_refused_with_the_reason(args, reason, capsys):
    with pytest.raises(SystemExit) as raised:
        main(args)
    assert raised.value.code == 2
    assert reason in capsys.readouterr().err


def test_blanking_follows_viet_nam_time_whatever_the_device_is_set_to():
    args = build_parser().parse_args(["--server", "http://h"])
    assert datetime(2026, 12, 31, 17, 30, tzinfo=UTC).astimezone(args.timezone).hour == 0  # 00:30 on 1 January there
    assert build_parser().parse_args(["--server", "http://h", "--timezone", "UTC"]).timezone.key == "UTC"
