"""The posting record of a notice (biên bản niêm yết điện tử): where, from when to when, how much, what.

Read from the play log alone (services/reports/plays.py): each play carries the version and content hash it
showed, so the record says the same after the notice or its media is edited or deleted. It names the
head of each screen's sealed chain it relies on, and `chain_head` digests those heads into one value
an officer can copy onto paper; `verify-log` proves the rows still match them.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from flask import render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, literal, select, union_all

from kiosk_server.domain import play_log
from kiosk_server.domain.spreadsheet import safe_row
from kiosk_server.domain.units import place_name
from kiosk_server.extensions import db
from kiosk_server.models import Kiosk, Notice, PlayRecord, PlayRollup, User
from kiosk_server.models.base import utcnow
from kiosk_server.services.core import scope
from kiosk_server.services.core.errors import NotFound
from kiosk_server.services.reports import plays, report_files

CSV_COLUMNS = ("kiosk_id", "name", "first_shown", "last_shown", "plays", "seconds_shown", "sealed_through",
               "chain_hash", "unsealed_plays")


def _local(moment: datetime | None) -> str | None:
    return moment.astimezone(play_log.VN).isoformat() if moment else None


def visible_notice(user: User, notice_id: int) -> Notice:
    """Return the notice if it lies in the officer's scope; else NotFound, as if it did not exist."""
    notice = db.session.get(Notice, notice_id)
    if notice is None or not scope.in_scope(user, notice.unit_code):
        raise NotFound(_l("Không tìm thấy thông báo số %(id)s.", id=notice_id))
    return notice


def posting_record(user: User, notice_id: int, now: datetime | None = None) -> dict:
    """Return the posting record of a notice in the officer's scope (see the module's docstring)."""
    notice = visible_notice(user, notice_id)
    # Raw plays and roll-ups of older days alike (plays.roll_up): the record reads the same after.
    shown = union_all(
        select(PlayRecord.kiosk_id, PlayRecord.notice_version.label("version"), PlayRecord.content_hash.label("digest"),
               PlayRecord.started_at.label("first"), PlayRecord.started_at.label("last"), literal(1).label("plays"),
               PlayRecord.duration_s.label("seconds")).where(PlayRecord.notice_id == notice.id),
        select(PlayRollup.kiosk_id, PlayRollup.notice_version, PlayRollup.content_hash, PlayRollup.first_started,
               PlayRollup.last_started, PlayRollup.plays, PlayRollup.seconds).where(PlayRollup.notice_id == notice.id),
    ).subquery()
    rows = db.session.execute(
        select(shown.c.kiosk_id, Kiosk.name, func.min(shown.c.first).label("first"),
               func.max(shown.c.last).label("last"), func.sum(shown.c.plays).label("plays"),
               func.coalesce(func.sum(shown.c.seconds), 0.0).label("seconds"))
        .outerjoin(Kiosk, Kiosk.id == shown.c.kiosk_id)
        .group_by(shown.c.kiosk_id, Kiosk.name).order_by(shown.c.kiosk_id)).all()
    heads = plays.chain_heads(row.kiosk_id for row in rows)
    kiosks = []
    for row in rows:
        head = heads.get(row.kiosk_id)
        unsealed = select(func.count(PlayRecord.id)).where(PlayRecord.notice_id == notice.id,
                                                           PlayRecord.kiosk_id == row.kiosk_id)
        if head is not None:
            unsealed = unsealed.where(PlayRecord.recorded_at >= play_log.day_bounds(head.day)[1])
        kiosks.append({
            "kiosk_id": row.kiosk_id, "name": row.name or "", "first_shown": _local(row.first),
            "last_shown": _local(row.last), "plays": int(row.plays), "seconds_shown": round(float(row.seconds), 3),
            "chain": {"sealed_through": head.day.isoformat(), "hash": head.hash} if head else None,
            "unsealed_plays": db.session.scalar(unsealed),
        })
    versions = db.session.execute(
        select(shown.c.version, shown.c.digest, func.sum(shown.c.plays).label("plays"),
               func.min(shown.c.first).label("first"), func.max(shown.c.last).label("last"))
        .group_by(shown.c.version, shown.c.digest).order_by(shown.c.version, shown.c.digest)).all()
    approver = notice.approved_by
    chain = [{"kiosk_id": k["kiosk_id"], **k["chain"]} for k in kiosks if k["chain"]]
    total_seconds = sum(k["seconds_shown"] for k in kiosks)
    record = {
        "notice": {"id": notice.id, "title": notice.title, "unit_code": notice.unit_code,
                   "unit_name": notice.unit.name if notice.unit else "", "status": notice.status,
                   "published_version": notice.published_version},
        "approved_by": {"id": approver.id, "name": approver.name, "email": approver.email} if approver else None,
        "approved_at": _local(notice.approved_at),
        "kiosks": kiosks,
        "versions": [{"version": v.version, "content_hash": v.digest, "plays": int(v.plays),
                      "first_shown": _local(v.first), "last_shown": _local(v.last)} for v in versions],
        "totals": {"screens": len(kiosks), "plays": sum(k["plays"] for k in kiosks),
                   "seconds_shown": round(total_seconds, 3), "hours_shown": round(total_seconds / 3600, 2)},
        "chain": chain,
        # One value for all the heads: what a printed record quotes.
        "chain_head": play_log.sha256_hex(chain) if chain else None,
        "generated_at": _local(now or utcnow()),
    }
    db.session.rollback()  # reads done
    return record


