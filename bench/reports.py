"""Reports benchmark (issue 12): a province with 300 screens and a year of plays on PostgreSQL.

Creates a database of its own on the given server (dropped at the end), migrates it, provisions the
screens and a year of notices and alerts, then bulk-loads (COPY) the play log as the system would
hold it after a year: raw plays for the last PLAY_RAW_DAYS days, hourly roll-ups for the days before,
one sealed link per screen per day, and the daily figures (PlayDay). Every hash is computed by the
system's own rules (domain/play_log.py: plays hashed, days rolled up by `play_log.roll_up`), and each
link is sealed as `plays.seal` seals one since migration 0016 (the roll-up digest and the daily figures
inside its hash, `figures` kept), so `verify-log` must find the chain intact. Then it measures:

- the yearly summary of the province (target under 2 s), and the same play figures summed from
  raw plays and roll-ups directly, to show what the daily figures save;
- `verify-log` over the year: the first run (no checkpoint yet, every row reread), a second run
  (incremental from the checkpoints, nothing new) and `--full`; the bench fails if any finds the
  chain broken;
- the roll-up job on the oldest raw day of every screen;
- storage per screen per day (pg_total_relation_size) of raw plays, roll-ups, links, daily figures.

    .venv/bin/python -m bench.reports [--screens 300] [--days 365] [--raw-days 90] [--plays-per-day 120]
        [--items 4] [--server postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Plays are spread over 06:00-22:00 Viet Nam time, the screen looping `--items` notices. Raw storage
grows with the plays per day; roll-ups with hours x items (one row per hour and item shown).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROVINCE = "08"  # Tuyên Quang


def _timed(func, runs: int = 1) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = func()
        times.append(round(time.perf_counter() - started, 3))
    return times, result


def setup(app, n_screens: int, n_items: int, first_day, last_day) -> dict:
    """Migrate, then store the province's units, an officer, screens, a year of notices and alerts."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from kiosk_server.domain import play_log
    from kiosk_server.extensions import db
    from kiosk_server.models import Alert, AlertUnit, Notice, Unit
    from kiosk_server.services.core import units, users
    from kiosk_server.services.screens import kiosks

    with app.app_context():
        upgrade()
        units.import_units(PROVINCE, actor="bench")
        admin = users.create_user("bench@example.vn", "bench-password-1", "admin", None, actor="bench")
        communes = db.session.scalars(select(Unit.code).where(Unit.parent_code == PROVINCE).order_by(Unit.code)).all()
        screens = []
        for start in range(0, n_screens, 200):
            rows = [{"name": f"Màn hình {i + 1}", "unit_code": communes[i % len(communes)]}
                    for i in range(start, min(n_screens, start + 200))]
            screens += [kiosk.id for kiosk, _token in kiosks.provision_many(rows, actor="bench")]
        start_at = play_log.day_bounds(first_day)[0]
        span = (play_log.day_bounds(last_day)[1] - start_at).total_seconds()
        categories = ("local", "policy", "disaster", "health", "security", "digital")
        priorities = ("normal",) * 8 + ("priority", "emergency")
        notice_rows = []
        for i in range(2000):  # about 16 per commune over the year
            approved = start_at + timedelta(seconds=span * i / 2000)
            notice_rows.append({
                "unit_code": PROVINCE if i < n_items else communes[i % len(communes)], "author_id": admin.id,
                "status": "published", "version": 1, "published_version": 1, "title": f"Thông báo {i + 1}",
                "category": categories[i % len(categories)], "priority": priorities[i % len(priorities)],
                "approved_by_id": admin.id, "approved_at": approved, "created_at": approved, "updated_at": approved})
        db.session.execute(insert(Notice), notice_rows)
        for i in range(40):
            raised = start_at + timedelta(seconds=span * (i + 0.5) / 40)
            alert = Alert(identifier=f"bench-{i}", sender="bench", sent_at=raised, created_at=raised,
                          headline=f"Cảnh báo {i + 1}", hazard="flood", level=1 + i % 5,
                          unit_codes=[communes[i % len(communes)]], expires_at=raised + timedelta(hours=6))
            alert.areas = [AlertUnit(unit_code=communes[i % len(communes)])]
            db.session.add(alert)
        db.session.commit()
        items = db.session.scalars(select(Notice.id).where(Notice.unit_code == PROVINCE).order_by(Notice.id)
                                   .limit(n_items)).all()
        admin_id = admin.id
        db.session.remove()
    return {"admin_id": admin_id, "screens": screens, "items": items}


