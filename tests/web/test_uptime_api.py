"""GET /api/v1/reports/uptime: in the OpenAPI document, paged, bad input answered 422 with the error shape."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk_server.extensions import db
from kiosk_server.models import KioskSession
from kiosk_server.models.base import utcnow
from kiosk_server.services.screens import kiosks
from tests.conftest import COMMUNE, PROVINCE, bearer

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)

URL = "/api/v1/reports/uptime"


def test_the_uptime_call_is_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    call = document["paths"]["/api/v1/reports/uptime"]["get"]
    assert {p["name"] for p in call["parameters"]} >= {"unit", "from", "to", "page", "per_page"}
    assert "Uptime" in document["components"]["schemas"]


def test_screens_come_a_page_at_a_time(client, tokens):
    for name in ("A", "B", "C"):
        kiosk, _ = kiosks.provision_kiosk(f"Màn hình {name}", COMMUNE, actor="test")
        db.session.add(KioskSession(kiosk_id=kiosk.id, started_at=utcnow() - timedelta(hours=3),
                                    last_heard_at=utcnow(), ended_at=None))
    db.session.commit()

    body = client.get(URL, query_string={"unit": PROVINCE, "per_page": 2, "page": 2},
                      headers=bearer(tokens["province_admin"])).get_json()

    assert (body["page"], body["pages"], body["total"]) == (2, 2, 3)
    assert [k["name"] for k in body["kiosks"]] == ["Màn hình C"]
    assert body["kiosks"][0]["outages"] == [] and body["kiosks"][0]["share"] == 1.0


@pytest.mark.parametrize("query, field", [
    ({"from": "2026-02-30", "to": "2026-03-01"}, "from"),
    ({"from": "2026-03-01", "to": "2026-02-01"}, "to"),
    ({"from": "9999-01-01", "to": "9999-12-31"}, "from"),
    ({"per_page": 0}, "per_page"),
    ({"page": "x"}, "page"),
])
def test_bad_input_is_refused_with_the_field_named(client, tokens, query, field):
    response = client.get(URL, query_string={"unit": COMMUNE, **query}, headers=bearer(tokens["viewer"]))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in str(response.get_json()["error"]["fields"])


def test_a_token_is_required(client):
    assert client.get(URL, query_string={"unit": COMMUNE}).status_code == 401
