"""/metrics: Prometheus figures a province's monitoring scrapes (screens online, alerts, backlog).

Two kinds: the state read from the database at each scrape (the same on every process), and what
each process counts (services/core/metrics.py). With PROMETHEUS_MULTIPROC_DIR set, a scrape of any one
process adds up the counts of every process of the host.
"""

from __future__ import annotations

import hmac
import ipaddress
from datetime import timedelta

from flask import Flask, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from kiosk_server.extensions import db
from kiosk_server.models.base import utcnow
from kiosk_server.services.core import metrics as process_metrics
from kiosk_server.storage import media_store


class StateCollector:
    """Reads the current state at each scrape: counts from the database, the media disk's free bytes."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        from kiosk_server.models import Alert, Feedback, Kiosk, Notice
        from kiosk_server.services.screens.presence import ONLINE_WINDOW

        now = utcnow()
        with self.app.app_context():
            total = db.session.scalar(select(func.count()).select_from(Kiosk).where(Kiosk.revoked_at.is_(None)))
            online = db.session.scalar(select(func.count()).select_from(Kiosk).where(
                Kiosk.revoked_at.is_(None), Kiosk.connected, Kiosk.last_seen > now - ONLINE_WINDOW))
            behind = db.session.scalar(select(func.count()).select_from(Kiosk).where(
                Kiosk.revoked_at.is_(None), Kiosk.reported_version < Kiosk.manifest_version))
            published = db.session.scalar(select(func.count()).select_from(Notice).where(
                Notice.published_version.is_not(None)))
            waiting = db.session.scalar(select(func.count()).select_from(Notice).where(Notice.status == "submitted"))
            alerts = db.session.scalar(select(func.count()).select_from(Alert).where(
                Alert.status == "Actual", Alert.cancelled_at.is_(None), Alert.expires_at > now))
            open_feedback = db.session.scalar(select(func.count()).select_from(Feedback).where(
                Feedback.status.in_(("new", "in_progress"))))
            overdue = db.session.scalar(select(func.count()).select_from(Feedback).where(
                Feedback.status.in_(("new", "in_progress")),
                Feedback.created_at < now - timedelta(days=int(self.app.config.get("FEEDBACK_DUE_DAYS", 10)))))
            db.session.remove()
        for name, doc, value in (
            ("bangtin_kiosks", "Screens paired and not revoked", total),
            ("bangtin_kiosks_online", "Screens connected and heard from in the last 90 s", online),
            ("bangtin_kiosks_behind", "Screens that reported an older manifest than theirs", behind),
            ("bangtin_notices_published", "Notices with a version on screens", published),
            ("bangtin_notices_awaiting_approval", "Notices submitted and not yet approved", waiting),
            ("bangtin_alerts_active", "Public emergency alerts in force", alerts),
            ("bangtin_feedback_open", "Citizens' feedback not yet answered", open_feedback),
            ("bangtin_feedback_overdue", "Open feedback older than FEEDBACK_DUE_DAYS", overdue),
        ):
            yield GaugeMetricFamily(name, doc, value=value or 0)
        with self.app.app_context():
            free = media_store().free_bytes()
        if free is not None:  # no figure rather than a false zero when the disk cannot be read
            yield GaugeMetricFamily("bangtin_media_free_bytes", "Bytes free on the media store's disk (MEDIA_DIR)",
                                    value=free)


def init_metrics(app: Flask) -> None:
    """Give `app` its own registry (tests build many apps) with the process's figures and the state gauges."""
    registry = CollectorRegistry()
    process_metrics.register(registry)
    registry.register(StateCollector(app))
    app.extensions["metrics_registry"] = registry

    @app.after_request
    def _count(response):
        process_metrics.HTTP_REQUESTS.labels(request.method, str(response.status_code)).inc()
        if response.status_code >= 500:
            process_metrics.error("http_5xx")
        return response


# Headers a proxy adds to say whom it forwards for (nginx: X-Forwarded-For, deploy/nginx.conf).
FORWARDED_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


def may_scrape() -> bool:
    """Return whether this request may read /metrics: from METRICS_ALLOW, or with METRICS_TOKEN."""
    token = str(current_app.config.get("METRICS_TOKEN") or "")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return True
    if not int(current_app.config.get("PROXIES") or 0) and any(h in request.headers for h in FORWARDED_HEADERS):
        # Proxied, and the proxy is not trusted (KIOSK_PROXIES=0): the address is the proxy's, and behind
        # nginx on the same host every citizen would look like loopback. Only the token answers.
        return False
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    for entry in str(current_app.config.get("METRICS_ALLOW") or "").split(","):
        try:
            if entry.strip() and address in ipaddress.ip_network(entry.strip(), strict=False):
                return True
        except ValueError:
            current_app.logger.warning("KIOSK_METRICS_ALLOW: %r is not an address or network", entry)
    return False


def metrics():
    # The figures say how many screens are down and where the backlog is: not for everyone.
    if not may_scrape():
        abort(403)
    if process_metrics.multiprocess_dir():
        # Every process's figures from the shared folder, plus the database's, read once.
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(StateCollector(current_app._get_current_object()))
    else:
        registry = current_app.extensions["metrics_registry"]
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
