"""Issue 10, item 10: paging and date parameters out of range answer 200 or a clear 4xx, never 500."""

from __future__ import annotations

import pytest

from kiosk_server.services.screens import kiosks
from tests.conftest import COMMUNE, bearer

BAD = [
    {"page": "99999999999999999999"},
    {"page": "9223372036854775808"},
    {"page": "4611686018427387904"},
    {"page": "-3"},
    {"page": "0"},
    {"page": "abc"},
    {"per_page": "99999999999999999999"},
    {"per_page": "-1"},
    {"date": "9999-12-31"},
    {"date": "0001-01-01"},
    {"date": "2026-13-45"},
    {"date": "99999-01-01"},
    {"since": "9999-12-31T23:59:59"},
    {"from": "9999-12-31", "to": "0001-01-01"},
]

UI_LISTS = [
    "/admin/notices", "/admin/approvals", "/admin/alerts", "/admin/media", "/admin/feedback", "/admin/audit",
    "/admin/units", "/admin/users", "/admin/kiosks", "/admin/tokens", "/admin/links", "/admin/",
    "/admin/kiosks/{kiosk}/timeline", f"/p/{COMMUNE}",
]
API_LISTS = [
    "/api/v1/notices", "/api/v1/media", "/api/v1/feedback", "/api/v1/alerts", "/api/v1/units",
    "/api/v1/users", "/api/v1/kiosks",
]


def _is_error_shape(response) -> bool:
    body = response.get_json(silent=True)
    return (isinstance(body, dict) and set(body) == {"error"}
            and set(body["error"]) == {"code", "message", "fields"} and bool(body["error"]["message"]))


@pytest.fixture
def kiosk_id(app):
    kiosk, _ = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    return kiosk.id


@pytest.mark.parametrize("query", BAD, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()))
@pytest.mark.parametrize("path", UI_LISTS)
def test_ui_list_answers_bad_paging_without_a_500(client, auth, officers, kiosk_id, path, query):
    auth.login("root@example.vn")
    response = client.get(path.format(kiosk=kiosk_id), query_string=query)
    assert response.status_code == 200 or 400 <= response.status_code < 500, response.status_code
    if response.status_code != 200:
        assert response.mimetype == "text/html"
        assert "Yêu cầu không hợp lệ" in response.get_data(as_text=True) or response.status_code == 404


@pytest.mark.parametrize("query", BAD, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()))
@pytest.mark.parametrize("path", API_LISTS)
def test_api_list_answers_bad_paging_without_a_500(client, tokens, path, query):
    response = client.get(path, query_string=query, headers=bearer(tokens["national"]))
    assert response.status_code == 200 or 400 <= response.status_code < 500, response.status_code
    if response.status_code != 200:
        assert _is_error_shape(response), response.get_data(as_text=True)[:300]


# --- lists that grow are paged, and alerts are filtered by scope before paging ----------------------

def _many_alerts(count: int, unit_code: str, *, expired: bool = True) -> None:
    from datetime import timedelta

    from sqlalchemy import insert, select

    from kiosk_server.extensions import db
    from kiosk_server.models import Alert, AlertUnit
    from kiosk_server.models.base import utcnow

    now = utcnow()
    db.session.execute(insert(Alert), [{
        "identifier": f"bulk-{unit_code}-{i}", "sender": "test", "sent_at": now, "status": "Actual", "source": "api",
        "headline": f"Tin {i}", "hazard": "flood", "level": 2, "unit_codes": [unit_code],
        "expires_at": now - timedelta(hours=1) if expired else now + timedelta(hours=1),
        "created_at": now + timedelta(seconds=i),
    } for i in range(count)])
    ids = db.session.scalars(select(Alert.id).where(Alert.identifier.like(f"bulk-{unit_code}-%"))).all()
    db.session.execute(insert(AlertUnit), [{"alert_id": i, "unit_code": unit_code} for i in ids])
    db.session.commit()


