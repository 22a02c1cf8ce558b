"""Helpers for playlist tests: a valid body, media to put in it, and driving the workflow through the API."""

from __future__ import annotations

import io

from tests import media_factory
from tests.conftest import COMMUNE, bearer


def playlist_body(items: list[dict], **changes) -> dict:
    body = {"name": "Chương trình tối thứ Bảy ở nhà văn hóa", "unit_code": COMMUNE, "items": items, "mode": "mixed"}
    body.update(changes)
    return body


def upload_picture(client, token, name: str = "huong-dan-vneid.png", width: int = 64) -> dict:
    response = client.post("/api/v1/media", data={"file": (io.BytesIO(media_factory.png(width, 48)), name)},
                           headers=bearer(token), content_type="multipart/form-data")
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def create_playlist(client, token, items: list[dict], **changes) -> dict:
    response = client.post("/api/v1/playlists", json=playlist_body(items, **changes), headers=bearer(token))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def publish_playlist(client, tokens, items: list[dict], author="editor", approver="approver", **changes) -> dict:
    """Create, submit and approve a playlist; return the approved playlist's JSON."""
    created = create_playlist(client, tokens[author], items, **changes)
    submitted = client.post(f"/api/v1/playlists/{created['id']}/submit", headers=bearer(tokens[author]))
    assert submitted.status_code == 200, submitted.get_data(as_text=True)
    approved = client.post(f"/api/v1/playlists/{created['id']}/approve", headers=bearer(tokens[approver]))
    assert approved.status_code == 200, approved.get_data(as_text=True)
    return approved.get_json()
