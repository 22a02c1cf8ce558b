"""Helpers for notice tests: a valid body, and driving the workflow through the API."""

from __future__ import annotations

from datetime import date, timedelta

from kiosk_server.domain.reports import local_today
from kiosk_server.models.base import utcnow
from tests.conftest import COMMUNE, bearer


def vn_day_ahead(days: int) -> date:
    """Return the Viet Nam day `days` after today on the test's clock: a date that never passes."""
    return local_today(utcnow()) + timedelta(days=days)


def notice_body(**changes) -> dict:
    body = {
        "title": "Lịch tiếp công dân tháng 12",
        "body": "<p>Ủy ban nhân dân phường tiếp công dân vào <strong>thứ Năm</strong> hằng tuần.</p>",
        "unit_code": COMMUNE,
        "priority": "normal",
        "category": "local",
    }
    body.update(changes)
    return body


def create(client, token, **changes) -> dict:
    response = client.post("/api/v1/notices", json=notice_body(**changes), headers=bearer(token))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def publish(client, tokens, author="editor", approver="approver", **changes) -> dict:
    """Create, submit and approve a notice; return the approved notice's JSON."""
    created = create(client, tokens[author], **changes)
    assert client.post(f"/api/v1/notices/{created['id']}/submit", headers=bearer(tokens[author])).status_code == 200
    approved = client.post(f"/api/v1/notices/{created['id']}/approve", headers=bearer(tokens[approver]))
    assert approved.status_code == 200, approved.get_data(as_text=True)
    return approved.get_json()