def load_plays(app, world: dict, first_day, last_day, raw_days: int, per_day: int, rolled_per_day: int) -> dict:
    """COPY a year of play log into the database; return the counts written and the seconds it took."""
    from kiosk_server.domain import play_log
    from kiosk_server.extensions import db

    today = last_day + timedelta(days=1)
    cutoff = today - timedelta(days=raw_days)  # days before this are rolled up, as plays.roll_up leaves them
    days = [first_day + timedelta(days=d) for d in range((last_day - first_day).days + 1)]
    items = [(f"n{nid}", nid, play_log.content_hash(f"Thông báo {nid}", "", [])) for nid in world["items"]]
    interval = 16 * 3600 / per_day
    next_id = 1
    links, figures, counts = [], [], {"raw": 0, "rollups": 0, "plays_hashed": 0}
    prev = {kid: play_log.GENESIS for kid in world["screens"]}
    started = time.perf_counter()

    def plays_of(screen_no: int, kiosk_id: int, day):
        nonlocal next_id
        begin = play_log.day_bounds(day)[0] + timedelta(hours=6, seconds=screen_no % 60)
        out = []
        for i in range(per_day):
            item, nid, digest = items[(i + screen_no) % len(items)]
            at = begin + timedelta(seconds=i * interval)
            out.append(play_log.Play(next_id, item, nid, 1, digest, at, float(15 + (i * 7 + screen_no) % 30),
                                     at + timedelta(seconds=40)))
            next_id += 1
        return out

    def rolled_day(screen_no: int, day) -> list:
        """Return the roll-ups a day of `rolled_per_day` plays leaves: one row per hour and item shown.

        The raw plays of these days never existed here, so `rows_hash` digests the row's own figures;
        verify-log checks roll-ups against `rollup_hash` and the link's count, never against the plays.
        """
        per_hour = rolled_per_day / 16
        out = []
        for hour in range(6, 22):
            at = play_log.day_bounds(day)[0] + timedelta(hours=hour)
            for k, (item, nid, digest) in enumerate(items):
                n = int(per_hour * (k + 1) / len(items)) - int(per_hour * k / len(items))
                if n <= 0:
                    continue
                first = at + timedelta(seconds=k * 20 + screen_no % 10)
                rows_hash = hashlib.sha256(f"{screen_no} {day} {hour} {item} {n}".encode()).hexdigest()
                out.append(play_log.Rollup(at, item, nid, 1, digest, n, 24.0 * n, first,
                                           first + timedelta(seconds=3000), rows_hash))
        return out

    def sealed_link(kiosk_id: int, day, count: int, seconds: float, digest: str, rollup_digest: str,
                    day_figures: list, rolled_up_at) -> None:
        """Append the link `plays.seal` makes (plays._link): roll-up digest and daily figures sealed in its hash."""
        link_hash = play_log.link_hash(kiosk_id, day, count, digest, prev[kiosk_id], rollup_hash=rollup_digest,
                                       figures=day_figures)
        end = play_log.day_bounds(day)[1]
        links.append((kiosk_id, day, count, seconds, digest, prev[kiosk_id], link_hash, end + timedelta(minutes=10),
                      rolled_up_at, rollup_digest, play_log.canonical_json(day_figures).decode()))
        prev[kiosk_id] = link_hash
        figures.append((kiosk_id, day, count, seconds))

    def seal_rolled(kiosk_id: int, day, rollups: list) -> None:
        # Sealed when its plays were raw: their figures are the roll-ups' (equal up to float rounding,
        # exact here), and the digest the roll-ups got is the one sealed then.
        digest = play_log.sha256_hex([r.rows_hash for r in rollups])  # the raw plays' hash, as kept on the link
        sealed_link(kiosk_id, day, sum(r.plays for r in rollups), sum(r.seconds for r in rollups), digest,
                    play_log.rollups_hash(rollups), play_log.rollup_figures(rollups),
                    play_log.day_bounds(day)[1] + timedelta(days=raw_days))

    def seal(kiosk_id: int, day, plays) -> None:
        sealed_link(kiosk_id, day, len(plays), sum(p.duration_s for p in plays), play_log.plays_hash(plays),
                    play_log.rollups_hash(play_log.roll_up(plays)), play_log.day_figures(plays), None)
        counts["plays_hashed"] += len(plays)

    with app.app_context():
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            # The old days, as roll-ups (screens in the outer loop: each chain is built in day order).
            with cursor.copy("COPY play_rollups (kiosk_id, day, hour, item, notice_id, notice_version, content_hash, "
                             "plays, seconds, first_started, last_started, rows_hash) FROM STDIN") as copy:
                for no, kid in enumerate(world["screens"]):
                    for day in days:
                        if day >= cutoff:
                            break
                        rollups = rolled_day(no, day)
                        for r in rollups:
                            copy.write_row((kid, day, r.hour, r.item, r.notice_id, r.notice_version, r.content_hash,
                                            r.plays, r.seconds, r.first_started, r.last_started, r.rows_hash))
                        counts["rollups"] += len(rollups)
                        seal_rolled(kid, day, rollups)
            with cursor.copy("COPY play_records (id, kiosk_id, item, notice_id, started_at, duration_s, notice_version, "
                             "content_hash, recorded_at) FROM STDIN") as copy:
                for no, kid in enumerate(world["screens"]):
                    for day in days:
                        if day < cutoff:
                            continue
                        plays = plays_of(no, kid, day)
                        for p in plays:
                            copy.write_row((p.id, kid, p.item, p.notice_id, p.started_at, p.duration_s,
                                            p.notice_version, p.content_hash, p.recorded_at))
                        counts["raw"] += len(plays)
                        seal(kid, day, plays)
            with cursor.copy("COPY play_log_links (kiosk_id, day, plays, seconds, plays_hash, prev_hash, hash, sealed_at, "
                             "rolled_up_at, rollup_hash, figures) FROM STDIN") as copy:
                for row in links:
                    copy.write_row(row)
            with cursor.copy("COPY play_days (kiosk_id, day, plays, seconds) FROM STDIN") as copy:
                for row in figures:
                    copy.write_row(row)
            cursor.execute("SELECT setval('play_records_id_seq', %s)", (next_id,))
            connection.commit()  # storage() vacuums and analyses before anything is measured
        finally:
            connection.close()
    counts.update(links=len(links), play_days=len(figures), load_s=round(time.perf_counter() - started, 1))
    return counts


