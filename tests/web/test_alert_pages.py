"""Emergency alerts in the officer UI: raise with a confirmation, live receipts, cancel, CAP download."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import unescape
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from kiosk_server.domain import cap, hazards
from kiosk_server.extensions import db, socketio
from kiosk_server.models import Alert, AuditEntry
from kiosk_server.models.base import utcnow
from kiosk_server.services.alerts import alerts
from kiosk_server.services.screens import kiosks
from tests.cap_samples import VN, cap_message, stamp
from tests.conftest import COMMUNE, OTHER_COMMUNE, OTHER_PROVINCE, PROVINCE, Auth

NEIGHBOUR = "02212"  # another commune of Tuyên Quang


# --- helpers ------------------------------------------------------------------------------------

def count_alerts() -> int:
    return db.session.scalar(select(func.count()).select_from(Alert))


def screen(app, unit=COMMUNE, name="Một cửa", online=True):
    """Provision a screen; with `online`, connect it as a test client and return that client too."""
    kiosk, token = kiosks.provision_kiosk(name, unit, actor="test")
    if not online:
        return kiosk, None
    client = socketio.test_client(app, namespace="/kiosk", auth={"token": token})
    client.get_received("/kiosk")
    return kiosk, client


def received(client, name):
    return [e["args"][0] for e in client.get_received("/kiosk") if e["name"] == name]


def watch(app, client):
    # A fresh app context, as every real connection has (see tests/sockets/test_kiosk_namespace.py).
    with app.app_context():
        return socketio.test_client(app, namespace="/admin", flask_test_client=client)


def local(moment: datetime) -> str:
    """Return `moment` as a datetime-local input writes it (Viet Nam wall clock)."""
    return moment.astimezone(VN).strftime("%Y-%m-%dT%H:%M")


def form_data(**changes) -> dict:
    data = {"hazard": "flash_flood", "level": "4", "headline": "Cảnh báo lũ quét", "description": "Mưa lớn kéo dài.",
            "instruction": "Lên vùng cao ngay.", "unit_codes": [COMMUNE],
            "expires_at": local(datetime.now(VN) + timedelta(hours=3)), "sound": "y"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


class _ConfirmForm(HTMLParser):
    """Collects the hidden inputs of the confirmation form, as a browser would post them back."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.fields: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "data-confirm-form" in attrs:
            self.inside = True
        elif tag == "input" and self.inside and attrs.get("type") == "hidden":
            self.fields.append((attrs["name"], attrs.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def confirm_fields(page: str) -> dict:
    parser = _ConfirmForm()
    parser.feed(page)
    fields: dict[str, list[str]] = {}
    for name, value in parser.fields:
        fields.setdefault(name, []).append(value)
    assert fields, "no confirmation form on the page"
    return {name: values if name == "unit_codes" else values[0] for name, values in fields.items()}


def review(client, auth, **changes):
    return client.post("/admin/alerts/new", data={**form_data(**changes), "action": "review",
                                                  "csrf_token": auth.csrf("/admin/alerts/new")})


def confirm(client, page: str):
    return client.post("/admin/alerts/new", data={**confirm_fields(page), "action": "confirm"})


def raise_for(officer, unit=COMMUNE, **changes) -> Alert:
    body = {"headline": "Cảnh báo lũ quét", "hazard": "flash_flood", "level": 4, "unit_codes": [unit],
            "expires_at": stamp(datetime.now(VN) + timedelta(hours=3))}
    body.update(changes)
    return alerts.raise_alert(body, officer)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", unescape(response.get_data(as_text=True)))


# --- raising ------------------------------------------------------------------------------------

def test_confirmation_counts_the_screens_then_confirm_raises(app, client, auth, officers):
    _, near = screen(app)
    screen(app, name="Nhà văn hóa", online=False)
    _, neighbour = screen(app, unit=NEIGHBOUR, name="Chợ Nông Tiến")
    auth.login("duyet@example.vn")

    page = review(client, auth)
    assert page.status_code == 200
    body = text_of(page)
    assert "Cảnh báo sẽ hiện ngay trên 2 màn hình." in body
    assert "1 màn hình đang kết nối sẽ hiện ngay; 1 màn hình đang mất kết nối sẽ hiện khi kết nối lại." in body
    assert "Cảnh báo lũ quét" in body and "Cấp độ 4 – Rủi ro thiên tai rất lớn" in body and "Phường Minh Xuân" in body
    assert count_alerts() == 0 and received(near, "alert") == [], "nothing goes out before the confirmation"

    response = confirm(client, page.get_data(as_text=True))
    alert = db.session.scalars(select(Alert)).one()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/alerts/{alert.id}")
    assert (alert.source, alert.level, alert.hazard, alert.sound, alert.kiosk_count) == ("ui", 4, "flash_flood", True, 2)
    assert alert.created_by_id == officers["approver"].id
    [payload] = received(near, "alert")
    assert payload["id"] == alert.id and payload["headline"] == "Cảnh báo lũ quét"
    assert received(neighbour, "alert") == [], "a screen outside the area hears nothing"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "alert.raise")).after["screens"] == 2
    assert "tới 2 màn hình" in text_of(client.get(response.headers["Location"]))


