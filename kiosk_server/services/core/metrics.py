"""Figures each server process counts for /metrics: requests, errors, screens' sockets, alert receipt delay.

With several processes (gunicorn workers or one systemd unit per port) each process counts its own
share. Set PROMETHEUS_MULTIPROC_DIR (a folder all processes of the host share, emptied at boot) and
prometheus_client keeps every process's figures in a file there; /metrics on any process then adds
up all of them (`web/public/metrics.py`). prometheus_client decides this when it is first imported,
so the variable belongs in the environment the processes start with, not in instance/config.py.

What each figure measures:
- `bangtin_http_requests_total{method,status}`: requests answered.
- `bangtin_errors_total{kind}`: `http_5xx` answers, `due_job` stored work that raised (it is
  retried), `background` periodic work that raised (presence flush, expiry sweep, uptime sweep).
- `bangtin_socket_events_total{event}`: events screens sent on /kiosk (connect, hello, heartbeat,
  played, alert_ack, disconnect); events per second is `rate()` of it.
- `bangtin_plays_refused_total{reason}`: play records screens sent that were not stored
  (services/reports/played.py): `not_sent` (an item never sent to that screen), `out_of_window`,
  `over_wall_time`, `malformed`, `rate_limited`.
- `bangtin_kiosks_connected`: screen connections the processes hold now (sum over live processes).
- `bangtin_alert_ack_seconds`: for each screen's first receipt of an alert, the time from the alert
  going out (stored, or its effective time if later) to the receipt being stored. It is the
  publish-to-screen delay of the emergency path, end to end, measured on the server's clock only. A
  screen that was offline acknowledges when it returns, so the slow buckets also count outages.
  Manifest updates are not timed: a screen reports the version it holds only with its next
  heartbeat (every 25 s), so that figure would measure the heartbeat period, not the delivery.
- `bangtin_gc_seconds_total{generation}`: time the garbage collector held the serving process (every
  greenlet waits meanwhile). With tens of thousands of objects per thousand connected screens a full
  collection is long; a rise of it with the number of screens shows in the alert latency.
"""

from __future__ import annotations

import gc
import os
import re
import time
from datetime import datetime
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# registry=None: each app registers these in its own registry (tests build many apps in one process).
HTTP_REQUESTS = Counter("bangtin_http_requests", "HTTP requests answered", ["method", "status"], registry=None)
ERRORS = Counter("bangtin_errors", "HTTP 5xx answers and failed background work", ["kind"], registry=None)
SOCKET_EVENTS = Counter("bangtin_socket_events", "Events received from screens on /kiosk", ["event"], registry=None)
PLAYS_REFUSED = Counter("bangtin_plays_refused", "Play records from screens that were not stored", ["reason"],
                        registry=None)
KIOSKS_CONNECTED = Gauge("bangtin_kiosks_connected", "Screen connections held by the server processes now",
                         registry=None, multiprocess_mode="livesum")
ALERT_ACK_SECONDS = Histogram(
    "bangtin_alert_ack_seconds", "Time from an alert going out to each screen's receipt being stored",
    buckets=(0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600, 6 * 3600), registry=None)
GC_SECONDS = Counter("bangtin_gc_seconds", "Time the garbage collector held a serving process", ["generation"],
                     registry=None)
PROCESS_METRICS = (HTTP_REQUESTS, ERRORS, SOCKET_EVENTS, PLAYS_REFUSED, KIOSKS_CONNECTED, ALERT_ACK_SECONDS, GC_SECONDS)

_LIVE_FILE = re.compile(r"gauge_live\w+?_(\d+)\.db$")


def multiprocess_dir() -> str | None:
    """Return the shared folder of multiprocess mode, or None when this process reports alone."""
    return os.environ.get(MULTIPROC_ENV) or None


def register(registry: CollectorRegistry) -> None:
    """Add this process's figures to `registry` (single-process mode)."""
    for metric in PROCESS_METRICS:
        registry.register(metric)


def error(kind: str) -> None:
    """Count one failure of `kind` (http_5xx, due_job, background)."""
    ERRORS.labels(kind).inc()


def socket_event(event: str) -> None:
    """Count one event received from a screen."""
    SOCKET_EVENTS.labels(event).inc()


def alert_acks_stored(went_out: datetime, stored_at: datetime, count: int) -> None:
    """Observe the delay of `count` screens' first receipts of an alert that went out at `went_out`."""
    delay = max(0.0, (stored_at - went_out).total_seconds())
    for _ in range(count):
        ALERT_ACK_SECONDS.observe(delay)


def starting_to_serve() -> None:
    """Reset what a serving process starts from: no connections, and no figures of processes that are gone.

    A process that died (a crash, an OOM kill) never said so: its "connections now" would be counted
    for ever, and a new process given its pid would start from its leftovers.
    """
    KIOSKS_CONNECTED.set(0)
    if _time_gc not in gc.callbacks:
        gc.callbacks.append(_time_gc)
    folder = multiprocess_dir()
    if not folder:
        return
    from prometheus_client import multiprocess

    for path in Path(folder).glob("gauge_live*.db"):
        match = _LIVE_FILE.search(path.name)
        if match and not _alive(int(match.group(1))):
            multiprocess.mark_process_dead(int(match.group(1)), folder)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


_gc_started = 0.0


def _time_gc(phase: str, info: dict) -> None:
    global _gc_started  # one collection at a time per process: the GIL is held during it
    if phase == "start":
        _gc_started = time.perf_counter()
    else:
        GC_SECONDS.labels(str(info.get("generation", "?"))).inc(time.perf_counter() - _gc_started)
