"""Chromium is restarted with backoff when it dies, and stopped in order when the launcher is."""

import logging
import sys
import threading
import time

import pytest

from kiosk_client.launcher.supervisor import RestartPolicy, Supervisor, next_delay

POLICY = RestartPolicy()


def test_restart_waits_two_seconds_then_doubles_to_a_minute():
    delays, delay = [], None
    for _ in range(8):
        delay = next_delay(delay, 1.0, POLICY)
        delays.append(delay)
    assert delays == [2, 4, 8, 16, 32, 60, 60, 60]


def test_five_minutes_of_running_resets_the_backoff():
    assert next_delay(60, 299.0, POLICY) == 60
    assert next_delay(60, 300.0, POLICY) == 2
    assert next_delay(32, 3600.0, POLICY) == 2


def _wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail("timed out")
        time.sleep(0.02)


def test_a_crashing_program_is_restarted_with_growing_delays(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="kiosk_client.launcher")
    starts = tmp_path / "starts"
    prepared = []
    supervisor = Supervisor(
        ["sh", "-c", f"echo start >> {starts}; exit 3"],
        prepare=lambda: prepared.append(True),
        policy=RestartPolicy(first=0.05, cap=0.2, reset_after=30.0),
    )
    stopper = threading.Thread(
        target=lambda: (_wait_for(lambda: starts.exists() and len(starts.read_text().split()) >= 5), supervisor.stop())
    )
    stopper.start()
    began = time.monotonic()
    assert supervisor.run() == 0
    stopper.join()
    delays = [record.args[-1] for record in caplog.records if "restart" in record.msg]
    assert delays[:4] == [0.05, 0.1, 0.2, 0.2]
    assert "Chromium exited with code 3 after" in next(r.getMessage() for r in caplog.records if "restart" in r.msg)
    assert len(prepared) >= 5
    assert time.monotonic() - began >= 0.05 + 0.1 + 0.2 + 0.2


def test_stop_terminates_the_program_and_returns_zero(caplog):
    caplog.set_level(logging.INFO, logger="kiosk_client.launcher")
    supervisor = Supervisor([sys.executable, "-c", "import time; time.sleep(60)"])
    stopper = threading.Timer(0.5, supervisor.stop)
    stopper.start()
    began = time.monotonic()
    assert supervisor.run() == 0
    assert time.monotonic() - began < 5
    assert supervisor.restarts == 0
    assert any("Stopping Chromium" in record.getMessage() for record in caplog.records)


def test_a_program_that_ignores_sigterm_is_killed_after_the_timeout(tmp_path):
    ready = tmp_path / "ready"
    ignores = f"import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); open({str(ready)!r}, 'w'); time.sleep(60)"
    supervisor = Supervisor([sys.executable, "-c", ignores], policy=RestartPolicy(stop_timeout=0.5))
    stopped_at = []
    stopper = threading.Thread(target=lambda: (_wait_for(ready.exists), stopped_at.append(time.monotonic()), supervisor.stop()))
    stopper.start()
    assert supervisor.run() == 0
    stopper.join()
    assert 0.5 <= time.monotonic() - stopped_at[0] < 5
    assert supervisor.restarts == 0
