"""Keep Chromium running and the screen on schedule, in one loop that sleeps until something happens.

The loop wakes on a signal (SIGCHLD when Chromium exits, SIGTERM/SIGINT to stop) through
`signal.set_wakeup_fd`, or when its timeout runs out: the restart backoff or the next blanking switch.
Nothing polls.
"""

from __future__ import annotations

import logging
import os
import select
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime

from kiosk_client.launcher.blanking import VIET_NAM, BlankRange, is_blank, next_switch
from kiosk_client.launcher.power import ScreenPower

log = logging.getLogger(__name__)

# A Raspberry Pi has no clock battery: its clock jumps when NTP first answers, so a long sleep
# computed from the old time is cut short and the schedule looked at again.
MAX_SCHEDULE_SLEEP = 300.0
# Timers may fire a hair early; waking just after the switch avoids a second, empty round.
SWITCH_MARGIN = 0.05
# SIGHUP too: a launcher run from a terminal that closes must not leave Chromium behind.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


@dataclass(frozen=True)
class RestartPolicy:
    """How long to wait before restarting Chromium, and how long to wait for it to stop."""

    first: float = 2.0
    cap: float = 60.0
    reset_after: float = 300.0  # a run this long counts as healthy: the next restart waits `first` again
    stop_timeout: float = 10.0


def next_delay(previous: float | None, ran_for: float, policy: RestartPolicy) -> float:
    """Return the wait before the next start: `first`, doubling on each quick exit up to `cap`."""
    if previous is None or ran_for >= policy.reset_after:
        return policy.first
    return min(previous * 2, policy.cap)


class Supervisor:
    """Runs `command` until stopped, restarting it with backoff, and drives the screen schedule."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        prepare: Callable[[], None] | None = None,
        ranges: Sequence[BlankRange] = (),
        screen: ScreenPower | None = None,
        policy: RestartPolicy | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(VIET_NAM),
    ):
        self.command = list(command)
        self.prepare = prepare
        self.ranges = tuple(ranges)
        self.screen = screen
        self.policy = policy or RestartPolicy()
        self.clock = clock
        self.restarts = 0
        self.stop_signal: signal.Signals | None = None
        self._process: subprocess.Popen | None = None
        self._started_at = 0.0
        self._delay: float | None = None
        self._stopping = False
        self._wake_w: int | None = None

    def run(self) -> int:
        """Return 0 once stopped by SIGTERM, SIGINT, SIGHUP or `stop()`, with Chromium stopped too."""
        with self._wakeups() as wake_r:
            if self.screen:
                self.screen.setup()
            start_at = time.monotonic()
            while not self._stopping:
                if self._process is not None and self._process.poll() is not None:
                    start_at = time.monotonic() + self._exited()
                if self._process is None and time.monotonic() >= start_at:
                    retry_in = self._start()
                    if retry_in is not None:
                        start_at = time.monotonic() + retry_in
                    continue  # it may have exited at once: look again before sleeping
                timeouts = [self._schedule_screen()]
                if self._process is None:
                    timeouts.append(start_at - time.monotonic())
                self._sleep(wake_r, min((t for t in timeouts if t is not None), default=None))
            self._stop_process()
            if self.screen and self.screen.blank:
                self.screen.apply(False)  # whoever stopped the kiosk wants to see the screen
        log.info("Launcher stopped%s", f" by {self.stop_signal.name}" if self.stop_signal else "")
        return 0

    def stop(self) -> None:
        """Ask the loop to stop Chromium and return (safe from another thread)."""
        self._stopping = True
        if self._wake_w is not None:
            with suppress(OSError):
                os.write(self._wake_w, b"\0")

    def _start(self) -> float | None:
        """Start Chromium; return None, or the seconds to wait before trying again if it could not start."""
        if self.prepare:
            try:
                self.prepare()
            except Exception:
                # A profile that cannot be tidied must still not keep the screen dark.
                log.exception("Could not prepare the Chromium profile; starting Chromium anyway")
        self._started_at = time.monotonic()
        try:
            # A session of its own: Ctrl+C in a terminal reaches the launcher only, which stops
            # Chromium in order, and its leftover helpers can be killed as one group.
            self._process = subprocess.Popen(self.command, start_new_session=True)  # noqa: S603 - argv built by chromium.py
        except OSError as error:
            self._delay = next_delay(self._delay, 0.0, self.policy)
            self.restarts += 1
            log.error("Could not start %s: %s; retry %d in %.0f s", self.command[0], error, self.restarts, self._delay)
            return self._delay
        log.info("Chromium started (pid %s)", self._process.pid)
        return None

    def _exited(self) -> float:
        """Forget the exited process and return the seconds to wait before starting it again."""
        process, self._process = self._process, None
        assert process is not None
        ran_for = time.monotonic() - self._started_at
        self._kill_group(process.pid)
        self._delay = next_delay(self._delay, ran_for, self.policy)
        self.restarts += 1
        code = process.returncode
        how = f"killed by {_signal_name(-code)}" if code < 0 else f"exited with code {code}"
        log.warning("Chromium %s after %.1f s; restart %d in %.0f s", how, ran_for, self.restarts, self._delay)
        return self._delay

    def _schedule_screen(self) -> float | None:
        """Switch the screen as the schedule says now; return the seconds until it must be looked at again."""
        if not (self.screen and self.ranges):
            return None
        now = self.clock()
        self.screen.apply(is_blank(now.time(), self.ranges))
        switch = next_switch(now, self.ranges)
        if switch is None:
            return None
        return min((switch - now).total_seconds() + SWITCH_MARGIN, MAX_SCHEDULE_SLEEP)

    def _sleep(self, wake_r: int, timeout: float | None) -> None:
        select.select([wake_r], [], [], None if timeout is None else max(timeout, 0.0))
        with suppress(BlockingIOError):
            while os.read(wake_r, 512):
                pass

    def _stop_process(self) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            return
        log.info("Stopping Chromium (pid %s)", process.pid)
        process.terminate()
        try:
            process.wait(timeout=self.policy.stop_timeout)
        except subprocess.TimeoutExpired:
            log.warning("Chromium did not stop within %.0f s; killing it", self.policy.stop_timeout)
            process.kill()
            process.wait()
        self._kill_group(process.pid)

    @staticmethod
    def _kill_group(pgid: int) -> None:
        # Helpers (renderer, GPU, zygote) orphaned by a crashed browser would otherwise linger.
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)

    def _on_signal(self, signum: int, _frame: object) -> None:
        # Only a flag: the loop wakes through the wakeup pipe and does the work (and the logging).
        if signum in STOP_SIGNALS:
            self.stop_signal = signal.Signals(signum)
            self._stopping = True

    @contextmanager
    def _wakeups(self) -> Iterator[int]:
        """Yield a pipe that receives a byte on every handled signal and on `stop()`."""
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_r, False)
        os.set_blocking(wake_w, False)
        previous_fd = signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (*STOP_SIGNALS, signal.SIGCHLD)}
        self._wake_w = wake_w
        try:
            yield wake_r
        finally:
            self._wake_w = None
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            signal.set_wakeup_fd(previous_fd)
            os.close(wake_r)
            os.close(wake_w)
