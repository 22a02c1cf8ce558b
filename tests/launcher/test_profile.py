"""Before each start the profile says Chromium exited cleanly, so no "restore pages" bubble shows."""

import json
import os
import subprocess

from kiosk_client.launcher.profile import clear_stale_singleton, default_profile_dir, mark_exited_cleanly


def _prefs(profile):
    return json.loads((profile / "Default" / "Preferences").read_text(encoding="utf-8"))


def test_missing_preferences_are_created(tmp_path):
    mark_exited_cleanly(tmp_path / "profile")
    assert _prefs(tmp_path / "profile") == {"profile": {"exited_cleanly": True, "exit_type": "Normal"}}


def test_a_crash_is_rewritten_as_a_clean_exit_and_nothing_else_changes(tmp_path):
    prefs_file = tmp_path / "Default" / "Preferences"
    prefs_file.parent.mkdir()
    before = {
        "profile": {"exited_cleanly": False, "exit_type": "Crashed", "name": "Người dùng 1"},
        "intl": {"accept_languages": "vi,en"},
    }
    prefs_file.write_text(json.dumps(before), encoding="utf-8")
    mark_exited_cleanly(tmp_path)
    assert _prefs(tmp_path) == {
        "profile": {"exited_cleanly": True, "exit_type": "Normal", "name": "Người dùng 1"},
        "intl": {"accept_languages": "vi,en"},
    }
    assert sorted(p.name for p in prefs_file.parent.iterdir()) == ["Preferences"]


def test_a_corrupt_file_is_kept_aside_and_replaced(tmp_path):
    prefs_file = tmp_path / "Default" / "Preferences"
    prefs_file.parent.mkdir()
    truncated = b'{"profile":{"exit_type":"Crashed","exited_cleanly":fa\x00\x00'
    prefs_file.write_bytes(truncated)
    mark_exited_cleanly(tmp_path)
    assert _prefs(tmp_path) == {"profile": {"exited_cleanly": True, "exit_type": "Normal"}}
    assert (prefs_file.parent / "Preferences.corrupt").read_bytes() == truncated


def test_a_profile_key_of_the_wrong_shape_is_replaced(tmp_path):
    prefs_file = tmp_path / "Default" / "Preferences"
    prefs_file.parent.mkdir()
    prefs_file.write_text('{"profile": "oops", "browser": {"x": 1}}')
    mark_exited_cleanly(tmp_path)
    assert _prefs(tmp_path) == {"profile": {"exited_cleanly": True, "exit_type": "Normal"}, "browser": {"x": 1}}


def test_a_json_array_is_corrupt_too(tmp_path):
    prefs_file = tmp_path / "Default" / "Preferences"
    prefs_file.parent.mkdir()
    prefs_file.write_text("[1, 2]")
    mark_exited_cleanly(tmp_path)
    assert _prefs(tmp_path)["profile"]["exit_type"] == "Normal"


def test_default_profile_is_persistent_and_snap_compatible(tmp_path):
    assert default_profile_dir(home=tmp_path) == tmp_path / ".local/share/bangtin-kiosk/profile"
    assert default_profile_dir(snap=True, home=tmp_path) == tmp_path / "snap/chromium/common/bangtin-kiosk/profile"


def _lock(profile, target):
    for name in ("SingletonLock", "SingletonSocket", "SingletonCookie"):
        os.symlink(target if name == "SingletonLock" else "/tmp/nowhere", profile / name)


def test_a_lock_from_another_host_is_removed(tmp_path):
    _lock(tmp_path, f"image-builder-{os.getpid()}")
    assert clear_stale_singleton(tmp_path, hostname="ubnd-xa-minh-xuan")
    assert list(tmp_path.iterdir()) == []


def test_a_lock_of_a_dead_process_is_removed(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    _lock(tmp_path, f"ubnd-xa-minh-xuan-{dead.pid}")
    assert clear_stale_singleton(tmp_path, hostname="ubnd-xa-minh-xuan")
    assert not (tmp_path / "SingletonLock").is_symlink()


def test_a_lock_of_a_live_process_is_kept(tmp_path):
    _lock(tmp_path, f"ubnd-xa-minh-xuan-{os.getpid()}")
    assert not clear_stale_singleton(tmp_path, hostname="ubnd-xa-minh-xuan")
    assert (tmp_path / "SingletonLock").is_symlink()
    assert not clear_stale_singleton(tmp_path / "no-lock-here")
