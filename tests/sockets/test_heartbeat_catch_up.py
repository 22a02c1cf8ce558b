"""Nothing announced is lost (issue 21): a heartbeat catches a screen up on what a lost message should have told it."""

from datetime import timedelta

from sqlalchemy import event, update

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


def test_heartbeats_of_screens_that_acknowledged_cost_no_query_about_alerts(app, officers):
    """Issue 22: with an alert over 10,000 screens, a query per heartbeat was 400 queries a second."""
    tokens = [kiosks.provision_kiosk(f"Màn hình {n}", COMMUNE, actor="test")[1] for n in range(3)]
    alert = raise_alert(officers["approver"])
    screens = [connect(app, token) for token in tokens]
    for screen in screens:
        assert screen.emit("alert_ack", {"id": alert.id}, namespace="/kiosk", callback=True) == {"ok": True}
    app.extensions.pop("active_alerts", None)  # as after ACTIVE_ALERTS_TTL_S: the next heartbeat reads again

    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if "alert" in statement.lower():
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        heartbeat(screens[0], 0)
        refresh = len(statements)
        for _ in range(5):
            for screen in screens:
                heartbeat(screen, 0)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert refresh == 2, statements  # the active alerts and their receipts, once per process and TTL
    assert len(statements) == refresh, f"heartbeats of screens that acknowledged queried: {statements[refresh:]}"
    assert all(events(screen, "alert") == [] for screen in screens)


def test_an_alert_whose_process_died_before_sending_it_is_sent_by_the_due_work_loop(app, officers, monkeypatch):
    """Issue 22: the officer's request hands the sending to a background task; the stored job outlives it."""
    from kiosk_server.extensions import socketio
    from kiosk_server.services.core import due

    _, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    screen = connect(app, token)
    screen.get_received("/kiosk")
    app.config["ALERT_SEND_IN_BACKGROUND"] = True
    handed: list[tuple] = []
    monkeypatch.setattr(socketio, "start_background_task", lambda *args: handed.append(args))  # dies before it runs
    alert = raise_alert(officers["approver"])
    assert len(handed) == 1 and events(screen, "alert") == [], "the request sent the alert itself"

    assert due.run_due() == 1  # any process's loop, DUE_POLL_SECONDS later
    assert [a["id"] for a in events(screen, "alert")] == [alert.id]
    assert due.pending(alerts.SEND_JOB) == []


def test_a_cancel_whose_process_died_before_withdrawing_it_is_done_by_the_due_work_loop(app, officers, monkeypatch):
    """The cancel's request, too, answers once the cancellation and its withdrawal job are stored."""
    from kiosk_server.extensions import socketio
    from kiosk_server.services.core import due

    _, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    screen = connect(app, token)
    alert = raise_alert(officers["approver"])
    screen.get_received("/kiosk")
    app.config["ALERT_SEND_IN_BACKGROUND"] = True
    handed: list[tuple] = []
    monkeypatch.setattr(socketio, "start_background_task", lambda *args: handed.append(args))  # dies before it runs
    alerts.cancel(alert, officers["approver"])
    assert len(handed) == 1 and events(screen, "alert_cancel") == [], "the request withdrew the alert itself"

    assert due.run_due() == 1
    assert events(screen, "alert_cancel") == [{"id": alert.id}]
    assert due.pending(alerts.WITHDRAW_JOB) == []
