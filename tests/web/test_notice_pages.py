"""Notices in the officer UI: the editor, the list, one notice, the approval queue, a screen's day."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from kiosk_server.domain.schedule import VN
from kiosk_server.extensions import db
from kiosk_server.models import Notice
from kiosk_server.services.content import notices
from kiosk_server.services.read_models import manifest
from kiosk_server.services.screens.kiosks import provision_kiosk
from kiosk_server.web.admin.timeline_views import CHART_W, CHART_X
from tests.conftest import COMMUNE, bearer
from tests.notice_helpers import create, publish, vn_day_ahead


def monday() -> date:
    """Return a Monday two months or so after today on the test's clock: nothing has expired by then."""
    ahead = vn_day_ahead(60)
    return ahead + timedelta(days=-ahead.weekday())


class FormReader(HTMLParser):
    """Collects what a browser would post from the notice editor's form, as a list of pairs."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.pairs: list[tuple[str, str]] = []
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "data-notice-form" in a:
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.pairs.append((a["name"], a.get("value", "on")))
            else:
                self.pairs.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self.select, self.options = a["name"], []
        elif tag == "option" and self.select:
            self.options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self.textarea, self.text = a["name"], ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            chosen = [v for v, selected in self.options if selected] or [self.options[0][0]]
            self.pairs.append((self.select, chosen[0]))
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.pairs.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.text += data


def editor_form(client, path: str) -> list[tuple[str, str]]:
    """Return the fields the editor at `path` would post unchanged (CSRF token and version included)."""
    reader = FormReader()
    reader.feed(client.get(path).get_data(as_text=True))
    return reader.pairs


def replace(pairs, **values) -> dict:
    """Return form data: `pairs` with each named field set to `values` (lists for repeated fields)."""
    data: dict[str, list[str]] = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    for name, value in values.items():
        data[name] = value if isinstance(value, list) else [value]
    return data


def flashes(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<div class="flash [a-z]+" role="\w+">([^<]+)</div>', page)]


def notice_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Notice))


# --- the editor -------------------------------------------------------------------------------------


def test_editor_creates_a_draft_that_the_list_shows(client, auth, officers):
    auth.login("bientap@example.vn")
    form = replace(
        editor_form(client, "/admin/notices/new"),
        title="Lịch tiêm phòng dại cho chó, mèo",
        body="Trạm thú y tiêm phòng dại.\n\nSáng thứ Bảy tại nhà văn hóa tổ 5.",
        priority="priority", category="health", days=["6", "7"],
        **{"hours-0-start": "07:00", "hours-0-end": "11:30", "hours-1-start": "22:00", "hours-1-end": "02:00",
           "starts_at": "01/12/2029 07:30", "ends_at": "31/12/2029 17:00", "qr_url": "https://dichvucong.gov.vn",
           "translations-0-language": "hmn", "translations-0-title": "Txhaj tshuaj tiv thaiv",
           "translations-0-body": "Hnub Rau", "action": "save"},
    )

    response = client.post("/admin/notices/new", data=form)

    assert response.status_code == 302, flashes(response.get_data(as_text=True))
    notice = db.session.scalar(select(Notice))
    assert response.headers["Location"].endswith(f"/admin/notices/{notice.id}")
    content = notices.head(notice).content
    assert (notice.status, notice.priority, notice.category) == ("draft", "priority", "health")
    assert content["body"] == "<p>Trạm thú y tiêm phòng dại.</p><p>Sáng thứ Bảy tại nhà văn hóa tổ 5.</p>"
    assert content["rules"] == {"starts_at": "2029-12-01T07:30:00+07:00", "ends_at": "2029-12-31T17:00:00+07:00",
                                "days": [6, 7], "hours": [["07:00", "11:30"], ["22:00", "02:00"]]}
    assert content["targets"] == {"units": [COMMUNE], "groups": [], "kiosks": []}, "no target: the unit's screens"
    assert content["translations"] == [{"language": "hmn", "title": "Txhaj tshuaj tiv thaiv", "body": "<p>Hnub Rau</p>"}]
    assert content["qr_url"] == "https://dichvucong.gov.vn"
    listing = client.get("/admin/notices").get_data(as_text=True)
    assert "Lịch tiêm phòng dại cho chó, mèo" in listing
    assert "Ưu tiên" in listing and "Bản nháp" in listing
    assert "01/12/2029 07:30" in listing and "31/12/2029 17:00" in listing


def test_field_errors_show_beside_their_fields_and_nothing_is_stored(client, auth, officers):
    auth.login("bientap@example.vn")
    form = replace(
        editor_form(client, "/admin/notices/new"),
        title="", starts_at="10/12/2029 08:00", ends_at="01/12/2029 08:00", qr_url="javascript:alert(1)",
        **{"hours-0-start": "25:00", "hours-0-end": "08:00", "translations-0-language": "??",
           "translations-0-title": "x"},
    )

    response = client.post("/admin/notices/new", data=form)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="title-error">Hãy nhập tiêu đề\.', page)
    assert re.search(r'id="qr_url-error">Đường dẫn QR phải là địa chỉ http:// hoặc https://', page)
    assert re.search(r'id="hours-error">Giờ “25:00-08:00” không hợp lệ', page)
    assert re.search(r'id="translations-error">Mã ngôn ngữ “\?\?” không hợp lệ', page)
    assert "Cần sửa" in page, "an error summary links to every field at fault"
    assert 'value="javascript:alert(1)"' in page, "the officer's input is kept for correction"
    assert notice_count() == 0


def test_end_before_start_is_named_on_the_end_field(client, auth, officers):
    auth.login("bientap@example.vn")
    form = replace(editor_form(client, "/admin/notices/new"), title="Họp dân", starts_at="10/12/2029 08:00",
                   ends_at="01/12/2029 08:00")

    page = client.post("/admin/notices/new", data=form).get_data(as_text=True)

    assert re.search(r'id="ends_at-error">Thời điểm kết thúc phải sau thời điểm bắt đầu\.', page)
    assert notice_count() == 0


def test_moments_must_be_written_day_first_and_exist(client, auth, officers):
    auth.login("bientap@example.vn")
    form = replace(editor_form(client, "/admin/notices/new"), title="Họp dân", starts_at="31/02/2030 08:00",
                   ends_at="12/2030")

    page = client.post("/admin/notices/new", data=form).get_data(as_text=True)

    assert re.search(r'id="starts_at-error">Không có thời điểm “31/02/2030 08:00” trên lịch\.', page)
    assert re.search(r'id="ends_at-error">Nhập theo dạng ngày/tháng/năm giờ:phút', page)
    assert notice_count() == 0


def test_editing_without_changes_keeps_every_field(client, auth, officers, tokens):
    kiosk, _ = provision_kiosk("Một cửa", COMMUNE, ["Trụ sở"], actor="test")
    created = create(client, tokens["editor"], days=[1, 3], hours=[["07:00", "11:30"], ["22:00", "00:00"]],
                     starts_at="2029-12-01T07:30", translations=[{"language": "km", "title": "សេចក្តីជូនដំណឹង"}],
                     targets={"kiosks": [kiosk.id], "groups": ["Trụ sở"]}, duration_s=25)
    before = notices.head(db.session.get(Notice, created["id"])).content
    auth.login("bientap@example.vn")

    form = replace(editor_form(client, f"/admin/notices/{created['id']}/edit"), action="save")
    response = client.post(f"/admin/notices/{created['id']}/edit", data=form)

    assert response.status_code == 302, flashes(response.get_data(as_text=True))
    notice = db.session.get(Notice, created["id"])
    assert notice.version == 2
    assert notices.head(notice).content == before


def test_stale_version_shows_the_412_message_and_keeps_the_officers_text(client, auth, officers, tokens):
    created = create(client, tokens["editor"])
    auth.login("bientap@example.vn")
    form = replace(editor_form(client, f"/admin/notices/{created['id']}/edit"), title="Tiêu đề của tôi")
    # Someone else saves version 2 while this officer is still typing.
    client.patch(f"/api/v1/notices/{created['id']}", json={"title": "Tiêu đề của người khác"},
                 headers={**bearer(tokens["commune_admin"]), "If-Match": '"1"'})

    response = client.post(f"/admin/notices/{created['id']}/edit", data=form)

    page = response.get_data(as_text=True)
    assert response.status_code == 412
    assert any("Thông báo đã được sửa thành phiên bản 2 trong lúc bạn sửa phiên bản 1" in f for f in flashes(page))
    assert 'value="Tiêu đề của tôi"' in page, "nothing the officer typed is lost"
    assert 'name="version" type="hidden" value="2"' in page
    assert db.session.get(Notice, created["id"]).title == "Tiêu đề của người khác"


def test_preview_without_script_renders_the_sanitised_body_and_saves_nothing(client, auth, officers):
    auth.login("bientap@example.vn")
    form = replace(editor_form(client, "/admin/notices/new"), title="Xem thử", action="preview",
                   body='<p onclick="steal()">Xin chào</p><script>alert(1)</script>')

    page = client.post("/admin/notices/new", data=form).get_data(as_text=True)

    preview = page[page.index('data-part="body"'):]
    assert preview.startswith('data-part="body"><p>Xin chào</p></div>')
    assert "<script>alert" not in page and "onclick" not in preview
    assert notice_count() == 0


def test_save_and_submit_sends_the_notice_for_approval(client, auth, officers):
    auth.login("bientap@example.vn")
    form = replace(editor_form(client, "/admin/notices/new"), title="Họp tổ dân phố", action="submit")

    client.post("/admin/notices/new", data=form)

    assert db.session.scalar(select(Notice)).status == "submitted"


def test_viewer_cannot_open_the_editor(client, auth, officers, tokens):
    created = create(client, tokens["editor"])
    auth.login("xem@example.vn")

    assert client.get("/admin/notices/new").status_code == 403
    assert client.get(f"/admin/notices/{created['id']}/edit").status_code == 403
    response = client.post("/admin/notices/new", data={"title": "X", "csrf_token": auth.csrf("/admin/notices")})
    assert response.status_code == 403
    assert notice_count() == 1
    assert "Soạn thông báo" not in client.get("/admin/notices").get_data(as_text=True)


# --- list and detail --------------------------------------------------------------------------------


def test_list_filters_by_status_category_and_day(client, auth, officers, tokens):
    first = vn_day_ahead(30)  # the vaccination window: 30 days from a month ahead
    publish(client, tokens, title="Tiêm chủng", category="health", starts_at=f"{first}T00:00",
            ends_at=f"{first + timedelta(days=30)}T00:00")
    create(client, tokens["editor"], title="Họp dân phố", category="local")
    auth.login("xem@example.vn")

    def titles(query: str) -> set[str]:
        page = client.get("/admin/notices" + query).get_data(as_text=True)
        return {t for t in ("Tiêm chủng", "Họp dân phố") if t in page}

    assert titles("") == {"Tiêm chủng", "Họp dân phố"}
    assert titles("?status=published") == {"Tiêm chủng"}
    assert titles("?category=local") == {"Họp dân phố"}
    assert titles(f"?date={first + timedelta(days=45)}") == {"Họp dân phố"}, "the vaccination window has closed by then"
    assert titles(f"?unit={COMMUNE}&date={first + timedelta(days=14)}") == {"Tiêm chủng", "Họp dân phố"}
    assert "Ngày không hợp lệ" in client.get("/admin/notices?date=15/01/2030").get_data(as_text=True)


def test_detail_shows_the_playing_version_beside_the_pending_edit(client, auth, officers, tokens):
    published = publish(client, tokens, title="Lịch tiếp dân")
    client.patch(f"/api/v1/notices/{published['id']}", json={"title": "Lịch tiếp dân (sửa)"},
                 headers={**bearer(tokens["editor"]), "If-Match": '"1"'})
    client.post(f"/api/v1/notices/{published['id']}/submit", headers=bearer(tokens["editor"]))
    auth.login("duyet@example.vn")

    page = client.get(f"/admin/notices/{published['id']}").get_data(as_text=True)

    assert "Đang hiển thị phiên bản 1; bản sửa phiên bản 2 đang chờ duyệt." in page
    assert "Phiên bản 1" in page and "Phiên bản 2" in page
    assert f"/n/{published['id']}" in page, "the public URL is shown"
    for button in ("Duyệt và phát hành", "Trả lại", "Gỡ khỏi màn hình", "Sửa"):
        assert button in page


# --- the workflow and the approval queue ---------------------------------------------------------


def test_queue_lists_a_submitted_notice_and_approving_it_publishes(client, auth, officers, tokens):
    kiosk, _ = provision_kiosk("Một cửa", COMMUNE, [], actor="test")
    created = create(client, tokens["editor"], title="Tổng vệ sinh môi trường")
    client.post(f"/api/v1/notices/{created['id']}/submit", headers=bearer(tokens["editor"]))
    auth.login("duyet@example.vn")

    queue = client.get("/admin/approvals").get_data(as_text=True)
    assert "Tổng vệ sinh môi trường" in queue
    assert re.search(r'data-testid="approval-count">.*?1', queue), "the nav counts what waits"

    response = client.post(f"/admin/notices/{created['id']}/approve",
                           data={"csrf_token": auth.csrf("/admin/approvals"), "next": "/admin/approvals"})

    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/approvals")
    notice = db.session.get(Notice, created["id"])
    assert (notice.status, notice.published_version) == ("published", 1)
    assert [item["title"] for item in manifest.build_manifest(db.session.get(type(kiosk), kiosk.id))["items"]] == [
        "Tổng vệ sinh môi trường"]
    after = client.get("/admin/approvals").get_data(as_text=True)
    assert "Đã duyệt và phát hành “Tổng vệ sinh môi trường”" in html.unescape(after)
    assert "Không có thông báo nào đang chờ duyệt." in after


def test_approving_ones_own_notice_is_refused_in_vietnamese(client, auth, officers, tokens):
    created = create(client, tokens["approver"], title="Tin của chính tôi")
    client.post(f"/api/v1/notices/{created['id']}/submit", headers=bearer(tokens["approver"]))
    auth.login("duyet@example.vn")

    queue = client.get("/admin/approvals").get_data(as_text=True)
    assert "Bạn không thể duyệt tin của chính mình." in queue
    response = client.post(f"/admin/notices/{created['id']}/approve", data={"csrf_token": auth.csrf("/admin/approvals")},
                           follow_redirects=True)

    assert response.status_code == 200
    assert "Người duyệt phải là người khác với người soạn hoặc người sửa thông báo." in flashes(response.get_data(as_text=True))
    assert db.session.get(Notice, created["id"]).status == "submitted"


def test_rejecting_needs_a_reason_and_the_author_reads_it(client, auth, officers, tokens):
    created = create(client, tokens["editor"])
    client.post(f"/api/v1/notices/{created['id']}/submit", headers=bearer(tokens["editor"]))
    auth.login("duyet@example.vn")
    path = f"/admin/notices/{created['id']}/reject"

    empty = client.post(path, data={"csrf_token": auth.csrf("/admin/approvals"), "reason": " "}, follow_redirects=True)
    assert "Hãy ghi lý do trả lại (tối đa 2000 ký tự)." in flashes(empty.get_data(as_text=True))
    client.post(path, data={"csrf_token": auth.csrf("/admin/approvals"), "reason": "Ghi rõ địa điểm họp."})
    auth.logout()
    auth.login("bientap@example.vn")

    page = client.get(f"/admin/notices/{created['id']}").get_data(as_text=True)
    assert db.session.get(Notice, created["id"]).status == "draft"
    assert "Ghi rõ địa điểm họp." in page and "Bị trả lại" in page
    assert "Gửi duyệt" in page


def test_author_withdraws_a_published_notice(client, auth, officers, tokens):
    published = publish(client, tokens)
    auth.login("bientap@example.vn")

    response = client.post(f"/admin/notices/{published['id']}/withdraw",
                           data={"csrf_token": auth.csrf(f"/admin/notices/{published['id']}")}, follow_redirects=True)

    assert any(f.startswith("Đã gỡ") for f in flashes(response.get_data(as_text=True)))
    assert db.session.get(Notice, published["id"]).published_version is None


# --- a screen's day ---------------------------------------------------------------------------------


def bar(page: str, span: str) -> tuple[float, float]:
    match = re.search(rf'<rect class="tl-bar" data-span="{span}" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', page)
    assert match, f"no bar {span}"
    return float(match[1]), float(match[2])


def test_timeline_draws_a_bar_where_the_notice_plays(client, auth, officers, tokens):
    kiosk, _ = provision_kiosk("Một cửa", COMMUNE, [], actor="test")
    publish(client, tokens, title="Lịch tiếp công dân", days=[1], hours=[["07:00", "11:30"]])
    auth.login("xem@example.vn")

    page = client.get(f"/admin/kiosks/{kiosk.id}/timeline?date={monday().isoformat()}").get_data(as_text=True)

    x, width = bar(page, "07:00–11:30")
    assert x == pytest.approx(CHART_X + CHART_W * 7 / 24)
    assert width == pytest.approx(CHART_W * 4.5 / 24)
    assert '<svg class="timeline"' in page and 'role="img"' in page and "<desc" in page
    assert "Lịch tiếp công dân</a>:\n      07:00–11:30" in page, "a text summary repeats the picture"
    tuesday = client.get(f"/admin/kiosks/{kiosk.id}/timeline?date={monday() + timedelta(days=1)}").get_data(as_text=True)
    assert 'class="tl-bar"' not in tuesday and "Không phát trong ngày này" in tuesday


def test_timeline_shows_the_emergency_interrupting_and_a_wrap_past_midnight(client, auth, officers, tokens):
    kiosk, _ = provision_kiosk("Chợ", COMMUNE, [], actor="test")
    publish(client, tokens, title="Giữ trật tự chợ đêm", hours=[["22:00", "02:00"]])
    publish(client, tokens, title="Lịch tiếp dân", hours=[["07:00", "11:30"]])
    publish(client, tokens, title="Bão số 3", priority="emergency", starts_at=f"{monday()}T09:00",
            ends_at=f"{monday()}T10:00")
    auth.login("xem@example.vn")

    page = client.get(f"/admin/kiosks/{kiosk.id}/timeline?date={monday().isoformat()}").get_data(as_text=True)

    assert bar(page, "00:00–02:00")[0] == pytest.approx(CHART_X)
    assert sum(bar(page, "22:00–24:00")) == pytest.approx(CHART_X + CHART_W)
    assert bar(page, "09:00–10:00")[0] == pytest.approx(CHART_X + CHART_W * 9 / 24)
    assert 'class="tl-cut" data-span="09:00–10:00"' in page, "the emergency interrupts the morning notice"
    assert "Tin khẩn cấp ngắt mọi nội dung:</strong> 09:00–10:00" in page
    rows = re.findall(r'<g class="tl-row prio-(\w+)"', page)
    assert rows == ["emergency", "normal", "normal"], "rows in play order"


def test_timeline_draws_an_active_alert_as_an_emergency_from_when_it_was_sent(client, auth, officers, tokens):
    kiosk, _ = provision_kiosk("Một cửa", COMMUNE, [], actor="test")
    publish(client, tokens, title="Lịch tiếp dân")
    before = datetime.now(VN)
    raised = client.post("/api/v1/alerts", headers=bearer(tokens["approver"]), json={
        "headline": "Lũ quét trên suối Nậm Mu", "hazard": "flash_flood", "level": 3, "unit_codes": [COMMUNE],
        "expires_at": f"{monday()}T15:00:00+07:00"})
    after = datetime.now(VN)
    assert raised.status_code == 201, raised.get_data(as_text=True)
    auth.login("xem@example.vn")

    page = client.get(f"/admin/kiosks/{kiosk.id}/timeline?date={monday().isoformat()}").get_data(as_text=True)
    today = client.get(f"/admin/kiosks/{kiosk.id}/timeline").get_data(as_text=True)

    assert "Cảnh báo cấp 3: Lũ quét trên suối Nậm Mu" in page
    assert bar(page, "00:00–15:00") == (pytest.approx(CHART_X), pytest.approx(CHART_W * 15 / 24))
    assert 'class="tl-cut" data-span="00:00–15:00"' in page, "the alert interrupts the notice below it"
    if before.date() == after.date():
        assert any(f'data-span="{moment:%H:%M}–24:00"' in today for moment in (before, after)), "from when it was sent"


def test_timeline_of_another_provinces_screen_is_not_found(client, auth, officers):
    kiosk, _ = provision_kiosk("Một cửa", COMMUNE, [], actor="test")
    auth.login("caobang@example.vn")

    assert client.get(f"/admin/kiosks/{kiosk.id}/timeline").status_code == 404
    auth.logout()
    auth.login("xem@example.vn")
    assert f"/admin/kiosks/{kiosk.id}/timeline" in client.get("/admin/kiosks").get_data(as_text=True)
    assert "Ngày không hợp lệ" in client.get(f"/admin/kiosks/{kiosk.id}/timeline?date=hôm-nay").get_data(as_text=True)


# --- every page, every role ---------------------------------------------------------------------------


def test_every_notice_page_renders_for_every_role(client, auth, officers, tokens):
    kiosk, _ = provision_kiosk("Một cửa", COMMUNE, ["Trụ sở"], actor="test")
    published = publish(client, tokens, hours=[["07:00", "11:30"]])
    waiting = create(client, tokens["editor"], title="Chờ duyệt")
    client.post(f"/api/v1/notices/{waiting['id']}/submit", headers=bearer(tokens["editor"]))
    pages = [
        "/admin/notices", "/admin/notices?status=submitted&category=local&date=2030-01-07&page=3",
        f"/admin/notices?unit={COMMUNE}", "/admin/notices/new", f"/admin/notices/{published['id']}",
        f"/admin/notices/{published['id']}/edit", f"/admin/notices/{waiting['id']}", "/admin/approvals",
        f"/admin/kiosks/{kiosk.id}/timeline", f"/admin/kiosks/{kiosk.id}/timeline?date=2030-01-07", "/admin/kiosks",
        "/admin/",
    ]
    for person in officers.values():
        auth.login(person.email)
        for page in pages:
            assert client.get(page).status_code in (200, 403, 404), (person.email, page)
        auth.logout()
