"""A real HTTP server on loopback for the source tests: routes set per test, requests counted.

Each route answers with a status, headers and a body, or runs a function of its own (a slow
answer, a redirect, a conditional GET). Started by the `upstream` fixture in a thread of its own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # when set, a request bearing it gets 304
    delay_s: float = 0.0  # before answering: a slow upstream
    handler: Callable | None = None


class Upstream:
    """The server's routes and what it received."""

    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.not_modified = 0
        handler = self._handler_class()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.host = f"127.0.0.1:{self.port}"
        # stop() waits for the loop to look at its flag again: every 50 ms, not the default half second.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://{self.host}{path}"

    def serve(self, path: str, body: bytes | str = b"", **kwargs) -> Route:
        route = Route(body=body.encode("utf-8") if isinstance(body, str) else body, **kwargs)
        self.routes[path] = route
        return route

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler_class(self):
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet: pytest shows what matters
                return

            def do_GET(self):  # the standard library names it so
                upstream.requests.append((self.path, dict(self.headers)))
                route = upstream.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                if route.delay_s:
                    time.sleep(route.delay_s)
                if route.handler is not None:
                    route.handler(self)
                    return
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    upstream.not_modified += 1
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                if route.etag:
                    self.send_header("ETag", route.etag)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up on purpose (a size cap)

        return Handler


def rss(*items: tuple[str, str, str, str], title: str = "Cổng thông tin điện tử tỉnh") -> str:
    """An RSS 2.0 feed of (guid, title, link, description) items."""
    body = "".join(
        f"<item><guid>{g}</guid><title>{t}</title><link>{link}</link><description><![CDATA[{d}]]></description>"
        f"<pubDate>Tue, 01 Dec 2026 08:00:00 +0700</pubDate></item>" for g, t, link, d in items)
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>https://tuyenquang.gov.vn</link><description>Tin tức</description>{body}</channel></rss>")


def cap_index(*entries: tuple[str, str], title: str = "Trung tâm dự báo") -> str:
    """An Atom feed whose entries (id, cap document URL) link to CAP documents, as alert hubs publish."""
    body = "".join(
        f'<entry><id>{i}</id><title>Bản tin {i}</title><updated>2026-12-01T08:00:00+07:00</updated>'
        f'<link rel="alternate" type="application/cap+xml" href="{href}"/></entry>' for i, href in entries)
    return (f'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>{title}</title>'
            f"<id>urn:test:index</id><updated>2026-12-01T08:00:00+07:00</updated>{body}</feed>")


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss version="2.0"><channel><title>&lol4;</title></channel></rss>"""
