"""Absolute URLs handed to citizens and screens: KIOSK_PUBLIC_URL when set, never a host a client forged."""

from __future__ import annotations

import pytest

from kiosk_server.extensions import db
from kiosk_server.services.core import public_urls
from kiosk_server.services.screens import kiosks
from tests.conftest import COMMUNE, bearer, make_app
from tests.feedback_helpers import make_item
from tests.notice_helpers import publish
from tests.web.test_api import assert_error

FORGED = {"X-Forwarded-Host": "evil.example", "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
PUBLIC = "https://bangtin.tuyenquang.gov.vn"


def _urls_handed_out(app) -> tuple[list[str], set[str]]:
    """Return every absolute URL the server writes for requests carrying forged forwarding headers,
    and the other sites' addresses among them (links and QR targets, passed through as they are)."""
    from kiosk_server.services.core.tokens import create_token
    from kiosk_server.services.core.users import create_user

    editor = create_user("e@example.vn", "password-123", "editor", COMMUNE, actor="test")
    approver = create_user("a@example.vn", "password-123", "approver", COMMUNE, actor="test")
    tokens = {"editor": create_token(editor)[1], "approver": create_token(approver)[1]}
    _, screen = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    item = make_item(COMMUNE)
    client = app.test_client()
    client.environ_base.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in FORGED.items()})

    notice = publish(client, tokens)
    manifest = client.get("/kiosk/manifest", headers=bearer(screen)).get_json()
    feed = client.get(f"/p/{COMMUNE}/feed.xml").get_data(as_text=True)
    tracking = client.get(f"/api/v1/feedback/{item.id}", headers=bearer(tokens["editor"])).get_json()
    pairing = client.post("/kiosk/pairing").get_json()
    elsewhere = {link["target"] for link in manifest["links"]} | {i["qr_target"] for i in manifest["items"]}
    return [
        notice["public_url"],
        client.get(f"/api/v1/notices/{notice['id']}", headers=bearer(tokens["editor"])).get_json()["public_url"],
        tracking["tracking_url"],
        pairing["pair_url"],
        *(u for i in manifest["items"] for u in (i["public_url"], i["qr_url"]) if u),
        *(link["url"] for link in manifest["links"]),
        *(part.split('"')[0] for part in feed.split('href="')[1:]),
    ], elsewhere


@pytest.mark.parametrize("public_url", [None, PUBLIC])
def test_a_forged_forwarded_host_never_reaches_a_generated_url(tmp_path, public_url):
    app = make_app(tmp_path, PROXIES=1, **({"PUBLIC_URL": public_url} if public_url else {}))
    with app.app_context():
        urls, elsewhere = _urls_handed_out(app)
        db.session.remove()
        db.engine.dispose()
    assert urls and not [u for u in urls if "evil.example" in u]
    ours = [u for u in urls if u not in elsewhere]
    if public_url:
        assert all(u.startswith(PUBLIC + "/") for u in ours if "/admin/" not in u), ours
        assert any("/q/" in u for u in ours) and any("/p/feedback/" in u for u in ours)
    else:
        # No public address: links name the host the request came to; nginx sets it, not the client.
        assert all(u.startswith(("http://localhost/", "https://localhost/")) for u in ours), ours


def test_public_url_prefers_the_configured_address_over_the_request(app):
    assert public_urls.public_url("/n/3", "http://10.0.0.5:8000/") == "http://10.0.0.5:8000/n/3"
    assert public_urls.public_url("/n/3") is None
    app.config["PUBLIC_URL"] = PUBLIC + "/"
    assert public_urls.public_url("/n/3", "http://10.0.0.5:8000/") == PUBLIC + "/n/3"
    assert public_urls.public_base("http://10.0.0.5:8000/") == PUBLIC


def test_services_never_read_the_request():
    import inspect

    from kiosk_server.services.content import links, notices
    from kiosk_server.services.feedback import feedback
    from kiosk_server.services.read_models import manifest

    for module in (notices, feedback, manifest, links, public_urls):
        assert "request" not in {name for name, _ in inspect.getmembers(module)}, module.__name__


def test_if_match_errors_keep_their_codes_and_messages(client, tokens):
    from tests.notice_helpers import create

    created = create(client, tokens["editor"])
    path = f"/api/v1/notices/{created['id']}"
    missing = assert_error(client.patch(path, json={"title": "Mới"}, headers=bearer(tokens["editor"])), 428,
                           "if_match_required")
    assert missing["message"].startswith("Thiếu tiêu đề If-Match")
    malformed = assert_error(client.patch(path, json={"title": "Mới"},
                                          headers={**bearer(tokens["editor"]), "If-Match": "abc"}), 412, "stale_version")
    assert malformed["message"] == "If-Match phải là số phiên bản, ví dụ If-Match: 3."
    weak = client.patch(path, json={"title": "Mới"}, headers={**bearer(tokens["editor"]), "If-Match": 'W/"1"'})
    assert weak.status_code == 200 and weak.headers["ETag"] == '"2"'


def test_each_service_error_has_its_http_status():
    from kiosk_server.services.core import errors
    from kiosk_server.web.api.auth import Unauthorized
    from kiosk_server.web.errors import status_for

    assert [status_for(e("x")) for e in (errors.ServiceError, errors.ValidationFailed, errors.NotFound,
                                         errors.Forbidden, errors.Conflict, errors.StaleVersion,
                                         errors.VersionRequired, Unauthorized)] == [
        400, 422, 404, 403, 409, 412, 428, 401]