def measure(app, world: dict, first_day, last_day, raw_days: int) -> dict:
    """Time the yearly summary, the same figures summed from raw plays and roll-ups, verify-log (first, incremental,
    full) and a roll-up run."""
    from sqlalchemy import text

    from kiosk_server.domain import play_log
    from kiosk_server.domain import reports as rules
    from kiosk_server.extensions import db
    from kiosk_server.models import User
    from kiosk_server.services.reports import plays, reports

    period = rules.make_period(first_day, last_day)
    expected_days = (last_day - first_day).days + 1  # one link per screen per day
    start, end = period.bounds()
    out: dict = {}
    with app.app_context():
        admin = db.session.get(User, world["admin_id"])
        times, summary = _timed(lambda: reports.summary(admin, PROVINCE, period), runs=5)
        out["summary_s"] = {"runs": times, "median": statistics.median(times)}
        out["summary_plays"] = summary["plays"]
        times, _totals = _timed(lambda: reports.play_totals(None, start, end), runs=5)
        out["play_totals_s"] = statistics.median(times)
        # What the summary would cost without the daily figures: every raw play and roll-up of the year.
        direct = text("SELECT sum(n), sum(s) FROM (SELECT count(*) AS n, sum(duration_s) AS s FROM play_records "
                      "WHERE started_at >= :a AND started_at < :b UNION ALL SELECT sum(plays), sum(seconds) "
                      "FROM play_rollups WHERE hour >= :a AND hour < :b) AS parts")
        times, row = _timed(lambda: db.session.execute(direct, {"a": start, "b": end}).one(), runs=3)
        out["raw_and_rollups_sum_s"] = statistics.median(times)
        assert int(row[0]) == summary["plays"]["plays"], (row, summary["plays"])
        db.session.remove()

        # verify-log three times: no checkpoint yet (every row reread), again with nothing new (from the
        # checkpoints: links rehashed and PlayDay checked, no play or roll-up reread), then --full.
        runs = {}
        for name, full in (("first", False), ("incremental", False), ("full", True)):
            times, result = _timed(lambda full=full: plays.verify(full=full))
            runs[name] = {"s": times[0], "links": result.links, "rolled_up": result.rolled_up,
                          "reread": result.reread, "bad": None if result.bad is None else vars(result.bad)}
            db.session.remove()
            if result.bad is not None or result.links != len(world["screens"]) * expected_days:
                raise SystemExit(f"verify-log ({name}) does not find the chain intact: {runs[name]}")
        if runs["first"]["reread"] != runs["first"]["links"] or runs["full"]["reread"] != runs["full"]["links"] \
                or runs["incremental"]["reread"] != 0:
            raise SystemExit(f"verify-log did not reread what it should (links sealed in the old format?): {runs}")
        out["verify_log_s"] = runs["first"]["s"]
        out["verify_log"] = {"links": runs["first"]["links"], "rolled_up": runs["first"]["rolled_up"],
                             "bad": runs["first"]["bad"]}
        out["verify_log_runs"] = runs

        # The roll-up job's next night: the oldest raw day of every screen becomes old enough.
        tomorrow = play_log.day_bounds(last_day + timedelta(days=1))[1] + timedelta(hours=1)
        app.config["PLAY_RAW_DAYS"] = raw_days
        times, done = _timed(lambda: plays.roll_up(now=tomorrow, limit=len(world["screens"])))
        out["roll_up"] = {"screen_days": done, "s": times[0], "ms_per_screen_day": round(1000 * times[0] / max(1, done), 1)}
        db.session.remove()
    return out


