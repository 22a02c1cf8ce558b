"""Báo cáo in the officer UI: the page with its charts and tables, the downloads, scope and bad dates."""

from __future__ import annotations

import base64
import io
import re

import pypdfium2
import pytest
from openpyxl import load_workbook

from tests.conftest import COMMUNE, OTHER_COMMUNE, PROVINCE
from tests.report_helpers import seed

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)


@pytest.fixture
def seeded(app, officers):
    return seed(officers["editor"].id)


def test_report_page_shows_charts_as_named_pictures_with_their_numbers(client, auth, seeded):
    auth.login("xem@example.vn")

    page = client.get("/admin/reports", query_string={"unit": COMMUNE, "period": "2026-H1"})

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    charts = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)" data-testid="report-chart">', html)
    assert [alt for _svg, alt in charts] == [
        "Thông báo đã phát hành theo lĩnh vực", "Thông báo đã phát hành theo mức ưu tiên", "Phản ánh, kiến nghị",
        "Tỷ lệ màn hình xác nhận đã hiển thị cảnh báo (%)"]
    svg = base64.b64decode(charts[0][0]).decode("utf-8")
    assert "<title>Thông báo đã phát hành theo lĩnh vực</title>" in svg and "Phòng, chống thiên tai" in svg
    assert "<script" not in svg  # pygal's tooltips would load from a CDN; its config script is cut too
    assert "Phòng, chống thiên tai" in html and "Lũ trên sông Lô" in html
    assert 'data-testid="report-figures"' in html
    assert "/admin/reports/summary.pdf?" in html and "/admin/reports/summary.xlsx?" in html


def test_report_page_opens_on_the_officers_unit_and_current_half_year(client, auth, seeded):
    auth.login("xa@example.vn")

    html = client.get("/admin/reports").get_data(as_text=True)

    assert "Phường Minh Xuân" in html
    assert "Báo cáo" in html


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_downloads_from_the_page(client, auth, seeded, fmt):
    auth.login("xa@example.vn")

    response = client.get(f"/admin/reports/summary.{fmt}",
                          query_string={"unit": COMMUNE, "period": "custom", "from": "01/01/2026", "to": "30/06/2026"})

    assert response.status_code == 200
    assert f"bao-cao_{COMMUNE}_2026-01-01_2026-06-30.{fmt}" in response.headers["Content-Disposition"]
    if fmt == "csv":
        assert "Phường Minh Xuân" in response.data.decode("utf-8-sig")
    elif fmt == "xlsx":
        assert load_workbook(io.BytesIO(response.data)).worksheets[0]["B2"].value.startswith("Phường Minh Xuân")
    else:
        text = pypdfium2.PdfDocument(response.data)[0].get_textpage().get_text_range()
        assert "Phường Minh Xuân" in text


def test_unit_outside_scope_is_not_found(client, auth, seeded):
    auth.login("xa@example.vn")

    assert client.get("/admin/reports", query_string={"unit": PROVINCE}).status_code == 404
    assert client.get("/admin/reports/summary.pdf", query_string={"unit": OTHER_COMMUNE}).status_code == 404
    assert client.get("/admin/reports/summary.docx", query_string={"unit": COMMUNE}).status_code == 404


def test_bad_dates_are_shown_beside_the_field(client, auth, seeded):
    auth.login("xa@example.vn")

    page = client.get("/admin/reports", query_string={"unit": COMMUNE, "period": "custom", "from": "30/06/2026",
                                                      "to": "01/01/2026"})
    download = client.get("/admin/reports/summary.csv", query_string={"unit": COMMUNE, "from": "hôm qua", "to": "x"})

    assert page.status_code == 422
    assert "Ngày kết thúc phải sau hoặc trùng ngày bắt đầu." in page.get_data(as_text=True)
    assert download.status_code == 422


def test_signed_out_officer_is_sent_to_sign_in(client):
    assert client.get("/admin/reports").status_code in (302, 401)
