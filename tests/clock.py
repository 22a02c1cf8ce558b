"""The suite's clock: every test runs at a fixed instant on the edge of a Viet Nam day, never at the hour
the suite happens to run.

Officers count days in Viet Nam time (UTC+7), so the dangerous hours are 00:00–07:00 there, when the UTC
date is still yesterday, and the last minute of a day, a month, a year or 29 February. A test that took
the UTC date, or hard-coded a date that will one day pass, failed only when someone ran the suite at the
wrong hour; here it fails every time:

- Every test in this process runs under `time_machine.travel(instant, tick=True)`: the clock starts at
  the instant and moves on at the real rate (polling loops and timeouts still work). By default the
  instant is one of the 00:01 edges below, chosen by the test's id, so the UTC date is a day (and a
  month, and a year) behind the Viet Nam date and a test that mixes the two fails at once, always the
  same way.
- Modules about days (schedules, expiry, uptime, reports, plays, posting records, lunar dates, due work)
  say `pytestmark = pytest.mark.vn_days` and run at every edge.
- Tests that share the clock with another process (a server subprocess, nginx, Chromium, the launcher)
  cannot move that process's clock: `@pytest.mark.real_clock`, and every test under `tests/e2e` and
  `tests/scale` (read from the path, as parametrizing happens before any hook could add a marker).
  Browser tests that depend on dates move the page's clock with Playwright's `page.clock` instead.

`KIOSK_TEST_CLOCK=now` runs the suite on the real clock (to see whether a failure is the clock's);
`KIOSK_TEST_CLOCK=2031-06-30T17:01:00+00:00` runs every test at that instant instead (to find dates
written into tests that will one day pass).
"""

from __future__ import annotations

import os
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

# The edges, as UTC instants. Viet Nam is UTC+7 all year (no daylight saving).
EDGES = {
    # 23:59 on 31/12/2026 in Viet Nam: the last minute of a month and of a year.
    "vn-2359-31-12": datetime(2026, 12, 31, 16, 59, tzinfo=UTC),
    # 00:01 on 01/01/2027 in Viet Nam, while UTC is still 31/12/2026: another day, month and year.
    "vn-0001-01-01": datetime(2026, 12, 31, 17, 1, tzinfo=UTC),
    # 23:59 on 29/02/2028 in Viet Nam: the leap day, the last of its month.
    "vn-2359-29-02": datetime(2028, 2, 29, 16, 59, tzinfo=UTC),
    # 00:01 on 29/02/2028 in Viet Nam, while UTC is still 28/02.
    "vn-0001-29-02": datetime(2028, 2, 28, 17, 1, tzinfo=UTC),
}
# Where a test runs when its module is not about days: an instant whose UTC date is not Viet Nam's.
DEFAULT_EDGES = ("vn-0001-01-01", "vn-0001-29-02")

HERE = Path(__file__).parent
REAL_CLOCK_DIRS = (HERE / "e2e", HERE / "scale")


def pytest_configure(config):
    config.addinivalue_line("markers", "vn_days: about Viet Nam days; runs at every edge of tests/clock.py")
    config.addinivalue_line("markers", "real_clock: shares the clock with another process; runs on the real clock")


def _chosen_instant() -> datetime | None:
    chosen = os.environ.get("KIOSK_TEST_CLOCK", "")
    return datetime.fromisoformat(chosen) if chosen and chosen != "now" else None


def pytest_generate_tests(metafunc):
    if "vn_clock" in metafunc.fixturenames and metafunc.definition.get_closest_marker("vn_days") \
            and not _real_clock_wanted(metafunc.definition) and _chosen_instant() is None:
        metafunc.parametrize("vn_clock", list(EDGES), indirect=True)


def _real_clock_wanted(node) -> bool:
    return os.environ.get("KIOSK_TEST_CLOCK") == "now" or node.get_closest_marker("real_clock") is not None \
        or any(folder in Path(str(node.fspath)).parents for folder in REAL_CLOCK_DIRS)


def default_edge(nodeid: str) -> str:
    """Return the edge a test not about days runs at: the same one on every run and every machine."""
    return DEFAULT_EDGES[zlib.crc32(nodeid.encode()) % len(DEFAULT_EDGES)]


@pytest.fixture(autouse=True)
def vn_clock(request):
    """Run the test at its edge (see the module's docstring); yield the instant, or None on the real clock."""
    if _real_clock_wanted(request.node):
        yield None
        return
    name = getattr(request, "param", None) or default_edge(request.node.nodeid)
    instant = _chosen_instant() or EDGES[name]
    with time_machine.travel(instant, tick=True):
        yield instant
