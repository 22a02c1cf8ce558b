"""Fetching a source's URL safely: the resolved address checked, redirects re-checked, time and size capped.

The standard library's http.client does the HTTP; this module owns the connection, so the socket
is opened to the very address that was checked (never a second lookup that could answer
differently) while TLS still verifies the certificate against the host name. Under gevent's
monkey-patching (wsgi.py) the lookup, the connection and every read yield to the hub.
Each hop of a redirect is checked again from the start.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from flask import current_app

from kiosk_server.domain import sources as rules

USER_AGENT = "bangtin-source/1 (+https://github.com/)"
REDIRECTS = (301, 302, 303, 307, 308)


class FetchRefused(Exception):
    """The fetch was refused or failed; `message` says why in Vietnamese, for the source's health."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Fetched:
    status: int  # 200, or 304 when the conditional GET found nothing new
    body: bytes
    url: str  # after redirects
    etag: str = ""
    last_modified: str = ""


@dataclass(frozen=True)
class Limits:
    connect_timeout: float
    read_timeout: float
    total_timeout: float
    max_bytes: int
    allow: frozenset[str]

    @classmethod
    def from_config(cls) -> Limits:
        config = current_app.config
        return cls(connect_timeout=float(config.get("SOURCE_CONNECT_TIMEOUT", 5)),
                   read_timeout=float(config.get("SOURCE_READ_TIMEOUT", 10)),
                   total_timeout=float(config.get("SOURCE_TOTAL_TIMEOUT", 30)),
                   max_bytes=int(config.get("SOURCE_MAX_KB", 2048)) * 1024,
                   allow=rules.parse_allow_hosts(config.get("SOURCE_ALLOW_HOSTS")))


class _CheckedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to one already-checked address, speaking to `host` (Host header, SNI, certificate)."""

    def __init__(self, scheme: str, host: str, port: int, address: tuple, limits: Limits):
        super().__init__(host, port, timeout=limits.read_timeout)
        self._scheme, self._address, self._limits = scheme, address, limits

    def connect(self) -> None:
        family, sockaddr = self._address
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(self._limits.connect_timeout)
            sock.connect(sockaddr)
            sock.settimeout(self._limits.read_timeout)
            if self._scheme == "https":
                sock = tls_context().wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


def tls_context() -> ssl.SSLContext:
    """Return the TLS settings of every fetch: the system's trusted authorities, the host name checked."""
    return ssl.create_default_context()


def _resolve(host: str, port: int) -> list[tuple]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchRefused(f"Không tìm thấy máy chủ “{host}” (tên miền không phân giải được).") from None
    return [(family, sockaddr) for family, _, _, _, sockaddr in infos]


def fetch(url: str, *, etag: str = "", last_modified: str = "", accept: str = "*/*",
          limits: Limits | None = None) -> Fetched:
    """Return the body at `url` (or a 304 when `etag`/`last_modified` still hold); raise FetchRefused why not."""
    limits = limits or Limits.from_config()
    deadline = time.monotonic() + limits.total_timeout
    for _hop in range(rules.MAX_REDIRECTS + 1):
        try:
            scheme, host, port = rules.check_url(url)
        except rules.AddressRefused as error:
            raise FetchRefused(error.message) from None
        addresses = _resolve(host, port)
        try:
            rules.check_addresses(host, port, [sockaddr[0] for _, sockaddr in addresses], limits.allow, scheme)
        except rules.AddressRefused as error:
            raise FetchRefused(error.message) from None
        response = _get(scheme, host, port, addresses[0], url, etag, last_modified, accept, limits, deadline)
        if response.status in REDIRECTS:
            location = response.headers.get("Location")
            if not location:
                raise FetchRefused(f"Máy chủ chuyển hướng (mã {response.status}) mà không nói tới đâu.")
            url = urljoin(url, location.strip())
            continue
        return response
    raise FetchRefused(f"Chuyển hướng quá {rules.MAX_REDIRECTS} lần; bị từ chối.")


@dataclass
class _Answer:
    status: int
    headers: http.client.HTTPMessage


class _Watchdog:
    """Ends the whole exchange at `deadline`: a server that trickles a byte at a time never trips the
    read timeout, so shutting the socket at the deadline wakes a blocked read instead."""

    def __init__(self, conn: http.client.HTTPConnection, deadline: float):
        self.expired = threading.Event()
        self._conn = conn
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._cut)
        self._timer.daemon = True
        self._timer.start()

    def _cut(self) -> None:
        self.expired.set()
        if self._conn.sock is not None:
            try:
                self._conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cancel(self) -> None:
        self._timer.cancel()


def _headers(accept: str, etag: str, last_modified: str) -> dict[str, str]:
    headers = {"User-Agent": USER_AGENT, "Accept": accept, "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _get(scheme: str, host: str, port: int, address: tuple, url: str, etag: str, last_modified: str, accept: str,
         limits: Limits, deadline: float) -> Fetched | _Answer:
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn = _CheckedConnection(scheme, host, port, address, limits)
    watchdog = _Watchdog(conn, deadline)
    try:
        conn.request("GET", path, headers=_headers(accept, etag, last_modified))
        response = conn.getresponse()
        if response.status in REDIRECTS:
            return _Answer(response.status, response.headers)
        if response.status == 304:
            return Fetched(304, b"", url, etag, last_modified)
        if response.status != 200:
            raise FetchRefused(f"Máy chủ nguồn trả lời mã {response.status} {response.reason[:60]}.")
        body = _read_body(response, limits, deadline)
        if watchdog.expired.is_set():
            raise FetchRefused(_too_slow(limits))
        return Fetched(200, body, url, response.headers.get("ETag", "")[:200],
                       response.headers.get("Last-Modified", "")[:100])
    except (OSError, http.client.HTTPException) as error:
        raise _failure(error, host, limits, watchdog.expired.is_set()) from None
    finally:
        watchdog.cancel()
        conn.close()


def _read_body(response: http.client.HTTPResponse, limits: Limits, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limits.max_bytes:
        raise FetchRefused(_too_large(limits))
    chunks, size = [], 0
    while True:
        chunk = response.read1(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limits.max_bytes:
            raise FetchRefused(_too_large(limits))
        chunks.append(chunk)
        if time.monotonic() > deadline:
            raise FetchRefused(_too_slow(limits))


def _failure(error: OSError | http.client.HTTPException, host: str, limits: Limits, expired: bool) -> FetchRefused:
    """Return the refusal an officer reads for a failed exchange: too slow, TLS, or no connection."""
    if isinstance(error, TimeoutError):
        return FetchRefused(_too_slow(limits))
    if isinstance(error, ssl.SSLError):
        return FetchRefused(f"Không thiết lập được kết nối an toàn (TLS) với {host}: {error.reason or error}.")
    if expired:
        return FetchRefused(_too_slow(limits))
    return FetchRefused(f"Không kết nối được tới {host}: {_reason(error)}.")


def _reason(error: Exception) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "máy chủ từ chối kết nối"
    if isinstance(error, http.client.HTTPException):
        return "máy chủ trả lời sai giao thức HTTP"
    return type(error).__name__


def _too_large(limits: Limits) -> str:
    return f"Nội dung lớn quá {limits.max_bytes // 1024} KB; bị từ chối."


def _too_slow(limits: Limits) -> str:
    return f"Máy chủ nguồn trả lời quá chậm (quá {limits.total_timeout:g} giây); đã ngắt."
