"""Issue 10, item 8: what anyone may ask for without signing in costs little and discloses nothing."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from kiosk_server.services.core.qr_images import signature
from kiosk_server.services.screens import kiosks
from tests.conftest import COMMUNE, bearer, make_app
from tests.notice_helpers import publish

LINK = "https://dichvucong.gov.vn/p/home/dvc-trang-chu.html"


@pytest.mark.parametrize("path", ["/kiosk/qr.svg", "/kiosk/qr.png"])
def test_qr_is_drawn_only_for_addresses_the_server_signed(client, path):
    url = "https://evil.example/phish"
    assert client.get(path, query_string={"u": url}).status_code == 404
    assert client.get(path, query_string={"u": url, "s": "0" * 32}).status_code == 404
    assert client.get(path, query_string={"u": url, "s": signature(LINK)}).status_code == 404
    assert client.get(path, query_string={"u": url, "s": signature(url)}).status_code == 200


def test_every_qr_in_the_manifest_comes_with_an_address_that_draws(client, tokens):
    _, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    publish(client, tokens, qr_url=LINK)
    manifest = client.get("/kiosk/manifest", headers=bearer(token)).get_json()
    images = manifest["qr_images"]
    wanted = {u for item in manifest["items"] for u in (item["qr_url"], item["public_url"]) if u}
    wanted |= {link["url"] for link in manifest["links"]}
    assert LINK in wanted and set(images) == wanted
    for url, src in images.items():
        assert parse_qs(urlsplit(src).query)["u"] == [url]
        response = client.get(src)
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"


def test_pairing_answer_carries_the_signed_qr_of_its_url(client):
    answer = client.post("/kiosk/pairing").get_json()
    assert parse_qs(urlsplit(answer["qr_image"]).query)["u"] == [answer["pair_url"]]
    assert client.get(answer["qr_image"]).status_code == 200


def test_qr_images_are_rate_limited_per_address(tmp_path):
    app = make_app(tmp_path, QR_RATE_LIMIT="3 per minute")
    client = app.test_client()
    with app.app_context():
        query = {"u": LINK, "s": signature(LINK)}
        assert [client.get("/kiosk/qr.svg", query_string=query).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_metrics_are_refused_to_a_stranger(client):
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert response.status_code == 403
    assert "bangtin_" not in response.get_data(as_text=True)


def test_metrics_answer_loopback_by_default(client):
    response = client.get("/metrics")
    assert response.status_code == 200 and "bangtin_kiosks" in response.get_data(as_text=True)


def test_metrics_answer_a_configured_network_or_the_token(tmp_path):
    app = make_app(tmp_path, METRICS_ALLOW="10.0.0.0/8, not-an-address", METRICS_TOKEN="scrape-secret-123")
    client = app.test_client()
    with app.app_context():
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 403
        stranger = {"REMOTE_ADDR": "203.0.113.9"}
        assert client.get("/metrics", environ_base=stranger, headers=bearer("scrape-secret-123")).status_code == 200
        assert client.get("/metrics", environ_base=stranger, headers=bearer("wrong")).status_code == 403


def _connect_src(response) -> list[str]:
    policy = response.headers["Content-Security-Policy"]
    return re.search(r"connect-src ([^;]+)", policy).group(1).split()


def test_kiosk_page_may_open_sockets_only_to_its_own_server(client):
    sources = _connect_src(client.get("/kiosk"))
    assert "ws:" not in sources and "wss:" not in sources
    assert sources == ["'self'", "ws://localhost"]


def test_connect_src_follows_https_and_the_public_url(tmp_path):
    app = make_app(tmp_path, PUBLIC_URL="https://bangtin.example.vn")
    client = app.test_client()
    with app.app_context():
        assert _connect_src(client.get("/kiosk", base_url="https://localhost")) == [
            "'self'", "wss://bangtin.example.vn", "wss://localhost"]
        forged = client.get("/kiosk", headers={"Host": "evil.example; script-src *"})
        assert "script-src *" not in forged.headers.get("Content-Security-Policy", "")
