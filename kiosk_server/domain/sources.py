"""Rules for information sources: which addresses a server-side fetch may reach, and when to poll.

A source makes this server fetch an address an officer typed, which is the shape of every
server-side request forgery: a URL naming the cloud metadata service, the database's port on
loopback, or a router on the office network. So every address a name resolves to is checked before
a connection is made (a public name may point at 10.0.0.5), and again after every redirect.
Loopback, private, shared (carrier NAT), link-local (which holds 169.254.169.254, the metadata
service), site-local, multicast, reserved and unspecified ranges are refused, and so are IPv6
addresses that carry an IPv4 one inside (mapped, 6to4, Teredo) when that one is internal, unless the
operator lists the host in KIOSK_SOURCE_ALLOW_HOSTS (a provincial source system on the office
network, say). A listed host without a port is allowed on its scheme's default port only.
A refusal names the host the officer typed, never what it resolved to: the source's health must not
become a way to map internal names to addresses.
"""

from __future__ import annotations

import ipaddress
import math
from datetime import datetime
from urllib.parse import urlsplit

KINDS = ("cap", "feed")
BULLETIN_CLASSES = ("normal", "priority", "emergency")  # TT 39/2020: thông thường, ưu tiên, khẩn cấp
MIN_POLL_SECONDS = 60
MAX_POLL_SECONDS = 86_400
DEFAULT_POLL_SECONDS = 300
MAX_BACKOFF_SECONDS = 6 * 3600
MAX_REDIRECTS = 3
# What decides what a source brings: whoever last set one of these is an author of its items, and a
# change of any of them drops the approver's trust (they trusted another feed, or other screens).
AUTHORING_FIELDS = ("url", "unit_code", "targets", "bulletin_class")

_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: not "private" to ipaddress, still internal


class AddressRefused(ValueError):
    """A URL or address a source may not fetch; `message` says why in words an officer reads."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def check_url(url: str) -> tuple[str, str, int]:
    """Return (scheme, host, port) of a URL a source may name; raise AddressRefused otherwise."""
    if not isinstance(url, str) or not url.strip() or len(url) > 1000:
        raise AddressRefused("Địa chỉ nguồn phải là một URL http:// hoặc https:// (tối đa 1000 ký tự).")
    if any(c in url for c in "\x00\r\n\t <>\"'"):
        raise AddressRefused("Địa chỉ nguồn chứa ký tự không hợp lệ.")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise AddressRefused("Địa chỉ nguồn không đọc được.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise AddressRefused("Chỉ nhận địa chỉ http:// hoặc https://.")
    if not parts.hostname:
        raise AddressRefused("Địa chỉ nguồn thiếu tên máy chủ.")
    if parts.username or parts.password:
        raise AddressRefused("Địa chỉ nguồn không được chứa tên đăng nhập hay mật khẩu.")
    return scheme, parts.hostname.lower().rstrip("."), port or (443 if scheme == "https" else 80)


def parse_allow_hosts(value: str | None) -> frozenset[str]:
    """Return the `host` and `host:port` entries of KIOSK_SOURCE_ALLOW_HOSTS (comma-separated), lowercased."""
    return frozenset(part.strip().lower().rstrip(".") for part in (value or "").split(",") if part.strip())


DEFAULT_PORTS = {"http": 80, "https": 443}


def host_allowed(host: str, port: int, allow: frozenset[str], scheme: str = "https") -> bool:
    """Return True when the operator listed `host:port`, or `host` alone and `port` is the scheme's default."""
    host = host.lower().rstrip(".")
    bracketed = f"[{host}]" if ":" in host else host
    if f"{bracketed}:{port}" in allow or f"{host}:{port}" in allow:
        return True
    return (host in allow or bracketed in allow) and port == DEFAULT_PORTS.get(scheme)


def internal_address(address: str) -> bool:
    """Return True when `address` (an IP) lies on loopback, a private, shared, link-local or other non-public range."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.sixtofour is not None and internal_address(str(ip.sixtofour)):
            return True  # 2002::/16 carries an IPv4 address: a relay would deliver to it
        elif ip.teredo is not None and any(internal_address(str(v4)) for v4 in ip.teredo):
            return True
        elif ip.is_site_local:  # fec0::/10, deprecated but still routed on some networks
            return True
    return (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved
            or ip.is_unspecified or (isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED)
            or not ip.is_global)


def check_addresses(host: str, port: int, addresses: list[str], allow: frozenset[str], scheme: str = "https") -> None:
    """Raise AddressRefused when any address `host` resolved to is internal and the host is not allowed.

    The refusal names `host` only, never the address it resolved to.
    """
    if not addresses:
        raise AddressRefused(f"Không tìm thấy máy chủ “{host}” (tên miền không phân giải được).")
    if host_allowed(host, port, allow, scheme):
        return
    if any(internal_address(a) for a in addresses):
        raise AddressRefused(f"Địa chỉ trỏ vào mạng nội bộ, bị từ chối ({host}:{port}).")


def check_poll_seconds(value: object) -> int:
    """Return a poll interval in seconds; raise ValueError naming the bounds."""
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_POLL_SECONDS <= value <= MAX_POLL_SECONDS:
        raise ValueError(f"Chu kỳ lấy tin là số giây từ {MIN_POLL_SECONDS} đến {MAX_POLL_SECONDS}.")
    return value


def seconds_before_poll(last_polled_at: datetime | None, now: datetime) -> int:
    """Return the seconds before a source may be fetched again (0: now); never twice within MIN_POLL_SECONDS."""
    if last_polled_at is None:
        return 0
    return max(0, math.ceil(MIN_POLL_SECONDS - (now - last_polled_at).total_seconds()))


def poll_order(due: list[tuple[int, str, datetime]]) -> list[int]:
    """Return the ids of due polls (id, kind, due_at) in the order to start them: CAP sources first, then by due time.

    An official warning must not wait behind slow bulletin feeds.
    """
    return [job_id for job_id, _, _ in sorted(due, key=lambda job: (job[1] != "cap", job[2], job[0]))]


def next_poll_delay(poll_seconds: int, failures: int) -> int:
    """Return the seconds until the next poll: the interval, doubled for each error in a row (at most 6 hours)."""
    if failures <= 0:
        return poll_seconds
    return min(MAX_BACKOFF_SECONDS, poll_seconds * 2 ** min(failures, 10))
