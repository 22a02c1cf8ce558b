"""A commune's board on the web (/p/<unit_code>), its Atom feed, and counted QR redirects (/q/<code>)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from flask import Response, abort, redirect, render_template, request

from kiosk_server.domain.sanitise import plain_text
from kiosk_server.extensions import db, limiter
from kiosk_server.models import Unit
from kiosk_server.models.base import utcnow
from kiosk_server.services.alerts import alerts
from kiosk_server.services.content import board, links
from kiosk_server.services.core import public_urls
from kiosk_server.services.core.errors import NotFound

ATOM = "http://www.w3.org/2005/Atom"


def _unit(code: str) -> Unit:
    unit = db.session.get(Unit, code[:16])
    if unit is None:
        abort(404)
    return unit


def _base_url() -> str:
    return public_urls.public_base(request.url_root) or ""


def _feed(unit: Unit, title: str, feed_id: str, self_url: str, updated: str) -> ET.Element:
    """Return the <feed> element of one of the unit's Atom feeds, its head written and no entries yet."""
    base = _base_url()
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = feed_id
    ET.SubElement(feed, f"{{{ATOM}}}link", href=f"{base}/p/{unit.code}")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = updated
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = unit.name
    return feed


def _atom_response(feed: ET.Element) -> Response:
    return Response(ET.tostring(feed, encoding="utf-8", xml_declaration=True), mimetype="application/atom+xml")


def board_page(unit_code: str):
    unit = _unit(unit_code)
    entries = board.notices_for_unit(unit)
    return render_template("public/board.html", unit=unit, entries=entries, alerts=alerts.active_for_unit(unit.code),
                           feed_url=f"/p/{unit.code}/feed.xml")


def board_feed(unit_code: str):
    unit = _unit(unit_code)
    base = _base_url()
    entries = board.notices_for_unit(unit)
    updated = max((e["notice"].approved_at for e in entries if e["notice"].approved_at), default=utcnow())
    feed = _feed(unit, f"Bảng tin điện tử – {unit.name}", f"{base}/p/{unit.code}", f"{base}/p/{unit.code}/feed.xml",
                 updated.isoformat())
    for e in entries:
        notice, content = e["notice"], e["content"]
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = content["title"]
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"{base}/n/{notice.id}#v{notice.published_version}"
        ET.SubElement(entry, f"{{{ATOM}}}link", href=f"{base}/n/{notice.id}")
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = (notice.approved_at or notice.updated_at).isoformat()
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = plain_text(content["body"])[:300]
        body = ET.SubElement(entry, f"{{{ATOM}}}content", type="html")
        body.text = content["body"]  # sanitised HTML, escaped once more by the XML writer
    return _atom_response(feed)


def alerts_feed(unit_code: str):
    """The Atom feed of the active alerts covering the unit, each entry linking to its CAP 1.2 document."""
    unit = _unit(unit_code)
    base = _base_url()
    active = alerts.active_for_unit(unit.code)
    updated = max((a["sent_at"] for a in active), default=utcnow().isoformat())
    feed_url = f"{base}/p/{unit.code}/alerts.xml"
    feed = _feed(unit, f"Cảnh báo khẩn cấp – {unit.name}", feed_url, feed_url, updated)
    for alert in active:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = alert["headline"]
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"{base}/p/alerts/{alert['id']}.cap"
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="application/cap+xml",
                      href=f"{base}/p/alerts/{alert['id']}.cap")
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = alert["sent_at"]
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = (
            f"{alert['level_name']} – {alert['hazard_name']}. {alert['area'] or ''}".strip())
    return _atom_response(feed)


def alert_cap(alert_id: int):
    """One active public alert as a CAP 1.2 document (what alerts.xml links to); gone once it ends."""
    from kiosk_server.models import Alert

    alert = db.session.get(Alert, alert_id) if 0 < alert_id < 2**62 else None
    if alert is None or not alerts.is_active(alert):
        abort(404)
    return Response(alerts.to_cap(alert), mimetype="application/cap+xml")


@limiter.limit("120 per minute")
def qr_redirect(code: str):
    try:
        target = links.follow(code)
    except NotFound:
        abort(404)
    return redirect(target, code=302)
