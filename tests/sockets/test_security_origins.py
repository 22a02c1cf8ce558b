"""Issue 10, item 4: a Socket.IO connection from a foreign origin is refused, cookie or not."""

from __future__ import annotations

import pytest

from tests.conftest import make_app

HANDSHAKE = "/socket.io/?EIO=4&transport=polling"


def _handshake(client, origin: str | None, **headers):
    if origin is not None:
        headers["Origin"] = origin
    return client.get(HANDSHAKE, headers=headers)


def _connect_admin(client, origin: str | None) -> str:
    """Open a polling session and ask for /admin; return what the server answered the connect with."""
    response = _handshake(client, origin)
    assert response.status_code == 200, response.get_data(as_text=True)
    import json

    sid = json.loads(response.get_data(as_text=True)[1:])["sid"]
    headers = {"Origin": origin} if origin else {}
    posted = client.post(f"{HANDSHAKE}&sid={sid}", data="40/admin,", headers=headers,
                         content_type="text/plain;charset=UTF-8")
    assert posted.status_code == 200
    return client.get(f"{HANDSHAKE}&sid={sid}", headers=headers).get_data(as_text=True)


@pytest.mark.parametrize("origin", ["http://evil.example", "https://localhost", "http://localhost.evil.example",
                                    "null"])
def test_foreign_origin_with_a_valid_session_is_refused(client, auth, officers, origin):
    auth.login("xa@example.vn")
    response = _handshake(client, origin)
    assert response.status_code == 400
    assert "Not an accepted origin" in response.get_data(as_text=True)
    # The websocket upgrade goes through the same check.
    upgrade = client.get("/socket.io/?EIO=4&transport=websocket", headers={
        "Origin": origin, "Upgrade": "websocket", "Connection": "Upgrade",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13"})
    assert upgrade.status_code == 400


def test_same_origin_officer_is_let_in(client, auth, officers):
    auth.login("xa@example.vn")
    answer = _connect_admin(client, "http://localhost")
    assert answer.startswith("40/admin,")


def test_client_without_origin_still_connects(client):
    # bench/fanout.py and other non-browser clients send no Origin header.
    assert _handshake(client, None).status_code == 200


def test_public_url_origin_is_accepted(tmp_path):
    app = make_app(tmp_path, PUBLIC_URL="https://bangtin.example.vn/")
    client = app.test_client()
    with app.app_context():
        assert _handshake(client, "https://bangtin.example.vn").status_code == 200
        assert _handshake(client, "http://bangtin.example.vn").status_code == 400
