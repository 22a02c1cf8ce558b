"""deploy/nginx.conf for real: Debian's nginx in front of two server processes on PostgreSQL and Redis.

The site file is the one an operator installs, rendered only for the test's ports, folders and a
certificate made here (tests/scale/nginx.py).
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.e2e.conftest import COMMUNE
from tests.media_factory import png
from tests.scale.conftest import make_cluster, start_all
from tests.scale.nginx import NGINX, Nginx, _free_port

pytestmark = [pytest.mark.postgres, pytest.mark.redis]



@pytest.fixture
def site(tmp_path, postgres_url, redis_url):
    """Two server processes behind nginx; yields (nginx, cluster)."""
    if not Path(NGINX).exists():
        message = "nginx is not installed (apt-get install nginx-light; .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message + " and CI must run these tests")
        pytest.skip(message)
    proxy = Nginx(tmp_path / "nginx", upstreams=[], media_dir=tmp_path / "media")
    proxy.http_port, proxy.tls_port = _free_port(), _free_port()
    group = make_cluster(tmp_path, postgres_url, redis_url, extra_env={
        "KIOSK_PUBLIC_URL": proxy.url, "KIOSK_PROXIES": "1", "KIOSK_MEDIA_ACCEL_PREFIX": "/_media",
        "KIOSK_ACCESS_LOG": "1"})
    proxy.upstreams = [server.port for server in group.servers]
    try:
        start_all(group.servers)
        proxy.start()
        yield proxy, group
    finally:
        proxy.stop()
        for server in group.servers:
            server.stop()


def _context(proxy: Nginx) -> ssl.SSLContext | None:
    return ssl.create_default_context(cafile=str(proxy.cert)) if proxy.tls else None


def call(proxy: Nginx, method: str, path: str, token: str, body: dict | None = None,
         headers: dict | None = None) -> tuple[int, dict, bytes]:
    """Call the server through nginx; return (status, headers, body)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{proxy.url}{path}", data=data, method=method, headers={  # noqa: S310
        "Authorization": f"Bearer {token}", "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30, context=_context(proxy)) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _alert() -> dict:
    return {"headline": "Lũ trên sông Lô", "hazard": "flood", "level": 3, "unit_codes": [COMMUNE],
            "expires_at": (datetime.now(UTC) + timedelta(hours=2)).isoformat()}


def test_a_screen_on_a_websocket_through_nginx_gets_an_alert_and_its_receipt_is_recorded(site, screens):
    proxy, group = site
    kiosk_id, token = group[0].provision()
    screen = screens(proxy.url, token, ssl_verify=False)  # websocket transport only: the upgrade goes through nginx

    status, _, raw = call(proxy, "POST", "/api/v1/alerts", group[0].tokens["approver"], _alert())
    assert status == 201, raw
    alert_id = json.loads(raw)["id"]

    screen.wait_for("alert", lambda data: data.get("id") == alert_id)
    deadline = time.monotonic() + 15
    while True:
        _, _, raw = call(proxy, "GET", f"/api/v1/alerts/{alert_id}", group[0].tokens["admin"])
        if kiosk_id in [ack["kiosk_id"] for ack in json.loads(raw)["acks"]]:
            break
        assert time.monotonic() < deadline, "the receipt sent through nginx was never recorded"
        time.sleep(0.2)


def test_a_screen_reconnects_through_nginx_to_the_surviving_process(site, screens):
    proxy, group = site
    _, token = group[0].provision()
    screen = screens(proxy.url, token, ssl_verify=False, reconnect=True, hello=True)

    # nginx sticks a client to one process (ip_hash): end that one, whichever it is.
    group[0].kill()
    time.sleep(1.5)
    if not screen.received("disconnect"):
        group[0].start()
        group[1].kill()
    screen.wait_for("disconnect", timeout=10)
    deadline = time.monotonic() + 20
    while len(screen.received("connect")) < 2:
        assert time.monotonic() < deadline, f"the screen never came back through nginx: {screen.events}"
        time.sleep(0.1)

    alive = group[1] if group[1].proc else group[0]
    before = len(screen.received("manifest"))
    notice = alive.publish("Lịch cắt điện ngày mai")
    assert notice["status"] == "published"
    screen.wait_for("manifest", lambda _: len(screen.received("manifest")) > before, timeout=15)


def test_media_bytes_and_ranges_are_served_by_nginx_through_x_accel_redirect(site):
    proxy, group = site
    content = png(400, 300)
    media = group[0].upload("bang-tin.png", content, "image/png")
    path = media["url"].split("://", 1)[-1].split("/", 1)[-1]

    status, headers, body = call(proxy, "GET", f"/{path}", group[0].tokens["editor"])
    assert status == 200 and body == content
    status, headers, body = call(proxy, "GET", f"/{path}", group[0].tokens["editor"], headers={"Range": "bytes=10-99"})
    assert status == 206 and body == content[10:100]
    assert headers.get("Content-Range") == f"bytes 10-99/{len(content)}"

    # The process itself only names the file: the bytes above came from nginx.
    with urllib.request.urlopen(f"{group[0].url}/{path}", timeout=10) as direct:  # noqa: S310
        assert direct.headers["X-Accel-Redirect"].startswith("/_media/")
        assert direct.read() == b""


def test_an_upload_over_the_limit_is_refused_by_nginx_before_any_process_sees_it(site):
    proxy, group = site
    limit_mb = 512  # client_max_body_size in deploy/nginx.conf, as KIOSK_MAX_UPLOAD_MB
    head = (f"POST /api/v1/media HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {group[0].tokens['editor']}\r\n"
            f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {(limit_mb + 1) * 1024 * 1024}\r\n\r\n")
    raw = socket.create_connection(("127.0.0.1", proxy.tls_port if proxy.tls else proxy.http_port), timeout=10)
    conn = _context(proxy).wrap_socket(raw, server_hostname="127.0.0.1") if proxy.tls else raw
    with conn:
        conn.sendall(head.encode() + b"--x\r\n")
        answer = conn.recv(4096).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert "<h1>413 Request Entity Too Large</h1>" in answer, "nginx's own page, not the application's JSON error"

    with group.db_app():
        from kiosk_server.extensions import db
        from kiosk_server.models import Media

        assert db.session.scalar(select(func.count()).select_from(Media)) == 0
    assert "POST /api/v1/media" not in "".join(server.log_tail(100000) for server in group.servers)


def test_plain_http_only_redirects_to_https(site):
    proxy, _ = site
    if not proxy.tls:
        pytest.skip("deploy/nginx.conf serves plain http only")
    request = urllib.request.Request(f"http://127.0.0.1:{proxy.http_port}/admin/", method="GET")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as answer:
        opener.open(request, timeout=10)
    assert answer.value.code == 301
    assert answer.value.headers["Location"].startswith("https://")
