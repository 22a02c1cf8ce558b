"""Issue 20, items 1, 2, 8 and 9: what an upstream source may not do that an officer's own request may not.

An approver who created a source, or last set its address, unit, targets or class, is an author of
everything it brings: they can neither approve its bulletins nor be the trust that publishes them.
A change of address, unit, targets or class drops the trust. Ingestion is bounded, and the address
checks hold at the edges. Each refusal changes nothing and reaches no screen.
"""

from __future__ import annotations

from sqlalchemy import func, select

from kiosk_server.extensions import db
from kiosk_server.models import Source
from kiosk_server.services.sources import sources
from tests.services import test_sources as base
from tests.source_server import rss

app, upstream = base.app, base.upstream  # the same loopback server and app as the sources' own tests
ARTICLES, feed_source = base.ARTICLES, base.feed_source


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- item 9: the source's health never maps a name to an internal address -------------------------

def test_last_error_names_the_host_not_the_internal_address_it_resolved_to(app, officers, upstream):
    upstream.serve("/rss", rss(*ARTICLES))
    source = feed_source(officers["editor"], f"http://localhost:{upstream.port}/rss")
    assert sources.poll_now(source, officers["editor"]) == 0
    error = sources.source_json(db.session.get(Source, source.id))["last_error"]
    assert "localhost" in error and "mạng nội bộ" in error
    assert "127.0.0.1" not in error and "::1" not in error
    assert upstream.requests == []
