"""Looking a record up by id (docs/security.md): outside the officer's scope it reads exactly as missing.

For every kind of record and every officer page and API call that takes its id: an unknown id is 404;
an id of another province is 404 with the same answer, word for word; an id in scope opens; and a
write aimed at a hidden id leaves the database as it was. Seeing a record but not being allowed to
change it is a 403 that says why, and a role too low for an action is 403 before any lookup.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from kiosk_server.domain.schedule import VN
from kiosk_server.extensions import db
from kiosk_server.services.alerts import alerts
from kiosk_server.services.content import links, notices
from kiosk_server.services.content import media as media_service
from kiosk_server.services.core import tokens
from kiosk_server.services.screens import kiosks
from tests import media_factory
from tests.conftest import COMMUNE, OTHER_COMMUNE, PROVINCE, bearer
from tests.feedback_helpers import make_item
from tests.notice_helpers import notice_body

ACTOR = "xa@example.vn"  # `officers["commune_admin"]`: every permission, scope of one commune
MISSING = 987654
MISSING_UNIT = "99999"
# Columns a request may touch without changing anything: when an officer or a token was last used.
LIVENESS = {"last_login_at", "last_used_at"}


# --- the records, one in the actor's scope and one of another province -------------------------

def _notice(officers, mine: bool) -> int:
    if mine:
        return notices.create_notice(notice_body(), officers["editor"]).id
    return notices.create_notice(notice_body(unit_code=OTHER_COMMUNE), officers["other_admin"]).id


def _alert(officers, mine: bool) -> int:
    body = {"headline": "Cảnh báo lũ quét", "hazard": "flash_flood", "level": 3,
            "unit_codes": [COMMUNE if mine else OTHER_COMMUNE],
            "expires_at": (datetime.now(VN) + timedelta(hours=3)).isoformat()}
    return alerts.raise_alert(body, officers["commune_admin" if mine else "other_admin"]).id


def _feedback(officers, mine: bool) -> int:
    return make_item(COMMUNE if mine else OTHER_COMMUNE, photo=media_factory.jpeg()).id


def _kiosk(officers, mine: bool) -> int:
    kiosk, _ = kiosks.provision_kiosk("Một cửa", COMMUNE if mine else OTHER_COMMUNE,
                                      actor=officers["commune_admin" if mine else "other_admin"])
    return kiosk.id


def _media(officers, mine: bool) -> int:
    upload = FileStorage(io.BytesIO(media_factory.png()), "anh.png")
    return media_service.ingest_upload(upload, COMMUNE if mine else OTHER_COMMUNE,
                                       officers["commune_admin" if mine else "other_admin"]).id


def _user(officers, mine: bool) -> int:
    return officers["editor" if mine else "other_admin"].id


def _link(officers, mine: bool) -> int:
    actor = officers["commune_admin" if mine else "other_admin"]
    return links.add_link(COMMUNE if mine else OTHER_COMMUNE, "https://dichvucong.gov.vn/", "Dịch vụ công", actor).id


def _token(officers, mine: bool) -> int:
    row, _ = tokens.create_token(officers["commune_admin" if mine else "other_admin"], "thử")
    return row.id


def _unit(officers, mine: bool) -> str:
    return COMMUNE if mine else OTHER_COMMUNE


@dataclass(frozen=True)
class Call:
    """One page or API call that takes a record's id, and how it answers when the record is in scope."""

    method: str
    path: str  # with {id}
    ok: int  # the answer for the record in scope
    data: dict | None = None  # form fields (pages) or JSON body (API)
    headers: dict | None = None


@dataclass(frozen=True)
class Kind:
    make: Callable[[dict, bool], int | str]
    calls: tuple[Call, ...]
    missing: int | str = MISSING


