"""The safe fetch on its own, against a real loopback server: trickles, redirect chains, names, and gevent."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from kiosk_server.services.sources import fetch


def limits(upstream, **changes) -> fetch.Limits:
    values = {"connect_timeout": 2, "read_timeout": 2, "total_timeout": 5, "max_bytes": 64 * 1024,
              "allow": frozenset({upstream.host})}
    values.update(changes)
    return fetch.Limits(**values)


def test_a_server_trickling_bytes_is_cut_off_at_the_total_deadline(upstream):
    def trickle(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.end_headers()
        try:
            for _ in range(100):  # each byte well inside the read timeout, the whole far beyond the deadline
                handler.wfile.write(b" ")
                handler.wfile.flush()
                time.sleep(0.05)
        except (BrokenPipeError, ConnectionResetError):
            pass

    upstream.serve("/drip", handler=trickle)
    with pytest.raises(fetch.FetchRefused, match="quá chậm"):
        fetch.fetch(upstream.url("/drip"), limits=limits(upstream, total_timeout=0.3))


def test_redirects_are_followed_a_few_times_only(upstream):
    upstream.serve("/feed", "<rss/>")
    upstream.serve("/r1", status=301, headers={"Location": "/feed"})
    assert fetch.fetch(upstream.url("/r1"), limits=limits(upstream)).body == b"<rss/>"
    for n in range(5):
        upstream.serve(f"/loop{n}", status=302, headers={"Location": f"/loop{n + 1}"})
    with pytest.raises(fetch.FetchRefused, match="Chuyển hướng quá 3 lần"):
        fetch.fetch(upstream.url("/loop0"), limits=limits(upstream))


def test_a_name_that_does_not_resolve_is_named(upstream):
    with pytest.raises(fetch.FetchRefused, match="không phân giải được"):
        fetch.fetch("http://nguon-khong-ton-tai.invalid/rss", limits=limits(upstream))


def test_a_listed_host_is_allowed_only_on_its_port(upstream):
    with pytest.raises(fetch.FetchRefused, match="mạng nội bộ"):
        fetch.fetch("http://127.0.0.1:1/x", limits=limits(upstream))


def test_fetching_yields_to_the_gevent_hub(upstream):
    # The server answers after half a second; under gevent's monkey-patching (as wsgi.py runs), another
    # greenlet keeps running meanwhile (ten ticks) instead of the whole process waiting on the socket (one).
    upstream.serve("/slow", "<rss/>", delay_s=0.5)
    script = textwrap.dedent(f"""
        from gevent import monkey
        monkey.patch_all()
        import gevent
        from kiosk_server.services.sources import fetch

        ticks = []

        def ticker():
            while True:
                ticks.append(1)
                gevent.sleep(0.05)

        gevent.spawn(ticker)
        gevent.sleep(0)
        limits = fetch.Limits(connect_timeout=5, read_timeout=5, total_timeout=10, max_bytes=65536,
                              allow=frozenset({{"{upstream.host}"}}))
        got = fetch.fetch("{upstream.url('/slow')}", limits=limits)
        print(got.status, len(ticks))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    status, ticks = out.stdout.split()
    assert status == "200"
    assert int(ticks) > 2, "the ticker ran while the fetch waited on the network"


@pytest.fixture
def tls_upstream(upstream, tmp_path):
    """The loopback server behind TLS with a certificate for 127.0.0.1 that no system trusts."""
    import ipaddress
    import ssl
    from datetime import UTC, timedelta

    import time_machine
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "nguon-thu.local")])
    # OpenSSL checks the dates on the machine's real clock, which the test's clock (tests/clock.py) does not move.
    now = time_machine.escape_hatch.datetime.datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    upstream.server.socket = context.wrap_socket(upstream.server.socket, server_side=True)
    upstream.cert_file = cert_file
    return upstream


def test_https_checks_the_certificate_against_the_host(tls_upstream, monkeypatch):
    tls_upstream.serve("/rss", "<rss/>")
    url = f"https://{tls_upstream.host}/rss"
    with pytest.raises(fetch.FetchRefused, match="kết nối an toàn"):
        fetch.fetch(url, limits=limits(tls_upstream))

    import ssl

    def trusting() -> ssl.SSLContext:
        context = ssl.create_default_context()
        context.load_verify_locations(tls_upstream.cert_file)
        return context

    monkeypatch.setattr(fetch, "tls_context", trusting)
    assert fetch.fetch(url, limits=limits(tls_upstream)).body == b"<rss/>"
