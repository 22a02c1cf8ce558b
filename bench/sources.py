"""Polling an information source (issue 13): one RSS feed of 50 bulletins on SQLite.

    .venv/bin/python -m bench.sources [--items 50]

A loopback feed server (tests/source_server.py) serves an RSS 2.0 document with an ETag; the source
is polled three times through `sources.poll_now`, the path the officer's "poll now" and the stored
schedule share: the first poll (every item becomes a notice), a conditional poll answered 304, and
a full re-read with nothing new (the ETag withdrawn, so every entry is parsed and found taken).
"""

from __future__ import annotations

import argparse
import pathlib
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=50)
    args = parser.parse_args()

    from kiosk_server.extensions import db
    from kiosk_server.services.core import users
    from kiosk_server.services.sources import sources
    from tests.conftest import COMMUNE, make_app
    from tests.source_server import Upstream, rss

    upstream = Upstream()
    entries = [(f"g{i}", f"Tin số {i}", f"https://tuyenquang.gov.vn/{i}", "<p>Nội dung tin.</p>" * 5)
               for i in range(args.items)]
    upstream.serve("/rss", rss(*entries), etag='"v1"')
    app = make_app(pathlib.Path(tempfile.mkdtemp()), SOURCE_ALLOW_HOSTS=upstream.host)
    try:
        with app.app_context():
            editor = users.create_user("bench@example.vn", "password-123", "editor", COMMUNE, actor="bench")
            source = sources.create_source({"name": "Cổng thông tin điện tử tỉnh", "kind": "feed",
                                            "url": upstream.url("/rss"), "unit_code": COMMUNE}, editor)

            def timed() -> tuple[int, float]:
                started = time.perf_counter()
                new = sources.poll_now(db.session.get(type(source), source.id), editor)
                return new, time.perf_counter() - started

            first = timed()
            conditional = timed()
            upstream.routes["/rss"].etag = None
            reread = timed()
    finally:
        upstream.stop()
    print(f"first poll: {first[0]} new in {first[1]:.2f} s")
    print(f"conditional poll (304): {conditional[0]} new in {conditional[1] * 1000:.0f} ms")
    print(f"full re-read, every entry taken before: {reread[0]} new in {reread[1] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
