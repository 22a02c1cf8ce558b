"""What a connection knows about its screen: checked once on connect, never looked up again; revocation still bites."""

import pytest
from sqlalchemy import event, select

from kiosk_server.extensions import db, socketio
from kiosk_server.models import Kiosk
from kiosk_server.services.screens import kiosks, presence, uptime
from kiosk_server.sockets import kiosk as kiosk_ns
from tests.conftest import COMMUNE


def connect(app, token):
    return socketio.test_client(app, namespace="/kiosk", auth={"token": token})


@pytest.fixture
def statements(app):
    """Record every SQL statement the app sends while the test runs."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


@pytest.fixture
def batched(app, monkeypatch):
    """Presence kept until `presence.flush()`, as between two rounds of the production flusher."""
    app.config["PRESENCE_FLUSH_SECONDS"] = 3600
    monkeypatch.setattr(presence, "_start_flusher", lambda app, interval: None)
    monkeypatch.setattr(presence, "_reports", {})
    monkeypatch.setattr(uptime, "_heard", {})
    yield
    presence._reports.clear()


def test_heartbeat_ack_and_played_never_look_the_kiosk_up(app, statements, batched):
    _, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    screen = connect(app, token)
    statements.clear()

    screen.emit("heartbeat", {"version": 1, "current_item": "n3", "uptime_s": 60}, namespace="/kiosk")
    screen.emit("alert_ack", {"id": 999}, namespace="/kiosk", callback=True)
    screen.emit("played", [{"item": "n3", "started_at": "2026-11-22T08:00:00+07:00", "duration_s": 10}],
                namespace="/kiosk")

    assert statements, "the receipt and the play were looked for"
    assert not [s for s in statements if "kiosks" in s], statements


def test_revoked_screen_that_speaks_is_disconnected(app, officers):
    kiosk, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    screen = connect(app, token)
    screen.get_received("/kiosk")

    kiosks.revoke_kiosk(db.session.get(Kiosk, kiosk.id), officers["commune_admin"])

    assert {"name": "command", "args": [{"name": "reload"}], "namespace": "/kiosk"} in screen.get_received("/kiosk")
    screen.emit("heartbeat", {"version": 1}, namespace="/kiosk")
    assert not screen.is_connected("/kiosk")
    assert not connect(app, token).is_connected("/kiosk"), "and it cannot come back"


def test_silent_revoked_screen_is_swept_and_shown_offline(app, officers):
    kiosk, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    other_kiosk, other_token = kiosks.provision_kiosk("Nhà văn hóa", COMMUNE, actor="test")
    screen, other = connect(app, token), connect(app, other_token)

    kiosks.revoke_kiosk(db.session.get(Kiosk, kiosk.id), officers["commune_admin"])
    assert kiosk_ns.sweep_revoked() == 1

    assert not screen.is_connected("/kiosk")
    assert other.is_connected("/kiosk"), "only the revoked screen's sockets close"
    assert db.session.scalar(select(Kiosk.connected).where(Kiosk.id == kiosk.id)) is False
    assert db.session.scalar(select(Kiosk.connected).where(Kiosk.id == other_kiosk.id)) is True


def test_heartbeats_wait_for_the_flush_and_are_written_in_one_statement(app, client, auth, officers, statements,
                                                                        batched):
    auth.login("xa@example.vn")
    with app.app_context():
        watcher = socketio.test_client(app, namespace="/admin", flask_test_client=client)
    made = [kiosks.provision_kiosk(f"Màn hình {i}", COMMUNE, actor="test") for i in range(3)]
    screens = [connect(app, token) for _, token in made]
    for i, screen in enumerate(screens):
        screen.emit("heartbeat", {"version": 0, "current_item": f"n{i}", "uptime_s": 30}, namespace="/kiosk")
    assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE KIOSKS")], "nothing written yet"
    watcher.get_received("/admin")

    assert presence.flush() == 3

    updates = [s for s in statements if s.lstrip().upper().startswith("UPDATE KIOSKS")]
    assert len(updates) == 1
    db.session.expire_all()
    rows = db.session.scalars(select(Kiosk).where(Kiosk.id.in_([k.id for k, _ in made])).order_by(Kiosk.id)).all()
    assert [(k.connected, k.current_item, k.uptime_s, k.reported_version) for k in rows] == [
        (True, f"n{i}", 30, 0) for i in range(3)]
    batches = [e["args"][0] for e in watcher.get_received("/admin") if e["name"] == "kiosk_statuses"]
    assert len(batches) == 1, "one message per officers' room per flush"
    assert sorted(s["id"] for s in batches[0]) == sorted(k.id for k, _ in made)
    assert all(s["online"] for s in batches[0])

    for i, screen in enumerate(screens):
        screen.emit("heartbeat", {"version": 0, "current_item": f"n{i}", "uptime_s": 60}, namespace="/kiosk")
    screens[0].emit("heartbeat", {"version": 0, "current_item": "n9", "uptime_s": 60}, namespace="/kiosk")
    presence.flush()
    batches = [e["args"][0] for e in watcher.get_received("/admin") if e["name"] == "kiosk_statuses"]
    assert [[s["id"] for s in b] for b in batches] == [[made[0][0].id]], "only what officers see changed is sent"


def test_a_moved_screen_is_reconnected_into_its_new_communes_rooms(app, officers):
    """A screen moved to another commune must hear that commune's alerts, even if it ignores `reload`."""
    from kiosk_server.services.alerts import alerts

    neighbour = "02212"  # Phường Nông Tiến, same province
    kiosk, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    screen = connect(app, token)
    screen.get_received("/kiosk")

    kiosks.update_kiosk(db.session.get(Kiosk, kiosk.id), officers["province_admin"], unit_code=neighbour)
    screen.emit("heartbeat", {"version": 1}, namespace="/kiosk")  # an old player that did not reload
    assert not screen.is_connected("/kiosk"), "the connection that joined the old commune's rooms is closed"

    moved = connect(app, token)
    moved.get_received("/kiosk")
    alert = alerts.raise_alert({"headline": "Sạt lở đất", "hazard": "landslide", "level": 3,
                                "unit_codes": [neighbour], "expires_at": "2099-01-01T00:00:00+07:00"},
                               officers["province_admin"])
    shown = [e["args"][0]["id"] for e in moved.get_received("/kiosk") if e["name"] == "alert"]
    assert shown == [alert.id]
