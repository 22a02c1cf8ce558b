"""The public page of a notice: what a citizen opens from the QR code, without signing in."""

import pytest

from tests.conftest import bearer
from tests.notice_helpers import create, publish, vn_day_ahead

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)


def test_published_notice_is_readable_without_sign_in(client, tokens):
    ends = vn_day_ahead(40)
    approved = publish(client, tokens, ends_at=f"{ends:%Y-%m-%d}T17:00",
                       translations=[{"language": "km", "title": "ការប្រកាស", "body": "<p>អត្ថបទ</p>"}])
    page = client.get(f"/n/{approved['id']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Lịch tiếp công dân tháng 12" in html and "<strong>thứ Năm</strong>" in html
    assert "Phường Minh Xuân" in html and f"{ends:%d/%m/%Y} 17:00" in html
    assert 'lang="km"' in html and "ការប្រកាស" in html
    assert "<script" not in html, "a phone on 3G gets no scripts"


def test_draft_and_withdrawn_notices_are_not_public(client, tokens):
    draft = create(client, tokens["editor"])
    assert client.get(f"/n/{draft['id']}").status_code == 404
    approved = publish(client, tokens, title="Sẽ gỡ")
    client.post(f"/api/v1/notices/{approved['id']}/withdraw", headers=bearer(tokens["approver"]))
    page = client.get(f"/n/{approved['id']}")
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert "không còn được đăng" in html
    assert "Đăng xuất" not in html and "Tổng quan" not in html, "citizens never see the officers' menu"
    assert client.get("/n/0").status_code == 404
