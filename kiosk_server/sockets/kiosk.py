"""The /kiosk namespace: screens authenticate with their token, join their rooms and report."""

from __future__ import annotations

from flask import request
from flask_socketio import ConnectionRefusedError, Namespace, emit, join_room

from kiosk_server.extensions import db
from kiosk_server.models import Kiosk
from kiosk_server.services import alerts, kiosks, presence, receipts, targeting

# sid -> kiosk id, for this process's connections (a disconnect carries no auth).
_sessions: dict[str, int] = {}


def _kiosk() -> Kiosk | None:
    kiosk_id = _sessions.get(request.sid)
    kiosk = db.session.get(Kiosk, kiosk_id) if kiosk_id else None
    if kiosk is None or kiosk.revoked:
        return None
    return kiosk


class KioskNamespace(Namespace):
    def on_connect(self, auth=None):
        token = auth.get("token") if isinstance(auth, dict) else None
        kiosk = kiosks.kiosk_for_token(token if isinstance(token, str) else "")
        if kiosk is None:
            raise ConnectionRefusedError("unknown or revoked kiosk token")
        _sessions[request.sid] = kiosk.id
        for room in targeting.rooms_of(kiosk):
            join_room(room)
        presence.connected(kiosk)

    def on_disconnect(self, reason=None):
        kiosk_id = _sessions.pop(request.sid, None)
        if kiosk_id:
            presence.disconnected(kiosk_id)

    def on_hello(self, data=None):
        kiosk = _kiosk()
        if kiosk is None:
            return
        version = data.get("version") if isinstance(data, dict) else None
        presence.connected(kiosk, version if isinstance(version, int) and not isinstance(version, bool) else None)
        if version != kiosk.manifest_version:
            emit("manifest", {"version": kiosk.manifest_version})
        for alert in alerts.active_for_kiosk(kiosk):
            emit("alert", alert)

    def on_heartbeat(self, data=None):
        kiosk = _kiosk()
        if kiosk is None or not isinstance(data, dict):
            return
        presence.heartbeat(kiosk, data.get("version"), data.get("current_item"), data.get("uptime_s"))

    def on_alert_ack(self, data=None):
        """Store a receipt; the answer tells the screen whether it is stored (else it sends it again)."""
        kiosk = _kiosk()
        if kiosk is None or not isinstance(data, dict):
            return {"ok": False}
        kiosk_id, unit_code = kiosk.id, kiosk.unit_code
        db.session.commit()  # end the lookup's transaction: the receipt may wait for its batch
        return {"ok": receipts.record_ack(data.get("id"), kiosk_id, unit_code)}

    def on_played(self, data=None):
        kiosk = _kiosk()
        if kiosk is not None:
            presence.record_played(kiosk, data)

