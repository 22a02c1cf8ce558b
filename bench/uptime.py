"""Uptime record: the cost of the batched write for a fleet, and of reading a year for the summary.

    .venv/bin/python -m bench.uptime --database-url postgresql+psycopg://USER@HOST/EMPTY_DB

Writes: one process holding `--screens` screens flushes what it heard (a round of heartbeats from
every screen) the way the presence flush does; timed for the first round (every screen's stretch
opened: INSERT) and a later one (every stretch extended: one executemany UPDATE per 500 screens).
Reads: `--report-screens` screens with `--per-day` stretches of connection every day for
`--days` days; the summary's uptime figures for their unit over the whole span, and one API page of
100 screens with their daily shares and outages.
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import tempfile
import time
from datetime import timedelta
from pathlib import Path


def _kiosks(db, Kiosk, unit_code: str, count: int, created) -> list[int]:
    rows = [{"name": f"Màn hình {i}", "unit_code": unit_code, "token_hash": secrets.token_hex(32),
             "theme": "default", "created_at": created, "manifest_version": 0, "connected": False}
            for i in range(count)]
    for start in range(0, count, 2000):
        db.session.execute(Kiosk.__table__.insert(), rows[start:start + 2000])
    db.session.commit()
    return list(db.session.scalars(db.select(Kiosk.id).where(Kiosk.unit_code == unit_code).order_by(Kiosk.id)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="an empty database; default: a fresh SQLite file")
    parser.add_argument("--screens", type=int, default=10_000)
    parser.add_argument("--report-screens", type=int, default=300)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--per-day", type=int, default=3, help="connections per screen per day")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from kiosk_server import create_app
    from kiosk_server.domain import reports as report_rules
    from kiosk_server.extensions import db
    from kiosk_server.models import Kiosk, KioskSession
    from kiosk_server.models.base import utcnow
    from kiosk_server.services.core import scope
    from kiosk_server.services.core.units import import_units
    from kiosk_server.services.screens import uptime

    instance = Path(tempfile.mkdtemp(prefix="bench-uptime-"))
    db_url = args.database_url or f"sqlite:///{instance / 'bench.db'}"
    app = create_app({"DATABASE_URL": db_url, "MEDIA_DIR": str(instance / "media"), "SEED_DEMO_ON_START": False,
                      "SOCKETIO_ASYNC_MODE": "threading"}, instance_path=str(instance))
    result: dict = {"database": db_url.split(":", 1)[0]}
    with app.app_context():
        db.create_all()
        import_units("08", actor="bench")
        now = utcnow()
        fleet = _kiosks(db, Kiosk, "02215", args.screens, now - timedelta(days=args.days + 1))

        since = now - timedelta(minutes=10)
        rounds = []
        for beat in range(3):
            for kiosk_id in fleet:
                uptime.heard(kiosk_id, since, since + timedelta(seconds=30 * beat))
            started = time.perf_counter()
            uptime.flush()
            rounds.append(round(time.perf_counter() - started, 3))
        result["write"] = {"screens": args.screens, "first_round_s": rounds[0], "later_rounds_s": rounds[1:],
                           "rows": db.session.scalar(select(func.count()).select_from(KioskSession))}

        # A commune of `report_screens` screens with a year of stretches.
        report = _kiosks(db, Kiosk, "02269", args.report_screens, now - timedelta(days=args.days + 1))
        first_day = now - timedelta(days=args.days)
        step = timedelta(days=1) / args.per_day
        rows = []
        for kiosk_id in report:
            for n in range(args.days * args.per_day):
                start = first_day + n * step
                rows.append({"kiosk_id": kiosk_id, "started_at": start, "last_heard_at": start + step * 0.95,
                             "ended_at": start + step * 0.95})
        started = time.perf_counter()
        for chunk in range(0, len(rows), 5000):
            db.session.execute(KioskSession.__table__.insert(), rows[chunk:chunk + 5000])
        db.session.commit()
        load_s = time.perf_counter() - started
        period = report_rules.Period(first_day.astimezone(report_rules.VN).date(), report_rules.local_today(now))
        codes = scope.descendant_codes("02269")
        started = time.perf_counter()
        figures, _online = uptime.unit_totals(codes, period, now)
        totals_s = time.perf_counter() - started
        kiosks = list(db.session.scalars(uptime.kiosks_of(codes, *period.bounds()).limit(100)))
        started = time.perf_counter()
        page = uptime.uptime_report(kiosks, period, now)
        page_s = time.perf_counter() - started
        result["read"] = {
            "screens": args.report_screens, "stretches": len(rows), "load_s": round(load_s, 1),
            "summary_uptime_s": round(totals_s, 3), "share": figures["share"],
            "api_page_of_100_s": round(page_s, 3), "days_per_screen": len(page[0]["days"]),
        }
        db.session.remove()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
