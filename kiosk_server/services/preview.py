"""The editor's preview: a manifest holding just the notice being edited, as a screen would get it.

The player in preview mode (/kiosk/preview) plays it with the real theme, so the officer sees what a
screen will show. The draft is read leniently (a field still being typed is left out instead of
refusing the whole preview), it plays now whatever its schedule says, and nothing is stored: QR
codes encode their target directly instead of a counted /q/ link, which would be a row per keystroke.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select

from kiosk_server.domain import lunar, schedule
from kiosk_server.extensions import db
from kiosk_server.models import Category, Notice, Unit, User
from kiosk_server.models.base import utcnow
from kiosk_server.services import links, manifest, qr_images, scope
from kiosk_server.services import media as media_service
from kiosk_server.services.errors import ValidationFailed
from kiosk_server.services.notice_input import read_notice

PREVIEW_LUNAR_DAYS = 2


def _lenient_fields(body: dict) -> dict:
    """Return the fields of `body` that read cleanly; those at fault are left out."""
    data = dict(body)
    for _attempt in range(3):
        try:
            return read_notice(data, partial=True)
        except ValidationFailed as error:
            faulty = set(error.fields) & set(data)
            if not faulty:
                break
            for name in faulty:
                data.pop(name)
    return {}


def _content(fields: dict, actor: User, language: str | None) -> dict:
    """Return a revision's content for the preview: the draft's words, no schedule, media in scope."""
    media_ids = [m for m in fields.get("media_ids") or []
                 if (found := media_service.find_media(m)) is not None and scope.in_scope(actor, found.unit_code)]
    content = {
        "title": fields.get("title") or "",
        "body": fields.get("body") or "",
        "category": fields.get("category") or "local",
        "priority": fields.get("priority") or "normal",
        "language": fields.get("language") or "vi",
        "translations": fields.get("translations") or [],
        "duration_s": fields.get("duration_s"),
        "media_ids": media_ids,
        "qr_url": fields.get("qr_url"),
        # The officer wants to see it now, whatever window it will play in.
        "rules": schedule.rules_to_json(schedule.Rules()),
    }
    chosen = next((t for t in content["translations"] if t.get("language") == language), None)
    if chosen is not None:
        # One language asked for: the preview plays just that one, as its slide would look.
        content.update(title=chosen.get("title") or "", body=chosen.get("body") or "", language=language,
                       translations=[])
    return content


def preview_manifest(body: dict[str, Any], actor: User, notice: Notice | None = None, *,
                     theme: str = "default", language: str | None = None, now: datetime | None = None) -> dict:
    """Return a manifest whose one item is the draft `body` (the API's notice body) as `actor` may see it.

    `notice` is the notice being edited (None for a new one): its id gives the item its public page.
    """
    now = now or utcnow()
    body = {**body, "translations": [t for t in body.get("translations") or []
                                     if isinstance(t, dict) and t.get("language") and t.get("title")]}
    fields = _lenient_fields(body)
    content = _content(fields, actor, language)
    unit_code = fields.get("unit_code") or (notice.unit_code if notice else None) or actor.unit_code or ""
    chain = scope.ancestor_codes(unit_code) if unit_code else []
    unit_names = dict(db.session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(chain))).all())
    category_names = dict(db.session.execute(select(Category.code, Category.name)).all())
    media = media_service.playables_by_id(content["media_ids"]) if content["media_ids"] else {}
    stand_in = SimpleNamespace(id=notice.id if notice else 0, approved_at=None, unit_code=unit_code,
                               published_version=notice.version if notice else 1)
    item = manifest.notice_item(stand_in, content, media, unit_names, category_names, qr_url_of=lambda url: url)
    if notice is None:
        item["public_url"] = None  # a notice not yet saved has no page
    shown_links = [{"url": link.url, "target": link.url, "caption": link.caption} for link in links.links_for(chain)]
    return {
        "version": 0,
        "generated_at": now.isoformat(),
        "preview": True,
        "kiosk": {
            "id": None,
            "name": "",
            "theme": theme,
            "unit": {"code": unit_code, "name": unit_names.get(unit_code, "")},
            "units": [{"code": c, "name": unit_names.get(c, "")} for c in chain],
        },
        "items": [item],
        "alerts": [],
        "lunar": lunar.lunar_labels(now.astimezone(schedule.VN).date(), PREVIEW_LUNAR_DAYS),
        "links": shown_links,
        # The same signed QR images a screen gets: the server draws no QR for an unsigned address.
        "qr_images": qr_images.images_for([item["qr_url"], item["public_url"]] + [link["url"] for link in shown_links]),
    }
