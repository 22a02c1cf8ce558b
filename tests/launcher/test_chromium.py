"""The Chromium command line: which binary, which flags, which URL."""

import os
import stat
from pathlib import Path

import pytest

from kiosk_client.launcher.chromium import (
    ChromiumNotFound,
    chromium_command,
    find_chromium,
    is_snap,
    kiosk_url,
)
from tests.launcher import require_chromium


def _executable(path: Path, text: str = "#!/bin/sh\nexit 0\n") -> Path:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_kiosk_flags_keep_a_screen_free_of_dialogs_and_bubbles(tmp_path):
    argv = chromium_command("/usr/bin/chromium", tmp_path / "profile", "http://10.0.0.5:5000/kiosk")
    for flag in (
        "--kiosk",
        "--noerrdialogs",
        "--disable-infobars",
        "--disable-session-crashed-bubble",
        "--hide-crash-restore-bubble",
        "--autoplay-policy=no-user-gesture-required",
        "--no-first-run",
        "--disable-translate",
        "--disable-features=Translate,TranslateUI",
        "--check-for-update-interval=31536000",
        "--disable-pinch",
        "--overscroll-history-navigation=0",
        "--password-store=basic",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        assert flag in argv
    assert argv[0] == "/usr/bin/chromium"
    assert argv[-1] == "http://10.0.0.5:5000/kiosk"


def test_extra_flags_come_before_the_url_and_disabled_features_are_merged(tmp_path):
    argv = chromium_command(
        "chromium", tmp_path, "http://h/kiosk", ["--headless=new", "--disable-features=Translate,MediaRouter"]
    )
    assert argv[-2:] == ["--headless=new", "http://h/kiosk"]
    disabled = [arg for arg in argv if arg.startswith("--disable-features=")]
    assert disabled == ["--disable-features=Translate,TranslateUI,MediaRouter"]


@pytest.mark.parametrize(
    ("server", "token", "url"),
    [
        ("http://192.168.1.10:5000", None, "http://192.168.1.10:5000/kiosk"),
        ("https://bangtin.example.vn/", None, "https://bangtin.example.vn/kiosk"),
        ("http://192.168.1.10:5000", "kt_AbC-9_x", "http://192.168.1.10:5000/kiosk#token=kt_AbC-9_x"),
        ("http://h", "kt_a/b&c", "http://h/kiosk#token=kt_a%2Fb%26c"),
    ],
)
def test_kiosk_url_carries_the_token_in_the_fragment(server, token, url):
    assert kiosk_url(server, token) == url


def test_first_candidate_on_the_path_wins(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    browser = _executable(bin_dir / "chromium-browser")
    found = find_chromium(candidates=("chromium", "chromium-browser", str(tmp_path / "absent")), path=str(bin_dir))
    assert found == str(browser)


def test_an_absolute_candidate_is_found_without_the_path(tmp_path):
    browser = _executable(tmp_path / "chromium")
    assert find_chromium(candidates=("chromium", str(browser)), path=str(tmp_path / "empty")) == str(browser)


def test_debian_chromium_is_found_by_default():
    assert os.path.realpath(find_chromium()) == os.path.realpath(require_chromium())


def test_missing_chromium_says_so_in_vietnamese_and_english(tmp_path):
    with pytest.raises(ChromiumNotFound) as raised:
        find_chromium(candidates=("chromium", str(tmp_path / "chromium")), path=str(tmp_path))
    message = str(raised.value)
    assert "Không tìm thấy trình duyệt Chromium" in message
    assert "Chromium not found" in message
    assert "sudo apt install chromium" in message


def test_an_explicit_path_must_be_an_executable(tmp_path):
    not_executable = tmp_path / "chromium"
    not_executable.write_text("")
    with pytest.raises(ChromiumNotFound):
        find_chromium(str(not_executable))
    assert find_chromium(str(_executable(tmp_path / "chromium-browser"))) == str(tmp_path / "chromium-browser")


def test_ubuntu_transitional_script_counts_as_the_snap(tmp_path):
    wrapper = _executable(tmp_path / "chromium-browser", '#!/bin/sh\nexec /snap/bin/chromium "$@"\n')
    assert is_snap(str(wrapper))
    assert not is_snap("/usr/bin/chromium")
