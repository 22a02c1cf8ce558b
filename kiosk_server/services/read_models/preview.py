"""The editors' preview: a manifest holding just the notice or playlist being edited, as a screen would get it.

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

from kiosk_server.domain import lunar, play_order, schedule
from kiosk_server.extensions import db
from kiosk_server.models import Category, Media, Notice, Playlist, Unit, User
from kiosk_server.models.base import utcnow
from kiosk_server.services.content import links, playlists
from kiosk_server.services.content import media as media_service
from kiosk_server.services.content.notice_input import read_notice
from kiosk_server.services.content.playlist_input import read_playlist
from kiosk_server.services.core import qr_images, scope
from kiosk_server.services.core.errors import ValidationFailed
from kiosk_server.services.read_models import lookup, manifest

PREVIEW_LUNAR_DAYS = 2


def _lenient_fields(body: dict, reader=read_notice) -> dict:
    """Return the fields of `body` that read cleanly (`reader`: read_notice or read_playlist); those at fault are left out."""
    data = dict(body)
    for _attempt in range(3):
        try:
            return reader(data, partial=True)
        except ValidationFailed as error:
            faulty = set(error.fields) & set(data)
            if not faulty:
                break
            for name in faulty:
                data.pop(name)
    return {}


def _content(fields: dict, actor: User, language: str | None) -> dict:
    """Return a revision's content for the preview: the draft's words, no schedule, media in scope."""
    seen = lookup.visible_rows(Media, fields.get("media_ids") or [], actor)
    media_ids = [m for m in fields.get("media_ids") or [] if m in seen]
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
        "rules": _any_time(),
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
    unit_code, chain = _shown_for(fields, notice, actor)
    unit_names, category_names = _names(chain)
    media = media_service.playables_by_id(content["media_ids"]) if content["media_ids"] else {}
    item = manifest.notice_item(_stand_in(notice, unit_code), content, media, unit_names, category_names,
                                qr_url_of=lambda url: url)
    if notice is None:
        item["public_url"] = None  # a notice not yet saved has no page
    return _around([item], [], unit_code, chain, unit_names, theme, now)


def playlist_preview_manifest(body: dict[str, Any], actor: User, playlist: Playlist | None = None, *,
                              theme: str = "default", now: datetime | None = None) -> dict:
    """Return a manifest that plays the draft playlist `body` (the API's playlist body) now, in its order.

    Only what `actor` may open (the scoped lookup) is kept: published notices and media in their scope. The playlist plays
    as exclusive and without its schedule, so the preview is exactly its loop.
    """
    now = now or utcnow()
    fields = _lenient_fields(body, read_playlist)
    unit_code, chain = _shown_for(fields, playlist, actor)
    items_posted = fields.get("items") or []
    notices = lookup.visible_rows(Notice, [i["notice_id"] for i in items_posted if "notice_id" in i], actor)
    files = lookup.visible_rows(Media, [i["media_id"] for i in items_posted if "media_id" in i], actor)
    kept, notices_shown = [], []
    for item in items_posted:
        if "notice_id" in item:
            notice = notices.get(item["notice_id"])
            content = playlists.notice_content(notice) if notice is not None else None
            if content is not None:
                kept.append(item)
                notices_shown.append((notice, content))
        elif item["media_id"] in files:
            kept.append(item)
    unit_names, category_names = _names(set(chain) | {n.unit_code for n, _ in notices_shown})
    media_ids = {i["media_id"] for i in kept if "media_id" in i} | {m for _, c in notices_shown for m in c["media_ids"]}
    media = media_service.playables_by_id(media_ids)
    items = []
    for notice, content in notices_shown:
        entry = manifest.notice_item(notice, {**content, "rules": _any_time()}, media, unit_names, category_names,
                                     qr_url_of=lambda url: url)
        items.append({**entry, "playlist_only": True})
    content = {"name": fields.get("name") or "", "mode": play_order.EXCLUSIVE, "priority": 0, "items": kept,
               "rules": _any_time()}
    entry = manifest.playlist_entry(_stand_in(playlist, unit_code), content, media, unit_names)
    return _around(items, [entry], unit_code, chain, unit_names, theme, now)


def _any_time() -> dict:
    """Return the rules of a draft in preview: the officer wants to see it now, whatever window it will play in."""
    return schedule.rules_to_json(schedule.Rules())


def _shown_for(fields: dict, record: Notice | Playlist | None, actor: User) -> tuple[str, list[str]]:
    """Return the unit whose screen shows the preview (the draft's, else the record's, else the officer's) and its chain."""
    unit_code = fields.get("unit_code") or (record.unit_code if record else None) or actor.unit_code or ""
    return unit_code, scope.ancestor_codes(unit_code) if unit_code else []


def _names(unit_codes) -> tuple[dict[str, str], dict[str, str]]:
    """Return the names of `unit_codes` and of every category, as the manifest's items show them."""
    unit_names = dict(db.session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(unit_codes))).all())
    return unit_names, dict(db.session.execute(select(Category.code, Category.name)).all())


def _stand_in(record: Notice | Playlist | None, unit_code: str) -> SimpleNamespace:
    """Return what the manifest reads of the record being edited; a new one has no id yet and plays as version 1."""
    return SimpleNamespace(id=record.id if record else 0, unit_code=unit_code, approved_at=None,
                           published_version=record.version if record else 1)


def _around(items: list[dict], playlists_shown: list[dict], unit_code: str, chain: list[str],
            unit_names: dict[str, str], theme: str, now: datetime) -> dict:
    """Return a preview manifest holding `items` and `playlists_shown`, as a screen of `unit_code` gets one."""
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
        "items": items,
        "playlists": playlists_shown,
        "alerts": [],
        "lunar": lunar.lunar_labels(now.astimezone(schedule.VN).date(), PREVIEW_LUNAR_DAYS),
        "links": shown_links,
        # The same signed QR images a screen gets: the server draws no QR for an unsigned address.
        "qr_images": qr_images.images_for([url for item in items for url in (item["qr_url"], item["public_url"])]
                                          + [link["url"] for link in shown_links]),
    }
