"""A screen that drops its connection and comes back shows that outage in the uptime report."""

from __future__ import annotations

from datetime import datetime

import pytest

from kiosk_server.extensions import socketio
from kiosk_server.services.screens import kiosks
from tests.conftest import COMMUNE, OTHER_COMMUNE, bearer

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)

URL = "/api/v1/reports/uptime"


def connect(app, token):
    screen = socketio.test_client(app, namespace="/kiosk", auth={"token": token})
    assert screen.is_connected("/kiosk")
    return screen


def _row(client, token, kiosk_id):
    response = client.get(URL, query_string={"unit": COMMUNE}, headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    return next(k for k in response.get_json()["kiosks"] if k["kiosk_id"] == kiosk_id)


def test_screen_that_disconnects_and_reconnects_shows_the_outage(app, client, tokens):
    kiosk, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    screen = connect(app, token)
    screen.emit("heartbeat", {"version": 1, "current_item": None, "uptime_s": 30}, namespace="/kiosk")
    assert _row(client, tokens["viewer"], kiosk.id)["outages"] == [], "connected since it was first seen"

    screen.disconnect(namespace="/kiosk")
    while_down = _row(client, tokens["viewer"], kiosk.id)
    assert len(while_down["outages"]) == 1 and while_down["outages"][0]["ongoing"] is True
    assert while_down["outages"][0]["end"] is None

    again = connect(app, token)
    again.emit("heartbeat", {"version": 1, "current_item": None, "uptime_s": 5}, namespace="/kiosk")
    row = _row(client, tokens["viewer"], kiosk.id)

    [outage] = row["outages"]
    assert outage["ongoing"] is False
    start, end = datetime.fromisoformat(outage["start"]), datetime.fromisoformat(outage["end"])
    assert datetime.fromisoformat(row["first_connected"]) < start < end
    assert 0 < row["share"] <= 1
    assert row["online_seconds"] > 0
    assert sum(day["online_seconds"] for day in row["days"]) == pytest.approx(row["online_seconds"], abs=0.01)


def test_uptime_of_a_unit_outside_the_callers_scope_is_not_found(client, tokens):
    response = client.get(URL, query_string={"unit": OTHER_COMMUNE}, headers=bearer(tokens["viewer"]))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_unit"