def test_province_alert_reaches_every_commune_of_the_province(app, client, auth, officers):
    _, near = screen(app)
    screen(app, unit=NEIGHBOUR, name="Chợ Nông Tiến", online=False)
    screen(app, unit=OTHER_COMMUNE, name="Cao Bằng")
    auth.login("tinh@example.vn")
    page = review(client, auth, unit_codes=[PROVINCE])
    body = text_of(page)
    assert "Cảnh báo sẽ hiện ngay trên 2 màn hình." in body and "(toàn tỉnh)" in body
    confirm(client, page.get_data(as_text=True))
    assert len(received(near, "alert")) == 1


def test_a_double_click_on_confirm_raises_one_alert(app, client, auth, officers):
    auth.login("duyet@example.vn")
    page = review(client, auth).get_data(as_text=True)
    first = confirm(client, page)
    second = confirm(client, page)
    assert count_alerts() == 1
    assert second.status_code == 302 and second.headers["Location"] == first.headers["Location"]


def test_going_back_keeps_what_was_typed(client, auth, officers):
    auth.login("duyet@example.vn")
    page = review(client, auth, headline="Bão số 3 đổ bộ").get_data(as_text=True)
    back = client.post("/admin/alerts/new", data={**confirm_fields(page), "action": "edit"})
    body = back.get_data(as_text=True)
    assert back.status_code == 200 and 'value="Bão số 3 đổ bộ"' in body
    assert re.search(r'value="4" checked', body) and re.search(rf'value="{COMMUNE}"[^>]*checked', body)
    assert count_alerts() == 0


@pytest.mark.parametrize("action", ["review", "confirm"])
def test_field_errors_show_beside_their_fields_in_vietnamese_and_nothing_is_stored(app, client, auth, officers, action):
    _, near = screen(app)
    auth.login("duyet@example.vn")
    data = form_data(hazard="", level=None, headline=" ", unit_codes=None,
                     expires_at=local(datetime.now(VN) - timedelta(minutes=5)), translation_language="km")
    response = client.post("/admin/alerts/new", data={**data, "action": action,
                                                      "csrf_token": auth.csrf("/admin/alerts/new")})
    assert response.status_code == 422
    page = unescape(response.get_data(as_text=True))
    for field, message in [
        ("hazard", "Hãy chọn loại thiên tai, sự cố."),
        ("level", "Hãy chọn một trong năm cấp độ rủi ro."),
        ("headline", "Tiêu đề cảnh báo cần từ 1 đến 300 ký tự."),
        ("unit_codes", "Hãy chọn ít nhất một đơn vị nhận cảnh báo."),
        ("expires_at", "Thời điểm hết hiệu lực đã qua."),
        ("translation_headline", "Hãy nhập tiêu đề bằng ngôn ngữ này"),
    ]:
        assert re.search(rf'<p class="error" id="{field}-error">[^<]*{re.escape(message)}', page), field
    assert 'data-testid="error-summary"' in page and "data-confirm-form" not in page
    assert count_alerts() == 0 and received(near, "alert") == []