KINDS: dict[str, Kind] = {
    "notice": Kind(_notice, (
        Call("GET", "/admin/notices/{id}", 200),
        Call("GET", "/admin/notices/{id}/edit", 200),
        Call("POST", "/admin/notices/{id}/submit", 302),
        Call("POST", "/admin/notices/{id}/withdraw", 302),
        Call("GET", "/api/v1/notices/{id}", 200),
        Call("PATCH", "/api/v1/notices/{id}", 200, {"title": "Tiêu đề mới"}, {"If-Match": "1"}),
        Call("POST", "/api/v1/notices/{id}/submit", 200),
        Call("POST", "/api/v1/notices/{id}/reject", 409, {"reason": "Thiếu ngày giờ"}),
        Call("POST", "/api/v1/notices/{id}/approve", 409),
        Call("POST", "/api/v1/notices/{id}/withdraw", 409),
    )),
    "alert": Kind(_alert, (
        Call("GET", "/admin/alerts/{id}", 200),
        Call("GET", "/admin/alerts/{id}/receipts", 200),
        Call("GET", "/admin/alerts/{id}/cap", 200),
        Call("POST", "/admin/alerts/{id}/cancel", 302),
        Call("GET", "/api/v1/alerts/{id}", 200),
        Call("POST", "/api/v1/alerts/{id}/cancel", 200),
    )),
    "feedback": Kind(_feedback, (
        Call("GET", "/admin/feedback/{id}", 200),
        Call("GET", "/admin/feedback/{id}/photo", 200),
        Call("POST", "/admin/feedback/{id}/reply", 302, {"message": "Đã cử cán bộ xuống kiểm tra."}),
        Call("POST", "/admin/feedback/{id}/status", 302, {"status": "in_progress"}),
        Call("POST", "/admin/feedback/{id}/erase", 302),
        Call("GET", "/api/v1/feedback/{id}", 200),
        Call("GET", "/api/v1/feedback/{id}/photo", 200),
        Call("POST", "/api/v1/feedback/{id}/reply", 200, {"message": "Đã cử cán bộ xuống kiểm tra.", "publish": False}),
        Call("POST", "/api/v1/feedback/{id}/status", 200, {"status": "in_progress"}),
        Call("POST", "/api/v1/feedback/{id}/erase-personal-data", 200),
    )),
    "kiosk": Kind(_kiosk, (
        Call("GET", "/admin/kiosks/{id}/edit", 200),
        Call("GET", "/admin/kiosks/{id}/timeline", 200),
        Call("POST", "/admin/kiosks/{id}/edit", 302, {"name": "Chợ", "unit_code": COMMUNE, "theme": "default", "groups": ""}),
        Call("POST", "/admin/kiosks/{id}/revoke", 302),
        Call("GET", "/api/v1/kiosks/{id}", 200),
        Call("PATCH", "/api/v1/kiosks/{id}", 200, {"name": "Chợ"}),
        Call("POST", "/api/v1/kiosks/{id}/revoke", 200),
    )),
    "media": Kind(_media, (
        Call("POST", "/admin/media/{id}/delete", 302),
        Call("GET", "/api/v1/media/{id}", 200),
        Call("DELETE", "/api/v1/media/{id}", 204),
    )),
    "user": Kind(_user, (
        Call("GET", "/admin/users/{id}", 200),
        Call("POST", "/admin/users/{id}", 302, {"email": "bientap@example.vn", "name": "Tên mới", "role": "editor",
                                                "unit_code": COMMUNE, "active": "y"}),
        Call("POST", "/admin/users/{id}/sign-out-everywhere", 302),
        Call("GET", "/api/v1/users/{id}", 200),
        Call("PATCH", "/api/v1/users/{id}", 200, {"name": "Tên mới"}),
    )),
    "link": Kind(_link, (Call("POST", "/admin/links/{id}/remove", 302),)),
    "token": Kind(_token, (Call("POST", "/admin/tokens/{id}/revoke", 302),)),
    # Administrative units themselves are public reference data (`GET /api/v1/units/{code}` answers
    # anyone); the officer's page of a unit, with its screens, is scoped.
    "unit": Kind(_unit, (Call("GET", "/admin/units/{id}", 200),), missing=MISSING_UNIT),
}

CASES = [pytest.param(kind, call, id=f"{kind}-{call.method}-{call.path}") for kind, spec in KINDS.items()
         for call in spec.calls]


# --- driving a call, and reading its answer -----------------------------------------------------

@pytest.fixture
def actor(client, auth, officers, tokens):
    """Send a call as the commune admin: signed in for pages (CSRF token added), by token for the API."""
    auth.login(ACTOR)
    csrf = auth.csrf("/admin/")
    token = tokens["commune_admin"]

    def send(call: Call, key: int | str):
        path = call.path.format(id=key)
        if path.startswith("/api/"):
            return client.open(path, method=call.method, json=call.data, headers={**bearer(token), **(call.headers or {})},
                               buffered=True)
        data = {**(call.data or {}), "csrf_token": csrf} if call.method == "POST" else None
        return client.open(path, method=call.method, data=data, buffered=True)  # buffered: a file is closed at once

    return send


def answer(response, key: int | str) -> object:
    """Return what a 404 tells the caller, with the id it named written as {id}."""
    if response.is_json:
        error = response.get_json()["error"]
        return {**error, "message": error["message"].replace(str(key), "{id}")}
    heading = re.search(r"<h1>(.*?)</h1>", response.get_data(as_text=True), re.S)
    assert heading, response.get_data(as_text=True)[:500]
    return heading.group(1).strip().replace(str(key), "{id}")


