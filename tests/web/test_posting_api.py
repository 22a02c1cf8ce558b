"""GET /api/v1/reports/notices/{id}/posting: the posting record as JSON and CSV, scoped like every notice."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pypdfium2
import pytest
from sqlalchemy import update

from kiosk_server.domain import play_log
from kiosk_server.extensions import db
from kiosk_server.models import PlayRecord
from kiosk_server.models.base import utcnow
from kiosk_server.services.reports import plays
from kiosk_server.services.screens import kiosks
from tests.conftest import COMMUNE, bearer
from tests.notice_helpers import publish

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)


def _url(notice_id: int) -> str:
    return f"/api/v1/reports/notices/{notice_id}/posting"


@pytest.fixture
def shown(client, tokens, officers):
    """A published notice played on two screens (one batch sent twice), the first day sealed."""
    notice = publish(client, tokens)
    hall = kiosks.provision_kiosk("Bộ phận một cửa", COMMUNE, [], actor=officers["commune_admin"])[0].id
    market = kiosks.provision_kiosk("Chợ", COMMUNE, [], actor=officers["commune_admin"])[0].id
    start = utcnow() - timedelta(hours=3)
    batch = [{"item": f"n{notice['id']}", "started_at": (start + timedelta(minutes=m)).isoformat(), "duration_s": 30}
             for m in (0, 10, 20)]
    plays.record_played(hall, batch)
    plays.record_played(hall, batch)  # the acknowledgement was lost
    plays.record_played(market, batch[:1])
    db.session.execute(update(PlayRecord).values(recorded_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    plays.seal()
    plays.record_played(market, [{"item": f"n{notice['id']}", "started_at": utcnow().isoformat(), "duration_s": 15}])
    return {"notice": notice, "hall": hall, "market": market, "start": start}


def test_posting_record_as_json(client, tokens, officers, shown):
    response = client.get(_url(shown["notice"]["id"]), headers=bearer(tokens["viewer"]))

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    hall, market = body["kiosks"]
    assert (hall["kiosk_id"], hall["name"], hall["plays"], hall["seconds_shown"]) == (shown["hall"], "Bộ phận một cửa",
                                                                                       3, 90)
    assert hall["first_shown"] == shown["start"].astimezone(play_log.VN).isoformat()
    assert (market["plays"], market["seconds_shown"], market["unsealed_plays"]) == (2, 45, 1)
    assert body["totals"]["plays"] == 5
    assert [v["version"] for v in body["versions"]] == [1] and len(body["versions"][0]["content_hash"]) == 64
    assert body["approved_by"]["email"] == officers["approver"].email
    assert hall["chain"]["hash"] and body["chain_head"] == play_log.sha256_hex(body["chain"])


def test_posting_record_as_csv(client, tokens, shown):
    response = client.get(_url(shown["notice"]["id"]), query_string={"format": "csv"},
                          headers=bearer(tokens["viewer"]))

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [(int(r["kiosk_id"]), r["name"], int(r["plays"])) for r in rows] == [
        (shown["hall"], "Bộ phận một cửa", 3), (shown["market"], "Chợ", 2)]


def test_posting_record_outside_scope_or_unknown_is_404(client, tokens, shown):
    assert client.get(_url(shown["notice"]["id"]), headers=bearer(tokens["other_admin"])).status_code == 404
    assert client.get(_url(999_999), headers=bearer(tokens["viewer"])).status_code == 404
    assert client.get(_url(shown["notice"]["id"])).status_code == 401


def test_posting_record_as_pdf_reads_as_an_official_paper_in_vietnamese(client, tokens, shown):
    response = client.get(_url(shown["notice"]["id"]), query_string={"format": "pdf"},
                          headers=bearer(tokens["viewer"]))

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="niem-yet_{shown["notice"]["id"]}.pdf"'
    document = pypdfium2.PdfDocument(response.data)
    text = "\n".join(page.get_textpage().get_text_range() for page in document)
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "ỦY BAN NHÂN DÂN",
                  "PHƯỜNG MINH XUÂN", "Minh Xuân, ngày", "BIÊN BẢN", "Bộ phận một cửa", "Chợ", "Mã đầu chuỗi"):
        assert words in text, words
    body = client.get(_url(shown["notice"]["id"]), headers=bearer(tokens["viewer"])).get_json()
    assert body["chain_head"] in text.replace("\n", "").replace("\r", "")


def test_posting_record_in_an_unknown_format_is_422_and_names_the_field(client, tokens, shown):
    response = client.get(_url(shown["notice"]["id"]), query_string={"format": "docx"},
                          headers=bearer(tokens["viewer"]))

    assert response.status_code == 422
    assert "format" in str(response.get_json()["error"]["fields"])