def test_units_outside_the_officers_scope_are_refused(client, auth, officers):
    auth.login("duyet@example.vn")
    response = review(client, auth, unit_codes=[OTHER_COMMUNE])
    assert response.status_code == 422
    assert re.search(r'id="unit_codes-error">Ngoài phạm vi của bạn', unescape(response.get_data(as_text=True)))
    assert count_alerts() == 0


def test_the_form_offers_the_units_in_scope_with_their_screens(app, client, auth, officers):
    screen(app, online=False)
    auth.login("tinh@example.vn")
    page = client.get("/admin/alerts/new").get_data(as_text=True)
    assert re.search(rf'value="{PROVINCE}" data-province-box data-screens="1"', page)
    assert f'value="{COMMUNE}" data-screens="1"' in page and f'value="{NEIGHBOUR}" data-screens="0"' in page
    assert f'value="{OTHER_PROVINCE}"' not in page and f'value="{OTHER_COMMUNE}"' not in page
    for level, (name, _color, _text) in hazards.LEVELS.items():
        head, _, rest = name.partition(" – ")
        assert re.search(rf'<label class="level-tile level-{level}">\s*<input type="radio" name="level" value="{level}"', page)
        assert head in page and rest in page, "every tile writes its level, colour never says it alone"
    assert 'type="datetime-local"' in page and "data-quick-hours" in page
    expires = re.search(r'<input[^>]*name="expires_at"[^>]*>', page).group(0)
    default = datetime.fromisoformat(re.search(r'value="([^"]+)"', expires).group(1)).replace(tzinfo=VN)
    assert timedelta(hours=5, minutes=58) < default - datetime.now(VN) <= timedelta(hours=6)

    national = Auth(app.test_client())
    national.login("root@example.vn")
    page = national.client.get("/admin/alerts/new").get_data(as_text=True)
    assert f'value="{PROVINCE}"' in page and f'value="{OTHER_PROVINCE}"' in page

    commune = Auth(app.test_client())
    commune.login("duyet@example.vn")
    page = commune.client.get("/admin/alerts/new").get_data(as_text=True)
    assert re.search(rf'value="{COMMUNE}" data-screens="1" checked', page), "a one-commune officer warns their commune"


# --- receipts -----------------------------------------------------------------------------------

def test_alert_page_lists_screens_with_their_receipts(app, client, auth, officers):
    shown, near = screen(app)
    silent, _ = screen(app, name="Nhà văn hóa", online=False)
    screen(app, unit=NEIGHBOUR, name="Ngoài khu vực")
    alert = raise_for(officers["approver"])
    auth.login("duyet@example.vn")
    watcher = watch(app, client)
    watcher.get_received("/admin")

    near.emit("alert_ack", {"id": alert.id}, namespace="/kiosk")
    [acks] = [e["args"][0] for e in watcher.get_received("/admin") if e["name"] == "alert_acks"]
    [ack] = acks
    assert (ack["alert_id"], ack["kiosk_id"]) == (alert.id, shown.id), "the live page hears the receipt"

    page = client.get(f"/admin/alerts/{alert.id}")
    assert page.status_code == 200
    body = text_of(page)
    assert "Đã hiển thị 1/2 màn hình; 1 màn hình mất kết nối" in body
    assert alert.identifier in body and "Thật (Actual)" in body and "Ngoài khu vực" not in body
    rows = dict(re.findall(r'<tr data-kiosk-id="(\d+)"(.*?)</tr>', page.get_data(as_text=True), re.S))
    assert re.search(r"Đã hiển thị lúc \d\d:\d\d:\d\d", rows[str(shown.id)]) and "Trực tuyến" in rows[str(shown.id)]
    assert "Chưa xác nhận" in rows[str(silent.id)] and "Mất kết nối" in rows[str(silent.id)]
    assert list(rows) == [str(silent.id), str(shown.id)], "screens still to show it come first"

    receipts = client.get(f"/admin/alerts/{alert.id}/receipts").get_json()
    assert receipts["counts"] == {"total": 2, "shown": 1, "offline": 1, "offline_waiting": 1}
    assert {s["id"]: bool(s["acked_at"]) for s in receipts["screens"]} == {shown.id: True, silent.id: False}


