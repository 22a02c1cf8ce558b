"""The /kiosk and /admin Socket.IO namespaces, through Flask-SocketIO's test client (real server code)."""

from sqlalchemy import select

from kiosk_server.extensions import db, socketio
from kiosk_server.models import Kiosk, PlayRecord
from kiosk_server.models.base import utcnow
from kiosk_server.services.screens import kiosks
from tests.conftest import COMMUNE
from tests.notice_helpers import publish


def connect(app, token):
    return socketio.test_client(app, namespace="/kiosk", auth={"token": token})


def watch(app, client):
    # A fresh app context, as every real connection has: the fixture's long-lived one would keep
    # Flask-Login's cached user between connection attempts.
    with app.app_context():
        return socketio.test_client(app, namespace="/admin", flask_test_client=client)


def events(client, name):
    return [e["args"][0] if e["args"] else None for e in client.get_received("/kiosk") if e["name"] == name]


def test_unknown_or_revoked_token_is_refused(app, officers):
    assert not connect(app, "kt_forged").is_connected("/kiosk")
    assert not socketio.test_client(app, namespace="/kiosk").is_connected("/kiosk")
    kiosk, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    kiosks.revoke_kiosk(kiosk, officers["commune_admin"])
    assert not connect(app, token).is_connected("/kiosk")


def test_stale_kiosk_is_told_its_manifest_changed(app, client, tokens):
    kiosk, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    publish(client, tokens)
    current = db.session.get(Kiosk, kiosk.id).manifest_version
    screen = connect(app, token)
    screen.emit("hello", {"version": 0}, namespace="/kiosk")
    assert events(screen, "manifest") == [{"version": current}]
    screen.emit("hello", {"version": current}, namespace="/kiosk")
    assert events(screen, "manifest") == [], "an up-to-date kiosk is left alone"


def test_publishing_reaches_the_connected_screen_once(app, client, tokens):
    _, token = kiosks.provision_kiosk("Một cửa", COMMUNE, ["Trụ sở"], actor="test")
    screen = connect(app, token)
    screen.get_received("/kiosk")
    publish(client, tokens)
    received = events(screen, "manifest")
    assert len(received) == 1, "one message per room, and this screen is in one targeted room"
    manifest = client.get("/kiosk/manifest", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert received[0]["version"] == manifest["version"]


def test_other_communes_screens_hear_nothing(app, client, tokens):
    _, token = kiosks.provision_kiosk("Nông Tiến", "02212", actor="test")
    screen = connect(app, token)
    screen.get_received("/kiosk")
    publish(client, tokens)
    assert events(screen, "manifest") == []


def test_heartbeat_and_disconnect_show_in_status(app, client, tokens):
    kiosk, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    screen = connect(app, token)
    screen.emit("heartbeat", {"version": 3, "current_item": "n7", "uptime_s": 3600}, namespace="/kiosk")
    state = client.get(f"/api/v1/kiosks/{kiosk.id}", headers={"Authorization": f"Bearer {tokens['viewer']}"}).get_json()
    assert (state["online"], state["current_item"], state["uptime_s"], state["reported_version"]) == (True, "n7", 3600, 3)
    screen.disconnect(namespace="/kiosk")
    state = client.get(f"/api/v1/kiosks/{kiosk.id}", headers={"Authorization": f"Bearer {tokens['viewer']}"}).get_json()
    assert state["online"] is False and state["last_seen"] is not None


def test_played_entries_are_recorded_and_junk_dropped(app, client, tokens):
    notice = publish(client, tokens)["id"]  # a play is kept only for an item sent to the screen
    kiosk, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    screen = connect(app, token)
    screen.emit("played", [
        {"item": f"n{notice}", "started_at": utcnow().isoformat(), "duration_s": 12.5},
        {"item": f"n{notice}", "started_at": "not a time", "duration_s": 3},
        {"item": f"n{notice}", "started_at": utcnow().isoformat(), "duration_s": -1},
        "junk",
    ], namespace="/kiosk")
    screen.emit("played", {"not": "a list"}, namespace="/kiosk")
    records = db.session.scalars(select(PlayRecord)).all()
    assert [(r.kiosk_id, r.notice_id, r.duration_s) for r in records] == [(kiosk.id, notice, 12.5)]


def test_admin_namespace_needs_a_signed_in_officer(app, client, auth, officers):
    assert not watch(app, client).is_connected("/admin")
    auth.login("xa@example.vn")
    watcher = watch(app, client)
    assert watcher.is_connected("/admin")
    kiosk, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    connect(app, token)
    statuses = [s for e in watcher.get_received("/admin") if e["name"] == "kiosk_statuses" for s in e["args"][0]]
    assert statuses and statuses[-1]["id"] == kiosk.id and statuses[-1]["online"] is True


def test_officers_of_other_provinces_do_not_see_the_screen(app, client, auth, officers):
    auth.login("caobang@example.vn")
    watcher = watch(app, client)
    assert watcher.is_connected("/admin")
    _, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    connect(app, token)
    assert [e for e in watcher.get_received("/admin") if e["name"] == "kiosk_statuses"] == []


def test_a_resent_batch_is_stored_once(app, client, tokens):
    notice = publish(client, tokens)["id"]
    _, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    screen = connect(app, token)
    batch = [{"item": f"n{notice}", "started_at": utcnow().isoformat(), "duration_s": 12.5}]
    screen.emit("played", batch, namespace="/kiosk")
    screen.emit("played", batch + batch, namespace="/kiosk")
    assert len(db.session.scalars(select(PlayRecord)).all()) == 1
