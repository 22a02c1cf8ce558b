"""/levels.css: the risk-level colours as CSS, generated from the domain so no stylesheet repeats them."""

from __future__ import annotations

import hashlib

from flask import Response, request

from kiosk_server.domain import hazards


def levels_css() -> Response:
    """Return the `.level-N` custom properties (--level-bg, --level-fg) of kiosk_server/domain/hazards.py."""
    css = hazards.level_stylesheet()
    response = Response(css, mimetype="text/css")
    # Like Flask's static files: cached, but revalidated, so a new colour reaches browsers on deploy.
    response.set_etag(hashlib.sha256(css.encode("utf-8")).hexdigest()[:20])
    response.cache_control.no_cache = True
    return response.make_conditional(request)
