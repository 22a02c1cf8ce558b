"""Rows several processes may create at once: the database keeps one, nobody gets an error."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from kiosk_server.extensions import db
from kiosk_server.models import QrCode
from kiosk_server.services.content import links
from tests.conftest import make_app

BUILDERS = 8


def _build_at_once(app, target: str) -> tuple[set[str], list[BaseException]]:
    """Build the QR URL of `target` from several threads released together, as manifests after a publish."""
    start = threading.Barrier(BUILDERS)
    urls: set[str] = set()
    errors: list[BaseException] = []

    def build() -> None:
        with app.app_context():
            try:
                start.wait()
                urls.add(links.qr_url(target))
            except BaseException as error:  # the test reports whatever a builder met
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=build) for _ in range(BUILDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return urls, errors


def _check(app, target: str) -> None:
    urls, errors = _build_at_once(app, target)
    assert errors == []
    assert len(urls) == 1, "every builder reads back the one code the database kept"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QrCode).where(QrCode.url == target)) == 1
        db.session.remove()
        db.engine.dispose()


def test_concurrent_manifest_builds_share_one_qr_code_on_sqlite(tmp_path):
    _check(make_app(tmp_path, PUBLIC_URL="https://bangtin.example.vn"), "https://dichvucong.gov.vn/x")


@pytest.mark.postgres
def test_concurrent_manifest_builds_share_one_qr_code_on_postgresql(postgres_app):
    _check(postgres_app(PUBLIC_URL="https://bangtin.example.vn"),
           "https://dichvucong.gov.vn/y")


def _receipts_of_a_big_alert(app) -> None:
    """A province's worth of receipts in one batch: more rows than one statement may bind, some resent."""
    from kiosk_server.models import Alert, AlertAck, Kiosk, Unit
    from kiosk_server.models.base import utcnow
    from kiosk_server.services.core.idempotent import CHUNK_ROWS, insert_new

    with app.app_context():
        db.session.add(Unit(code="T1", name="Tỉnh thử", level="province"))
        kiosks = [Kiosk(name=f"Màn hình {n}", unit_code="T1", token_hash=f"h{n}") for n in range(CHUNK_ROWS + 200)]
        now = utcnow()
        alert = Alert(identifier="big-1", sender="t", sent_at=now, headline="Bão số 3", hazard="storm", level=3,
                      unit_codes=["T1"], expires_at=now)
        db.session.add_all([*kiosks, alert])
        db.session.commit()
        rows = [{"alert_id": alert.id, "kiosk_id": k.id, "at": now} for k in kiosks]
        first = insert_new(AlertAck, rows[:300], ["alert_id", "kiosk_id"])
        again = insert_new(AlertAck, rows, ["alert_id", "kiosk_id"])
        db.session.commit()
        assert len(first) == 300
        assert sorted(again) == sorted((alert.id, k.id) for k in kiosks[300:]), "only the rows not stored before"
        assert db.session.scalar(select(func.count()).select_from(AlertAck)) == len(kiosks)
        db.session.remove()
        db.engine.dispose()


def test_a_batch_larger_than_one_statement_reports_only_new_rows_on_sqlite(tmp_path):
    _receipts_of_a_big_alert(make_app(tmp_path))


@pytest.mark.postgres
def test_a_batch_larger_than_one_statement_reports_only_new_rows_on_postgresql(postgres_app):
    _receipts_of_a_big_alert(postgres_app())
