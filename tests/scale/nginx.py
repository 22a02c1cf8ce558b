"""The project's own deploy/nginx.conf, rendered for a test's ports and folders, run by Debian's nginx.

Only what differs between a server and a test changes: the upstream ports, the listening port, the
media folder, the log and temporary paths (and, for an https block, a certificate made for the test).
Every location, header and limit is the shipped one, so the tests prove the file an operator installs.
"""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.conftest import stop_process

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

MAIN = """\
daemon off;
worker_processes {workers};
worker_rlimit_nofile {nofile};
user root;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections {connections}; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {root}/access.log;
    client_body_temp_path {root}/client_body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
{site}
}}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def render_site(upstreams: list[int], port: int, media_dir: Path, tls_port: int | None = None,
                cert: Path | None = None, key: Path | None = None) -> str:
    """Return deploy/nginx.conf with the test's ports and folders in place of the production ones."""
    site = SITE.read_text(encoding="utf-8")
    # Each `server` line keeps its parameters (max_fails=…) with the test's port in place of the production one.
    lines = re.findall(r"\n(\s*server 127\.0\.0\.1:)\d+([^;\n]*;)", site)
    servers = "".join(f"\n{lines[0][0]}{p}{lines[0][1]}" for p in upstreams) if lines else ""
    site, found = re.subn(r"(upstream kiosk_app \{[^}]*?)((?:\n\s*server 127\.0\.0\.1:\d+[^;\n]*;)+)",
                          lambda m: m.group(1) + servers, site, count=1)
    assert found == 1, "deploy/nginx.conf has no `upstream kiosk_app` with its servers"
    site = re.sub(r"listen 80( default_server)?;", f"listen 127.0.0.1:{port};", site)
    site = re.sub(r"\s*listen \[::\]:(80|443)[^;]*;", "", site)
    site = re.sub(r"listen 443 ssl[^;]*;", f"listen 127.0.0.1:{tls_port} ssl;", site)
    site = site.replace("alias /srv/bangtin/media/;", f"alias {media_dir}/;")
    if cert and key:
        site = re.sub(r"ssl_certificate\s+[^;]+;", f"ssl_certificate {cert};", site)
        site = re.sub(r"ssl_certificate_key\s+[^;]+;", f"ssl_certificate_key {key};", site)
    return site


@dataclass
class Nginx:
    """Debian's nginx running the rendered site; `url` is the https address when the site has one."""

    root: Path
    upstreams: list[int]
    media_dir: Path
    http_port: int = 0
    tls_port: int = 0
    worker_connections: int = 4096  # each proxied websocket holds two (bench/fanout.py raises it)
    # More than one when a worker would need more open files than the machine's hard limit allows
    # (bench/fanout.py at 10,000 screens: two per websocket, two per manifest request).
    workers: int = 1
    proc: subprocess.Popen | None = None

    @property
    def tls(self) -> bool:
        return "ssl_certificate" in SITE.read_text(encoding="utf-8")

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.tls_port}" if self.tls else f"http://127.0.0.1:{self.http_port}"

    @property
    def cert(self) -> Path:
        return self.root / "cert.pem"

    def start(self) -> None:
        self.http_port = self.http_port or _free_port()
        self.tls_port = self.tls_port or _free_port()
        self.root.mkdir(parents=True, exist_ok=True)
        cert, key = _self_signed(self.root) if self.tls else (None, None)
        site = render_site(self.upstreams, self.http_port, self.media_dir, self.tls_port, cert, key)
        conf = self.root / "nginx.conf"
        conf.write_text(MAIN.format(root=self.root, site=site, connections=self.worker_connections, workers=self.workers,
                                     nofile=2 * self.worker_connections + 64), encoding="utf-8")
        check = subprocess.run([NGINX, "-t", "-c", str(conf), "-e", str(self.root / "error.log")],
                               capture_output=True, text=True, check=False)
        assert check.returncode == 0, f"nginx refused the rendered deploy/nginx.conf:\n{check.stderr}\n{site}"
        self.proc = subprocess.Popen([NGINX, "-c", str(conf), "-e", str(self.root / "error.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = self.tls_port if self.tls else self.http_port
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"nginx did not start: {(self.root / 'error.log').read_text(errors='replace')}")

    def stop(self) -> None:
        stop_process(self.proc, signal.SIGQUIT)  # nginx's graceful shutdown
        self.proc = None


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """Make a certificate for 127.0.0.1, for a test of the https server block."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path
