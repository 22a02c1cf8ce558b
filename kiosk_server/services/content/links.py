"""Public-service links shown in screens' QR panels, and counted QR redirects (/q/<code>).

Without KIOSK_PUBLIC_URL the server is only reachable inside the commune network, so QR codes carry
their target directly and nothing is counted; with it, they carry PUBLIC_URL/q/<code> and each scan
is counted before the redirect.
"""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from kiosk_server.domain import reports, sanitise
from kiosk_server.domain.links import DEFAULT_LINKS
from kiosk_server.extensions import db
from kiosk_server.models import PublicLink, QrCode, QrScanDay, User
from kiosk_server.models.base import utcnow
from kiosk_server.services.core import audit, public_urls, scope
from kiosk_server.services.core.errors import NotFound, ValidationFailed
from kiosk_server.services.core.idempotent import add_to_counters, insert_ignoring_duplicates
from kiosk_server.services.screens import publish, targeting

CODE_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


def ensure_default_links() -> None:
    """Insert the national defaults (DOMAIN.md) when no link exists yet."""
    if db.session.scalar(select(func.count()).select_from(PublicLink)):
        return
    for position, link in enumerate(DEFAULT_LINKS):
        db.session.add(PublicLink(unit_code=None, url=link["url"], caption=link["caption"], position=position))
    db.session.commit()


def links_for(chain: list[str]) -> list[PublicLink]:
    """Return the active links for a screen whose unit chain is `chain`: its commune's, its province's, national."""
    rows = db.session.scalars(
        select(PublicLink).where(PublicLink.active, PublicLink.unit_code.in_(chain) | PublicLink.unit_code.is_(None))
    ).all()
    depth = {code: i for i, code in enumerate(chain)}
    return sorted(rows, key=lambda r: (depth.get(r.unit_code, len(chain)), r.position, r.id))


def qr_url(target: str | None) -> str | None:
    """Return what a QR code for `target` encodes: a counted /q/ URL with KIOSK_PUBLIC_URL, else `target`."""
    if not target:
        return None
    if not public_urls.is_configured():
        return target
    code = db.session.scalar(select(QrCode.code).where(QrCode.url == target))
    while code is None:
        # Manifests are built by every process at once after a publish: the database picks one code per
        # URL (ON CONFLICT DO NOTHING), and every builder reads that one back.
        fresh = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        insert_ignoring_duplicates(QrCode, [{"code": fresh, "url": target, "scans": 0, "created_at": utcnow()}])
        db.session.commit()
        code = db.session.scalar(select(QrCode.code).where(QrCode.url == target))
    return public_urls.public_url(f"/q/{code}")


def follow(code: str) -> str:
    """Count a scan of `code` and return where it leads; NotFound for an unknown code."""
    code = code[:16]
    target = db.session.scalar(select(QrCode.url).where(QrCode.code == code))
    if target is None:
        raise NotFound(_l("Mã QR không còn hiệu lực."))
    now = utcnow()
    db.session.execute(update(QrCode).where(QrCode.code == code).values(scans=QrCode.scans + 1, last_scan_at=now))
    # The day's count too, so reports can count scans per period (one row per code and day).
    add_to_counters(QrScanDay, [{"code": code, "day": reports.local_today(now), "scans": 1}], ["code", "day"], ["scans"])
    db.session.commit()
    return target


def _validate(url: str, caption: str) -> tuple[str, str]:
    url, caption = (url or "").strip(), (caption or "").strip()
    errors = {}
    if not sanitise.is_safe_url(url) or len(url) > 600:
        errors["url"] = _l("Địa chỉ phải bắt đầu bằng http:// hoặc https:// (tối đa 600 ký tự).")
    if not caption or len(caption) > 120:
        errors["caption"] = _l("Chú thích cần từ 1 đến 120 ký tự.")
    if errors:
        raise ValidationFailed(_l("Liên kết chưa hợp lệ."), errors)
    return url, caption


def _republish(unit_code: str | None, reason: str) -> None:
    # A national link (no unit) reaches every screen.
    if unit_code:
        targets = {"units": [unit_code]}
        kiosks, rooms = targeting.kiosks_for(targets), targeting.rooms_for(targets)
    else:
        kiosks, rooms = targeting.kiosks_everywhere(), targeting.rooms_everywhere()
    event = publish.bump(kiosks, reason, rooms)
    db.session.commit()
    publish.announce(event)


def add_link(unit_code: str | None, url: str, caption: str, actor: User) -> PublicLink:
    """Add a link for `unit_code` (None: national, national officers only); screens below get it."""
    url, caption = _validate(url, caption)
    if unit_code:
        scope.get_unit(unit_code)
    scope.require_scope(actor, unit_code)
    same_unit = PublicLink.unit_code == unit_code if unit_code else PublicLink.unit_code.is_(None)
    position = (db.session.scalar(select(func.max(PublicLink.position)).where(same_unit)) or 0) + 1
    link = PublicLink(unit_code=unit_code or None, url=url, caption=caption, position=position)
    db.session.add(link)
    db.session.flush()
    audit.record(actor, "link.create", "link", link.id, unit_code=unit_code, after={"url": url, "caption": caption})
    _republish(unit_code, "link.create")
    return link


def remove_link(link: PublicLink, actor: User) -> None:
    """Stop showing a link (kept, inactive, for the record)."""
    scope.require_scope(actor, link.unit_code)
    link.active = False
    audit.record(actor, "link.remove", "link", link.id, unit_code=link.unit_code, before={"url": link.url})
    _republish(link.unit_code, "link.remove")
