"""/metrics in one process: screens' sockets and events, 5xx answers, failed background work, alert receipt delay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kiosk_server.extensions import socketio
from kiosk_server.models.base import utcnow
from kiosk_server.services.alerts import alerts
from kiosk_server.services.core import due
from kiosk_server.services.screens import kiosks
from tests.conftest import COMMUNE


def _scrape(client) -> dict:
    text = client.get("/metrics").get_data(as_text=True)
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def _value(samples: dict, name: str, **labels) -> float:
    return sum(v for (n, found), v in samples.items() if n == name and all(dict(found).get(k) == x
                                                                           for k, x in labels.items()))


def test_screens_sockets_and_their_events_are_counted(app, client):
    _, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    before = _scrape(client)

    screen = socketio.test_client(app, namespace="/kiosk", auth={"token": token})
    screen.emit("heartbeat", {"version": 1}, namespace="/kiosk")
    screen.emit("heartbeat", {"version": 1}, namespace="/kiosk")
    screen.emit("no_such_event", {}, namespace="/kiosk")
    during = _scrape(client)
    screen.disconnect(namespace="/kiosk")
    after = _scrape(client)

    def grew(samples, name, **labels):
        return _value(samples, name, **labels) - _value(before, name, **labels)

    assert grew(during, "bangtin_kiosks_connected") == 1 and grew(after, "bangtin_kiosks_connected") == 0
    assert grew(during, "bangtin_socket_events_total", event="heartbeat") == 2
    assert grew(after, "bangtin_socket_events_total", event="disconnect") == 1
    assert not [k for k in during if dict(k[1]).get("event") == "no_such_event"], "unknown names make no series"


@pytest.mark.fresh_app  # adds a route, which an app that has served requests no longer takes
def test_server_errors_and_failed_background_work_are_counted(app, client):
    @app.get("/_boom")
    def boom():
        raise RuntimeError("a bug")

    before = _scrape(client)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/_boom").status_code == 500

    @due.handler("test_fails")
    def fails(payload):
        raise RuntimeError("the work failed")

    due.schedule("test_fails", {})
    from kiosk_server.extensions import db

    db.session.commit()
    due.run_due()
    after = _scrape(client)
    assert _value(after, "bangtin_errors_total", kind="http_5xx") - _value(before, "bangtin_errors_total", kind="http_5xx") == 1
    assert _value(after, "bangtin_errors_total", kind="due_job") - _value(before, "bangtin_errors_total", kind="due_job") == 1


def test_alert_receipt_delay_is_observed_once_per_screen(app, client, officers):
    _, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    screen = socketio.test_client(app, namespace="/kiosk", auth={"token": token})
    expires = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    alert = alerts.raise_alert({"headline": "Lũ quét", "hazard": "flood", "level": 4, "unit_codes": [COMMUNE],
                                "expires_at": expires}, officers["approver"])
    before = _scrape(client)

    assert screen.emit("alert_ack", {"id": alert.id}, namespace="/kiosk", callback=True) == {"ok": True}
    assert screen.emit("alert_ack", {"id": alert.id}, namespace="/kiosk", callback=True) == {"ok": True}

    after = _scrape(client)
    grew = {name: _value(after, name) - _value(before, name)
            for name in ("bangtin_alert_ack_seconds_count", "bangtin_alert_ack_seconds_sum")}
    assert grew["bangtin_alert_ack_seconds_count"] == 1, "a resent receipt is not a second screen"
    assert 0 <= grew["bangtin_alert_ack_seconds_sum"] <= (utcnow() - alert.created_at).total_seconds()
