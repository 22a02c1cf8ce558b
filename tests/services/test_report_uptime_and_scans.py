"""The summary counts screens' uptime and the QR scans of its period (daily counts), not running totals only."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from kiosk_server.domain import reports as rules
from kiosk_server.extensions import db
from kiosk_server.models import KioskSession, QrCode, QrScanDay
from kiosk_server.services.content import links
from kiosk_server.services.reports import reports
from tests.conftest import COMMUNE
from tests.report_helpers import NOW, seed, vn

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)

H1 = rules.half_year(2026, 1)


@pytest.fixture
def seeded(app, officers):
    return seed(officers["editor"].id)


def test_uptime_counts_from_each_screens_first_connection(seeded, officers):
    k1, k2 = seeded.kiosks["k1"], seeded.kiosks["k2"]
    db.session.add_all([
        # k1: online from before the period to 10/06 08:00, down a day, then online to the period's end.
        KioskSession(kiosk_id=k1, started_at=vn("2025-12-20T08:00:00"), last_heard_at=vn("2026-06-10T08:00:00"),
                     ended_at=vn("2026-06-10T08:00:00")),
        KioskSession(kiosk_id=k1, started_at=vn("2026-06-11T08:00:00"), last_heard_at=vn("2026-07-15T09:59:50"),
                     ended_at=None),
        # k2: connected first on 01/06 and never again after 01/06 20:00.
        KioskSession(kiosk_id=k2, started_at=vn("2026-06-01T08:00:00"), last_heard_at=vn("2026-06-01T20:00:00"),
                     ended_at=vn("2026-06-01T20:00:00")),
    ])
    db.session.commit()

    uptime = reports.summary(officers["commune_admin"], COMMUNE, H1, now=NOW)["uptime"]

    h1_seconds = (vn("2026-07-01T00:00:00") - vn("2026-01-01T00:00:00")).total_seconds()
    k2_watched = (vn("2026-07-01T00:00:00") - vn("2026-06-01T08:00:00")).total_seconds()
    online = (h1_seconds - 86400) + 12 * 3600
    assert uptime["screens"] == 2 and uptime["outages"] == 2
    assert uptime["share"] == round(online / (h1_seconds + k2_watched), 4)
    assert uptime["screens_below_90"] == 1


def test_scans_are_counted_per_period_from_daily_counts(seeded, officers, client):
    db.session.add_all([QrScanDay(code="lnk", day=date(2026, 2, 1), scans=3),
                        QrScanDay(code="lnk", day=date(2026, 7, 1), scans=4),  # the next period
                        QrScanDay(code="nat", day=date(2026, 3, 1), scans=2)])
    db.session.commit()

    qr = reports.summary(officers["commune_admin"], COMMUNE, H1, now=NOW)["qr"]

    assert (qr["scans"], qr["national_links_scans"]) == (3, 2)
    assert qr["counted_since"] == "2026-02-01" and qr["scans_total"] == 7


def test_a_scan_adds_one_to_its_day_without_a_row_per_scan(seeded, client):
    for _ in range(3):
        assert client.get("/q/lnk").status_code == 302
    db.session.expire_all()
    rows = db.session.scalars(select(QrScanDay).where(QrScanDay.code == "lnk")).all()
    assert [(row.day, row.scans) for row in rows] == [(rules.local_today(rules.datetime.now(rules.UTC)), 3)]


def _scan_at_once(app, code: str, scanners: int = 8) -> list[BaseException]:
    start = threading.Barrier(scanners)
    errors: list[BaseException] = []

    def scan() -> None:
        with app.app_context():
            try:
                start.wait()
                links.follow(code)
            except BaseException as error:  # the test reports whatever a scanner met
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=scan) for _ in range(scanners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors


@pytest.mark.postgres
def test_scans_at_once_all_count_on_postgresql(postgres_app):
    app = postgres_app()
    with app.app_context():
        db.session.add(QrCode(code="abc", url="https://dichvucong.gov.vn/", scans=0))
        db.session.commit()
        db.session.remove()
    assert _scan_at_once(app, "abc") == []
    with app.app_context():
        assert db.session.scalar(select(func.sum(QrScanDay.scans))) == 8
        assert db.session.scalar(select(QrCode.scans)) == 8
