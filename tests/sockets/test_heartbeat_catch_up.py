"""Nothing announced is lost (issue 21): a heartbeat catches a screen up on what a lost message should have told it."""

from datetime import timedelta

from sqlalchemy import update

from kiosk_server.extensions import db
from kiosk_server.models import Kiosk
from kiosk_server.models.base import utcnow
from kiosk_server.services.alerts import alerts
from kiosk_server.services.screens import kiosks
from tests.conftest import COMMUNE
from tests.sockets.test_kiosk_namespace import connect, events


def heartbeat(screen, version: int) -> None:
    screen.emit("heartbeat", {"version": version, "current_item": None, "uptime_s": 60}, namespace="/kiosk")


def raise_alert(actor):
    return alerts.raise_alert({"headline": "Cảnh báo lũ quét", "hazard": "flash_flood", "level": 4,
                               "unit_codes": [COMMUNE], "expires_at": (utcnow() + timedelta(hours=3)).isoformat()},
                              actor)


def test_screen_behind_is_sent_manifest_on_heartbeat_and_one_up_to_date_nothing(app):
    kiosk, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    screen = connect(app, token)
    held = db.session.get(Kiosk, kiosk.id).manifest_version
    heartbeat(screen, held)
    assert screen.get_received("/kiosk") == [], "an up-to-date screen is left alone"

    # A change whose `manifest` never reached the screen (the queue was away): only the row says so.
    db.session.execute(update(Kiosk).where(Kiosk.id == kiosk.id).values(manifest_version=Kiosk.manifest_version + 1))
    db.session.commit()
    heartbeat(screen, held)
    assert events(screen, "manifest") == [{"version": held + 1}]
    heartbeat(screen, held + 1)
    assert screen.get_received("/kiosk") == []


def test_active_alert_is_sent_again_on_heartbeat_until_acknowledged(app, officers):
    _, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    alert = raise_alert(officers["approver"])  # before the screen connected: it never got the message
    screen = connect(app, token)
    screen.get_received("/kiosk")

    heartbeat(screen, 0)
    assert [a["id"] for a in events(screen, "alert")] == [alert.id]
    assert screen.emit("alert_ack", {"id": alert.id}, namespace="/kiosk", callback=True) == {"ok": True}
    heartbeat(screen, 0)
    assert events(screen, "alert") == [], "an acknowledged alert is not sent again"


def test_cancelled_alert_is_not_sent_again(app, officers):
    _, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    alert = raise_alert(officers["approver"])
    screen = connect(app, token)
    heartbeat(screen, 0)  # this process now holds the alert as active
    alerts.cancel(alert, officers["approver"])
    screen.get_received("/kiosk")
    heartbeat(screen, 0)
    assert events(screen, "alert") == []