def csv_bytes(record: dict) -> bytes:
    """Return the record's per-screen rows as CSV, UTF-8 with a BOM (Excel then reads Vietnamese right).

    One plain table a machine reads; the notice, approver and versions are in the JSON.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for k in record["kiosks"]:
        chain = k["chain"] or {}
        writer.writerow(safe_row([k["kiosk_id"], k["name"], k["first_shown"], k["last_shown"], k["plays"],
                                  k["seconds_shown"], chain.get("sealed_through", ""), chain.get("hash", ""),
                                  k["unsealed_plays"]]))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _hours_vn(seconds: float) -> str:
    return f"{seconds / 3600:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def _num_vn(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _day_vn(iso_day: str) -> str:
    return date.fromisoformat(iso_day).strftime("%d/%m/%Y")


def display_helpers(record: dict) -> dict:
    """Return what the page and the PDF format the record with (Viet Nam time, dd/mm/yyyy, decimal comma)."""
    return {"when": report_files.local_time, "day": _day_vn, "hours": _hours_vn, "num": _num_vn,
            "unsealed": sum(k["unsealed_plays"] for k in record["kiosks"]),
            "screen_names": {k["kiosk_id"]: k["name"] for k in record["kiosks"]},
            "place": place_name(record["notice"]["unit_name"])}


def pdf_bytes(record: dict, now: datetime, prepared_by: str | None = None) -> bytes:
    """Return the record as an official A4 paper in Vietnamese: national heading, unit, screens, versions, chain head."""
    html = render_template("reports/posting_pdf.html", record=record, today=now.astimezone(play_log.VN),
                           prepared_by=prepared_by, **display_helpers(record))
    return report_files.pdf_from_html(html)


FORMATS = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}


def file_bytes(record: dict, fmt: str, now: datetime, prepared_by: str | None = None) -> bytes:
    """Return the record as a file in `fmt` (csv or pdf)."""
    return csv_bytes(record) if fmt == "csv" else pdf_bytes(record, now, prepared_by)


def filename(record: dict, fmt: str) -> str:
    """Return the download's file name: niem-yet_<notice id>.<fmt> (ASCII, so every browser keeps it)."""
    return f"niem-yet_{record['notice']['id']}.{fmt}"