def test_list_shows_active_alerts_first_with_level_written_and_past_ones_marked(app, client, auth, officers):
    screen(app, online=False)
    active = raise_for(officers["approver"], headline="Lũ quét đang về")
    ended = raise_for(officers["approver"], headline="Mưa lớn đã qua", hazard="heavy_rain", level=2)
    alerts.cancel(ended, officers["approver"])
    for status in ("Exercise", "Test"):
        alerts.from_cap(cap_message(f"EX-{status}", status=status, headline=f"Bản tin {status}").encode(),
                        officers["approver"])
    auth.login("xem@example.vn")
    page = text_of(client.get("/admin/alerts"))
    live, _, past = page.partition("Cảnh báo đã kết thúc")
    assert "Lũ quét đang về" in live and "Cấp độ 4 – Rủi ro thiên tai rất lớn" in live
    assert "đã hiển thị trên 0/1 màn hình" in live and "Mưa lớn đã qua" not in live
    assert "Mưa lớn đã qua" in past and "Đã hủy lúc" in past and "Cấp độ 2" in past
    assert "Diễn tập — không hiển thị cho người dân" in past and "Thử nghiệm — không hiển thị cho người dân" in past
    assert active.headline not in past


# --- cancel, CAP, roles -------------------------------------------------------------------------

def test_cancel_from_the_page_takes_it_off_the_screens(app, client, auth, officers):
    _, near = screen(app)
    alert = raise_for(officers["approver"])
    near.get_received("/kiosk")
    auth.login("duyet@example.vn")
    page = client.get(f"/admin/alerts/{alert.id}").get_data(as_text=True)
    assert 'data-testid="cancel-box"' in page and "Xác nhận hủy cảnh báo" in page
    response = client.post(f"/admin/alerts/{alert.id}/cancel", data={"csrf_token": auth.csrf(f"/admin/alerts/{alert.id}")})
    assert response.status_code == 302
    assert received(near, "alert_cancel") == [{"id": alert.id}]
    assert db.session.get(Alert, alert.id).cancelled_at is not None
    after = text_of(client.get(f"/admin/alerts/{alert.id}"))
    assert "Đã hủy cảnh báo" in after and 'data-testid="cancel-box"' not in after


def test_cap_download_is_a_valid_cap_document(client, auth, officers):
    alert = raise_for(officers["approver"], translations=[{"language": "km", "headline": "ការព្រមាន"}])
    auth.login("xem@example.vn")
    response = client.get(f"/admin/alerts/{alert.id}/cap")
    assert response.status_code == 200 and response.mimetype == "application/cap+xml"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{alert.identifier}.cap.xml"'
    assert cap.validate_document(response.data) == []
    assert cap.parse(response.data).infos[0].unit_codes == [COMMUNE]


def test_viewer_sees_alerts_but_cannot_raise_or_cancel(app, client, auth, officers):
    _, near = screen(app)
    alert = raise_for(officers["approver"])
    near.get_received("/kiosk")
    auth.login("xem@example.vn")
    listing = client.get("/admin/alerts").get_data(as_text=True)
    assert 'data-testid="raise-alert"' not in listing and "Phát cảnh báo khẩn cấp" not in listing
    assert 'href="/admin/alerts"' in listing, "the navigation offers alerts to every officer"
    detail = client.get(f"/admin/alerts/{alert.id}").get_data(as_text=True)
    assert 'data-testid="cancel-box"' not in detail and "/cancel" not in detail
    token = auth.csrf(f"/admin/alerts/{alert.id}")
    assert client.get("/admin/alerts/new").status_code == 403
    assert client.post("/admin/alerts/new", data={**form_data(), "action": "confirm", "csrf_token": token}).status_code == 403
    assert client.post(f"/admin/alerts/{alert.id}/cancel", data={"csrf_token": token}).status_code == 403
    assert count_alerts() == 1 and alerts.is_active(db.session.get(Alert, alert.id))
    assert received(near, "alert_cancel") == []


