"""Screens' live status kept per process and written in batches, by several processes on the same rows."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from kiosk_server.extensions import db
from kiosk_server.models import Kiosk
from kiosk_server.models.base import utcnow
from kiosk_server.services.screens import kiosks, presence
from tests.conftest import COMMUNE

ROOMS = presence.admin_rooms([COMMUNE])


@pytest.fixture
def batched(app, monkeypatch):
    app.config["PRESENCE_FLUSH_SECONDS"] = 3600
    monkeypatch.setattr(presence, "_start_flusher", lambda app, interval: None)
    monkeypatch.setattr(presence, "_reports", {})


def _row(kiosk_id: int) -> Kiosk:
    db.session.expire_all()
    return db.session.scalar(select(Kiosk).where(Kiosk.id == kiosk_id))


def test_later_reports_of_a_screen_add_up_before_the_flush(app, batched):
    kiosk, _ = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    presence.connected(kiosk.id, ROOMS)
    presence.hello(kiosk.id, ROOMS, 4)
    presence.heartbeat(kiosk.id, ROOMS, None, "n2", 90)
    assert _row(kiosk.id).connected is False, "kept in the process until the flush"

    assert presence.flush() == 1

    row = _row(kiosk.id)
    assert (row.connected, row.reported_version, row.current_item, row.uptime_s) == (True, 4, "n2", 90)
    assert presence.flush() == 0


def test_a_flush_never_moves_last_seen_back_over_a_manifest_fetch(app, batched):
    kiosk, _ = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    presence.heartbeat(kiosk.id, ROOMS, 2, "n1", 30)
    fetched_at = utcnow() + timedelta(seconds=2)  # the screen fetched its manifest after the heartbeat
    db.session.execute(update(Kiosk).where(Kiosk.id == kiosk.id).values(last_seen=fetched_at))
    db.session.commit()

    presence.flush()

    row = _row(kiosk.id)
    assert row.last_seen == fetched_at
    assert (row.connected, row.current_item, row.reported_version) == (True, "n1", 2), "the report still counts"


def test_disconnect_noticed_before_a_reconnect_elsewhere_leaves_the_screen_online(app, batched):
    kiosk, _ = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    presence.disconnected(kiosk.id, ROOMS)  # this process noticed the drop...
    # ...and another process, where the screen came back a moment later, flushed first.
    db.session.execute(update(Kiosk).where(Kiosk.id == kiosk.id).values(
        connected=True, last_seen=utcnow() + timedelta(seconds=1)))
    db.session.commit()

    presence.flush()

    assert presence.is_online(_row(kiosk.id))


def test_disconnect_after_the_last_word_marks_the_screen_offline(app, batched):
    kiosk, _ = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    presence.connected(kiosk.id, ROOMS)
    presence.flush()
    presence.disconnected(kiosk.id, ROOMS)
    presence.flush()
    row = _row(kiosk.id)
    assert row.connected is False and not presence.is_online(row) and row.last_seen is not None


def test_a_failed_write_keeps_the_reports_for_the_next_round(app, batched, monkeypatch):
    kiosk, _ = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    presence.heartbeat(kiosk.id, ROOMS, 1, "n1", 30)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    with monkeypatch.context() as patch:
        patch.setattr(db.session, "execute", broken)
        with pytest.raises(RuntimeError):
            presence.flush()
    presence.heartbeat(kiosk.id, ROOMS, None, None, 60)  # a later heartbeat arrives meanwhile

    assert presence.flush() == 1
    row = _row(kiosk.id)
    assert (row.reported_version, row.current_item, row.uptime_s) == (1, None, 60)
