"""GET /api/v1/reports/summary: JSON and every download format, scope, and bad input answered 4xx."""

from __future__ import annotations

import io

import pypdfium2
import pytest
from openpyxl import load_workbook

from tests.conftest import COMMUNE, OTHER_COMMUNE, PROVINCE, bearer
from tests.report_helpers import seed

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)

URL = "/api/v1/reports/summary"
H1 = {"from": "2026-01-01", "to": "2026-06-30"}


@pytest.fixture
def seeded(app, officers):
    return seed(officers["editor"].id)


def test_summary_as_json(client, tokens, seeded):
    response = client.get(URL, query_string={"unit": COMMUNE, **H1}, headers=bearer(tokens["viewer"]))

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["unit"]["name"] == "Phường Minh Xuân"
    assert body["notices"]["published"] == 3
    assert body["plays"]["plays"] == 3
    assert body["alerts"]["share"] == 0.5


def test_summary_takes_dates_as_officers_write_them_and_default_periods(client, tokens, seeded):
    written = client.get(URL, query_string={"unit": COMMUNE, "from": "01/01/2026", "to": "30/06/2026"},
                         headers=bearer(tokens["viewer"]))
    named = client.get(URL, query_string={"unit": COMMUNE, "period": "2026-H1"}, headers=bearer(tokens["viewer"]))

    assert written.get_json()["notices"] == named.get_json()["notices"]
    assert named.get_json()["period"]["key"] == "2026-H1"


def test_csv_download(client, tokens, seeded):
    response = client.get(URL, query_string={"unit": COMMUNE, **H1, "format": "csv"}, headers=bearer(tokens["viewer"]))

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8-sig")
    assert "Phường Minh Xuân" in text
    assert "notices.published,Thông báo,Thông báo đã phát hành,3" in text
    assert "plays.count,Lượt phát,Số lượt phát,3" in text


def test_xlsx_download_opens_in_openpyxl(client, tokens, seeded):
    response = client.get(URL, query_string={"unit": COMMUNE, **H1, "format": "xlsx"}, headers=bearer(tokens["viewer"]))

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    book = load_workbook(io.BytesIO(response.data))
    figures = {row[3]: row[2] for row in book.worksheets[0].iter_rows(values_only=True) if row and len(row) > 3}
    assert figures["notices.published"] == 3
    assert figures["feedback.answered"] == 2
    assert book.worksheets[1].cell(2, 2).value == "Lũ trên sông Lô"


def test_pdf_download_opens_and_reads_in_vietnamese(client, tokens, seeded):
    response = client.get(URL, query_string={"unit": COMMUNE, **H1, "format": "pdf"}, headers=bearer(tokens["viewer"]))

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.data.startswith(b"%PDF")
    document = pypdfium2.PdfDocument(response.data)
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    assert "Phường Minh Xuân" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "01/01/2026" in text and "30/06/2026" in text
    assert "Phòng, chống thiên tai" in text  # a chart's label, drawn in the PDF too


def test_unit_outside_scope_answers_404_like_an_unknown_one(client, tokens, seeded):
    outside = client.get(URL, query_string={"unit": PROVINCE, **H1}, headers=bearer(tokens["viewer"]))
    other = client.get(URL, query_string={"unit": OTHER_COMMUNE, **H1, "format": "pdf"}, headers=bearer(tokens["province_admin"]))
    unknown = client.get(URL, query_string={"unit": "99999", **H1}, headers=bearer(tokens["viewer"]))

    for response in (outside, other, unknown):
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] in ("unknown_unit", "not_found")


@pytest.mark.parametrize(("query", "field"), [
    ({"from": "2026-06-30", "to": "2026-01-01"}, "to"),
    ({"from": "2020-01-01", "to": "2026-01-01"}, "to"),
    ({"from": "32/01/2026", "to": "2026-02-01"}, "from"),
    ({"from": "2026-01-01"}, "to"),
    ({"period": "2026-H7"}, "period"),
    ({"format": "docx"}, "format"),
    ({"colour": "red"}, "colour"),
])
def test_bad_input_answers_422_naming_the_field(client, tokens, query, field):
    response = client.get(URL, query_string={"unit": COMMUNE, **query}, headers=bearer(tokens["viewer"]))

    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in response.get_json()["error"]["fields"]


def test_missing_unit_and_missing_token(client, tokens):
    assert client.get(URL, headers=bearer(tokens["viewer"])).status_code == 422
    assert client.get(URL, query_string={"unit": COMMUNE}).status_code == 401


def test_summary_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()

    operation = spec["paths"]["/api/v1/reports/summary"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"unit", "from", "to", "format"}