def test_a_commune_officer_sees_the_province_alert_but_may_not_cancel_it(client, auth, officers):
    alert = raise_for(officers["province_admin"], unit=PROVINCE)
    auth.login("duyet@example.vn")
    assert "Cảnh báo lũ quét" in text_of(client.get("/admin/alerts"))
    detail = client.get(f"/admin/alerts/{alert.id}").get_data(as_text=True)
    assert 'data-testid="cancel-box"' not in detail
    response = client.post(f"/admin/alerts/{alert.id}/cancel", data={"csrf_token": auth.csrf(f"/admin/alerts/{alert.id}")})
    assert response.status_code == 302 and "ngoài phạm vi" in text_of(client.get(response.headers["Location"])).lower()
    assert alerts.is_active(db.session.get(Alert, alert.id))


ROLES = ["national", "province_admin", "commune_admin", "approver", "editor", "viewer", "other_admin"]


@pytest.mark.parametrize("role", ROLES)
def test_every_alert_page_renders_for_every_role(app, client, auth, officers, role):
    screen(app)
    commune_alert = raise_for(officers["approver"])
    province_alert = raise_for(officers["province_admin"], unit=PROVINCE, level=5, hazard="storm",
                               effective_at=stamp(datetime.now(VN) + timedelta(minutes=30)))
    cancelled = raise_for(officers["approver"], level=1)
    alerts.cancel(cancelled, officers["approver"])
    expired = raise_for(officers["approver"], level=2)
    expired.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    drill, _ = alerts.from_cap(cap_message("EX-1", status="Exercise").encode(), officers["approver"])
    first, _ = alerts.from_cap(cap_message("TQ-1").encode(), officers["approver"])
    update, _ = alerts.from_cap(cap_message("TQ-2", msg_type="Update", level="3",
                                            references=f"canhbao@tuyenquang.gov.vn,TQ-1,{stamp(datetime.now(VN))}").encode(),
                                officers["approver"])
    every = [commune_alert, province_alert, cancelled, expired, drill, first, update]
    officer = officers[role]
    auth.login(officer.email)

    listing = client.get("/admin/alerts")
    assert listing.status_code == 200
    for page in ("/admin/alerts?page=2", "/admin/alerts?page=x"):
        assert client.get(page).status_code == 200
    for alert in every:
        expected = 404 if role == "other_admin" else 200
        for path in (f"/admin/alerts/{alert.id}", f"/admin/alerts/{alert.id}/cap", f"/admin/alerts/{alert.id}/receipts"):
            assert client.get(path).status_code == expected, (path, role)
    raiser = role not in ("editor", "viewer")
    assert client.get("/admin/alerts/new").status_code == (200 if raiser else 403)
    cancel_offered = f"/admin/alerts/{commune_alert.id}/cancel" in client.get(f"/admin/alerts/{commune_alert.id}").get_data(
        as_text=True)
    assert cancel_offered is (raiser and role != "other_admin")
    assert client.get("/admin/alerts/999999").status_code == 404
    if role == "other_admin":
        assert "Cảnh báo lũ quét" not in text_of(listing)


def test_alert_pages_render_in_english_too(app, client, auth, officers):
    alert = raise_for(officers["approver"])
    auth.login("duyet@example.vn")
    client.post("/lang/en", data={"csrf_token": auth.csrf("/admin/alerts"), "next": "/admin/alerts"})
    for path in ("/admin/alerts", "/admin/alerts/new", f"/admin/alerts/{alert.id}"):
        response = client.get(path)
        assert response.status_code == 200 and '<html lang="en">' in response.get_data(as_text=True), path
    assert review(client, auth).status_code == 200