def snapshot() -> dict:
    """Return every row of every table, leaving out only when someone was last seen."""
    db.session.expire_all()
    rows = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if c.name not in LIVENESS]
        rows[table.name] = sorted(repr(tuple(row)) for row in db.session.execute(select(*columns)))
    return rows


# --- the rule -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "call"), CASES)
def test_another_provinces_record_answers_like_a_missing_one(officers, actor, kind, call):
    spec = KINDS[kind]
    hidden = spec.make(officers, False)
    missing = actor(call, spec.missing)
    before = snapshot()
    response = actor(call, hidden)
    assert snapshot() == before, "a call on a hidden record changed the database"
    assert missing.status_code == 404, missing.get_data(as_text=True)[:500]
    assert response.status_code == 404, response.get_data(as_text=True)[:500]
    assert answer(response, hidden) == answer(missing, spec.missing)


@pytest.mark.parametrize(("kind", "call"), CASES)
def test_a_record_in_scope_opens(officers, actor, kind, call):
    mine = KINDS[kind].make(officers, True)
    response = actor(call, mine)
    assert response.status_code == call.ok, response.get_data(as_text=True)[:500]


# --- seeing is not changing -----------------------------------------------------------------------

def test_a_viewer_posting_to_an_editors_action_is_403_whether_or_not_the_id_exists(client, auth, officers, tokens):
    item = make_item(COMMUNE)
    auth.login("xem@example.vn")
    csrf = auth.csrf("/admin/")
    for key in (item.id, MISSING):
        page = client.post(f"/admin/feedback/{key}/status", data={"status": "closed", "csrf_token": csrf})
        api = client.post(f"/api/v1/feedback/{key}/status", json={"status": "closed"}, headers=bearer(tokens["viewer"]))
        assert (page.status_code, api.status_code) == (403, 403)
    assert client.get(f"/admin/feedback/{item.id}").status_code == 200


def test_a_commune_approver_reads_a_province_alert_but_cancelling_it_is_403_with_the_reason(client, officers, tokens):
    alert = alerts.raise_alert({"headline": "Bão số 3", "hazard": "storm", "level": 4, "unit_codes": [PROVINCE],
                                "expires_at": (datetime.now(VN) + timedelta(hours=3)).isoformat()},
                               officers["province_admin"])
    approver = bearer(tokens["approver"])
    assert client.get(f"/api/v1/alerts/{alert.id}", headers=approver).status_code == 200
    refused = client.post(f"/api/v1/alerts/{alert.id}/cancel", headers=approver)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "out_of_scope" and refused.get_json()["error"]["message"]
    assert alerts.is_active(db.session.get(type(alert), alert.id))


def test_a_national_link_is_listed_for_a_commune_editor_but_removing_it_is_403(client, auth, officers):
    national = links.add_link(None, "https://chinhphu.vn/", "Cổng Chính phủ", officers["national"])
    auth.login("bientap@example.vn")
    assert "Cổng Chính phủ" in client.get("/admin/links").get_data(as_text=True)
    before = snapshot()
    refused = client.post(f"/admin/links/{national.id}/remove", data={"csrf_token": auth.csrf("/admin/links")})
    assert refused.status_code == 403 and "ngoài phạm vi" in refused.get_data(as_text=True)
    assert snapshot() == before


def test_every_officer_lookup_goes_through_the_one_helper():
    """No view keeps a copy of the rule: no `_visible` helpers, no hand-made 404 for a record."""
    from pathlib import Path

    web = Path(__file__).resolve().parents[2] / "kiosk_server" / "web"
    for folder in ("admin", "api"):
        for source in (web / folder).glob("*.py"):
            text = source.read_text(encoding="utf-8")
            assert not re.search(r"def _?visible", text), source
            assert not re.search(r"db\.session\.get\((Notice|Alert|Feedback|Kiosk|Media|User|PublicLink|ApiToken), \w+_id\)",
                                 text), source



@pytest.mark.parametrize("path", ["/admin/media", "/admin/feedback", "/api/v1/media", "/api/v1/feedback"])
def test_a_list_filtered_by_a_unit_outside_scope_is_403_and_by_an_unknown_unit_404(client, auth, tokens, path):
    # Units are public reference data, so naming one outside the scope discloses nothing: it is refused, with why.
    auth.login(ACTOR)
    headers = bearer(tokens["commune_admin"]) if path.startswith("/api/") else {}
    outside = client.get(f"{path}?unit={OTHER_COMMUNE}", headers=headers)
    assert outside.status_code == 403 and "ngoài phạm vi" in outside.get_data(as_text=True)
    assert client.get(f"{path}?unit={MISSING_UNIT}", headers=headers).status_code == 404
