"""Two server processes: /metrics adds up both (Prometheus multiprocess mode), and uptime follows a screen across them."""

from __future__ import annotations

import time
import urllib.request
from datetime import datetime

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import COMMUNE
from tests.scale.conftest import make_cluster, start_all

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def _scrape(server) -> dict[tuple[str, tuple], float]:
    with urllib.request.urlopen(f"{server.url}/metrics", timeout=10) as response:  # noqa: S310
        text = response.read().decode()
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def _value(samples: dict, name: str, **labels) -> float:
    return sum(value for (sample, found), value in samples.items()
               if sample == name and all(dict(found).get(k) == v for k, v in labels.items()))


def _wait(predicate, timeout: float = 20, message: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, message or "timed out"
        time.sleep(0.2)


def test_metrics_add_up_what_both_processes_counted(tmp_path, postgres_url, redis_url, screens):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    group = make_cluster(tmp_path, postgres_url, redis_url, extra_env={"PROMETHEUS_MULTIPROC_DIR": str(folder)})
    try:
        start_all(group.servers)
        a, b = group[0], group[1]
        _, token_a = a.provision("Màn hình A")
        _, token_b = a.provision("Màn hình B")
        on_a, on_b = screens(a.url, token_a, hello=True), screens(b.url, token_b, hello=True)
        on_a.emit("heartbeat", {"version": 1, "current_item": None, "uptime_s": 1})
        on_b.emit("heartbeat", {"version": 1, "current_item": None, "uptime_s": 1})
        for _ in range(3):
            urllib.request.urlopen(f"{b.url}/healthz", timeout=10).read()  # noqa: S310

        def both_seen() -> bool:
            samples = _scrape(a)
            return (_value(samples, "bangtin_kiosks_connected") == 2
                    and _value(samples, "bangtin_socket_events_total", event="heartbeat") == 2)

        _wait(both_seen, message=f"A's /metrics never added up B's screen: {_scrape(a)}")
        from_a, from_b = _scrape(a), _scrape(b)
        assert _value(from_a, "bangtin_socket_events_total", event="connect") == 2
        assert _value(from_a, "bangtin_http_requests_total", status="200") >= 3, "B's answers count on A"
        assert _value(from_b, "bangtin_kiosks_connected") == 2, "either process gives the whole picture"
        assert _value(from_a, "bangtin_kiosks") == 2  # read from the database, once, not once per process

        b.kill()  # a crash: B never says its screen is gone
        b.start()  # systemd restarts it; the new process clears what the dead one left
        _wait(lambda: _value(_scrape(a), "bangtin_kiosks_connected") == 1,
              message=f"the dead process's connection is still counted: {_scrape(a)}")
    finally:
        for server in group.servers:
            server.stop()


def test_a_screen_that_moves_to_the_other_process_shows_its_outage(cluster, screens):
    a, b = cluster[0], cluster[1]
    kiosk_id, token = a.provision()
    first = screens(a.url, token, hello=True)
    first.emit("heartbeat", {"version": 1, "current_item": None, "uptime_s": 1})

    def row() -> dict:
        status, body = b.api("GET", f"/api/v1/reports/uptime?unit={COMMUNE}")
        assert status == 200, body
        return next(k for k in body["kiosks"] if k["kiosk_id"] == kiosk_id)

    _wait(lambda: row()["first_connected"] is not None, message="the connection was never written")
    first.close()
    _wait(lambda: any(o["ongoing"] for o in row()["outages"]), message="the disconnect was never written")
    screens(b.url, token, hello=True)
    _wait(lambda: row()["outages"] and not row()["outages"][-1]["ongoing"], message="the reconnect was never written")

    [outage] = row()["outages"]
    assert datetime.fromisoformat(outage["start"]) < datetime.fromisoformat(outage["end"])