def storage(url: str, world: dict, raw_days: int, days: int) -> dict:
    """Return pg_total_relation_size of each play-log table, per row and per screen per day."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    screens = len(world["screens"])
    out = {}
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
        for table, screen_days in (("play_records", screens * raw_days), ("play_rollups", screens * (days - raw_days)),
                                   ("play_log_links", screens * days), ("play_days", screens * days)):
            size = conn.execute(text("SELECT pg_total_relation_size(:t)"), {"t": table}).scalar()
            rows = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()  # noqa: S608 (fixed names)
            out[table] = {"rows": rows, "bytes": size, "bytes_per_row": round(size / max(1, rows), 1),
                          "bytes_per_screen_day": round(size / max(1, screen_days))}
    engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screens", type=int, default=300)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--raw-days", type=int, default=90, help="PLAY_RAW_DAYS: days kept as raw plays")
    parser.add_argument("--plays-per-day", type=int, default=48,
                        help="raw plays per screen per day, over 06:00-22:00 (each one hashed and COPYed)")
    parser.add_argument("--rolled-plays-per-day", type=int, default=2400,
                        help="plays per screen per day the roll-ups of older days stand for (a 24 s loop, 16 h)")
    parser.add_argument("--items", type=int, default=4, help="notices each screen loops")
    parser.add_argument("--server", default=os.environ.get("KIOSK_TEST_DATABASE_URL",
                                                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()

    from sqlalchemy import create_engine, text

    from kiosk_server import create_app
    from kiosk_server.domain import play_log
    from kiosk_server.models.base import utcnow

    name = f"kiosk_bench_reports_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = args.server.rsplit("/", 1)[0] + "/" + name
    instance = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    load_before = os.getloadavg()
    try:
        app = create_app({"DATABASE_URL": url, "MEDIA_DIR": str(instance / "media"), "SOCKETIO_ASYNC_MODE": "threading",
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "SEED_DEMO_ON_START": False},
                         instance_path=str(instance))
        last_day = play_log.vn_day(utcnow()) - timedelta(days=1)
        first_day = last_day - timedelta(days=args.days - 1)
        started = time.perf_counter()
        world = setup(app, args.screens, args.items, first_day, last_day)
        setup_s = round(time.perf_counter() - started, 1)
        loaded = load_plays(app, world, first_day, last_day, args.raw_days, args.plays_per_day,
                            args.rolled_plays_per_day)
        sizes = storage(url, world, args.raw_days, args.days)
        figures = measure(app, world, first_day, last_day, args.raw_days)
        result = {
            "screens": args.screens, "days": args.days, "raw_days": args.raw_days,
            "raw_plays_per_screen_day": args.plays_per_day, "rolled_plays_per_screen_day": args.rolled_plays_per_day,
            "items": args.items, "period": f"{first_day} – {last_day}",
            "setup_s": setup_s, "loaded": loaded, "storage": sizes, **figures,
            "load_average": {"before": [round(x, 2) for x in load_before],
                             "after": [round(x, 2) for x in os.getloadavg()]},
            "cpus": os.cpu_count(),
        }
        print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
