"""Biên bản niêm yết in the officer UI: linked from the notice, as a page, CSV and an A4 PDF, scoped like the notice."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pypdfium2
import pytest

from kiosk_server.models.base import utcnow
from kiosk_server.services.reports import plays
from kiosk_server.services.screens import kiosks
from tests.conftest import COMMUNE
from tests.notice_helpers import publish

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)


@pytest.fixture
def shown(client, tokens, officers):
    """A published notice played twice on one screen, the day sealed."""
    notice = publish(client, tokens)
    hall = kiosks.provision_kiosk("Bộ phận một cửa", COMMUNE, [], actor=officers["commune_admin"])[0].id
    start = utcnow() - timedelta(days=1)
    plays.record_played(hall, [{"item": f"n{notice['id']}", "started_at": (start + timedelta(minutes=m)).isoformat(),
                                "duration_s": 1800} for m in (0, 30)])
    return {"notice": notice["id"], "hall": hall}


def test_the_notice_page_links_to_its_posting_record(client, auth, shown):
    auth.login("xem@example.vn")

    html = client.get(f"/admin/notices/{shown['notice']}").get_data(as_text=True)

    assert f'href="/admin/notices/{shown["notice"]}/posting" data-testid="posting-link">Biên bản niêm yết' in html


def test_posting_page_lists_the_screens_with_plays_and_hours(client, auth, shown):
    auth.login("xem@example.vn")

    page = client.get(f"/admin/notices/{shown['notice']}/posting")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Biên bản niêm yết điện tử" in html and "Bộ phận một cửa" in html
    assert '<span class="num">1,00</span><span>giờ hiển thị</span>' in html
    assert f"/admin/notices/{shown['notice']}/posting.pdf" in html


def test_posting_record_downloads_as_csv_and_as_a_pdf_paper(client, auth, shown):
    auth.login("xem@example.vn")

    table = client.get(f"/admin/notices/{shown['notice']}/posting.csv")
    paper = client.get(f"/admin/notices/{shown['notice']}/posting.pdf")

    rows = list(csv.DictReader(io.StringIO(table.data.decode("utf-8-sig"))))
    assert [(r["name"], r["plays"], r["seconds_shown"]) for r in rows] == [("Bộ phận một cửa", "2", "3600.0")]
    assert paper.headers["Content-Type"] == "application/pdf"
    text = pypdfium2.PdfDocument(paper.data)[0].get_textpage().get_text_range()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "PHƯỜNG MINH XUÂN" in text and "Bộ phận một cửa" in text
    assert client.get(f"/admin/notices/{shown['notice']}/posting.docx").status_code == 404


def test_posting_record_of_a_notice_outside_scope_is_404(client, auth, shown):
    auth.login("caobang@example.vn")

    assert client.get(f"/admin/notices/{shown['notice']}/posting").status_code == 404
    assert client.get(f"/admin/notices/{shown['notice']}/posting.pdf").status_code == 404


def test_posting_record_needs_sign_in(client, shown):
    response = client.get(f"/admin/notices/{shown['notice']}/posting")

    assert response.status_code == 302 and "/login" in response.headers["Location"]
