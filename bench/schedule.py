"""Schedule benchmark: evaluating 5,000 notices at one instant, cold and warm weekly-pattern cache.

    .venv/bin/python -m bench.schedule
"""

from __future__ import annotations

import json
import statistics
import sys
import time as stopwatch
from datetime import datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk_server.domain import schedule
from kiosk_server.domain.schedule import VN, Item, Rules, evaluate


def items(n: int = 5000) -> list[Item]:
    """A realistic mix: many notices share office hours or weekdays, some have their own."""
    hour_choices = [(), ((time(7), time(11)), (time(13), time(17))), ((time(22), time(2)),), ((time(6), time(6)),)]
    start = datetime(2026, 11, 1, tzinfo=VN)
    out = []
    for i in range(n):
        priority = ("normal", "normal", "priority", "emergency")[i % 4] if i % 50 == 0 else ("normal", "priority")[i % 2]
        rules = Rules(
            starts_at=start + timedelta(hours=i % 700),
            ends_at=datetime(2026, 11, 22, tzinfo=VN) + timedelta(minutes=i * 7),
            days=frozenset(day for day in range(1, 8) if (i >> day) & 1),
            hours=hour_choices[i % len(hour_choices)] + (((time(i % 24), time((i * 5) % 24)),) if i % 3 else ()),
        )
        out.append(Item(f"n{i:04d}", priority, rules, 10.0, (i % 97,)))
    return out


def main() -> None:
    batch = items()
    now = datetime(2026, 11, 23, 12, tzinfo=VN)
    cold = []
    for _ in range(5):
        schedule._pattern.cache_clear()
        started = stopwatch.perf_counter()
        evaluate(batch, now)
        cold.append((stopwatch.perf_counter() - started) * 1000)
    warm = []
    for _ in range(20):
        started = stopwatch.perf_counter()
        evaluate(batch, now)
        warm.append((stopwatch.perf_counter() - started) * 1000)
    print(json.dumps({"items": len(batch), "cold_ms_median": round(statistics.median(cold), 1),
                      "warm_ms_median": round(statistics.median(warm), 1)}, indent=2))


if __name__ == "__main__":
    main()