def _raise_in_commune(client, tokens) -> int:
    from datetime import timedelta

    from kiosk_server.models.base import utcnow

    body = {"headline": "Lũ quét ở Minh Xuân", "hazard": "flash_flood", "level": 3, "unit_codes": [COMMUNE],
            "expires_at": (utcnow() + timedelta(hours=2)).isoformat()}
    response = client.post("/api/v1/alerts", json=body, headers=bearer(tokens["approver"]))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def test_api_alerts_keep_an_older_visible_alert_behind_many_newer_foreign_ones(client, tokens):
    from tests.conftest import OTHER_COMMUNE

    mine = _raise_in_commune(client, tokens)
    _many_alerts(600, OTHER_COMMUNE)
    listed = client.get("/api/v1/alerts", headers=bearer(tokens["editor"]))
    assert listed.status_code == 200
    assert [a["id"] for a in listed.get_json()] == [mine]
    active = client.get("/api/v1/alerts", query_string={"active": "1"}, headers=bearer(tokens["editor"])).get_json()
    assert [a["id"] for a in active] == [mine]
    national = client.get("/api/v1/alerts", query_string={"per_page": 500}, headers=bearer(tokens["national"]))
    assert len(national.get_json()) == 500
    last = client.get("/api/v1/alerts", query_string={"per_page": 500, "page": 2}, headers=bearer(tokens["national"]))
    assert len(last.get_json()) == 101 and mine in [a["id"] for a in last.get_json()]


def test_ui_alert_list_keeps_an_older_past_alert_behind_many_newer_foreign_ones(client, auth, tokens):
    from datetime import timedelta

    from kiosk_server.extensions import db
    from kiosk_server.models import Alert
    from kiosk_server.models.base import utcnow
    from tests.conftest import OTHER_COMMUNE

    mine = _raise_in_commune(client, tokens)
    alert = db.session.get(Alert, mine)
    alert.expires_at = alert.created_at = utcnow() - timedelta(days=1)  # long past, the oldest of all
    db.session.commit()
    _many_alerts(2100, OTHER_COMMUNE)
    auth.login("bientap@example.vn")
    page = client.get("/admin/alerts")
    assert page.status_code == 200
    assert f"/admin/alerts/{mine}" in page.get_data(as_text=True)


def test_api_kiosks_and_users_come_a_page_at_a_time(client, tokens):
    for n in range(3):
        kiosks.provision_kiosk(f"Màn hình {n}", COMMUNE, actor="test")
    first = client.get("/api/v1/kiosks", query_string={"per_page": 2}, headers=bearer(tokens["national"])).get_json()
    second = client.get("/api/v1/kiosks", query_string={"per_page": 2, "page": 2},
                        headers=bearer(tokens["national"])).get_json()
    assert len(first) == 2 and len(second) == 1
    assert {k["id"] for k in first}.isdisjoint({k["id"] for k in second})
    users = client.get("/api/v1/users", query_string={"per_page": 3, "page": 3}, headers=bearer(tokens["national"]))
    assert [u["email"] for u in users.get_json()] == ["xem@example.vn"]  # 7 officers by email: the 7th


def test_api_refuses_a_page_past_the_bound_in_the_contract_shape(client, tokens):
    for path in API_LISTS:
        if path == "/api/v1/units":
            continue
        response = client.get(path, query_string={"page": "99999999999999999999"}, headers=bearer(tokens["national"]))
        assert response.status_code == 422, path
        assert _is_error_shape(response) and "page" in response.get_json()["error"]["fields"]


def test_ui_lists_of_users_and_screens_show_a_pager(client, auth, officers, monkeypatch):
    from kiosk_server.web.admin import kiosk_views, user_views

    auth.login("root@example.vn")
    monkeypatch.setattr(user_views, "PAGE", 3)
    monkeypatch.setattr(kiosk_views, "PAGE", 1)
    for n in range(2):
        kiosks.provision_kiosk(f"Màn hình {n}", COMMUNE, actor="test")
    assert "Trang 1 / 3" in client.get("/admin/users").get_data(as_text=True)
    assert "Trang 3 / 3" in client.get("/admin/users?page=99").get_data(as_text=True)
    assert "Trang 2 / 2" in client.get("/admin/kiosks?page=2").get_data(as_text=True)
