"""A kiosk's manifest: every published notice and playlist it should play, with the schedule rules and media.

The kiosk evaluates the rules itself (`domain/schedule.py`, mirrored in the player), so the
manifest holds items that are not playing *now* too: the player must drop expired notices and
honour time windows while offline. The server only leaves out what can never play again.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from datetime import datetime
from threading import Lock
from typing import Any

from flask import current_app
from sqlalchemy import and_, select

from kiosk_server.domain import durations, lunar, play_order, schedule
from kiosk_server.extensions import db
from kiosk_server.models import Category, Kiosk, Notice, NoticeRevision, Playlist, PlaylistRevision, Unit
from kiosk_server.models.base import utcnow
from kiosk_server.services.alerts import alerts as alert_service
from kiosk_server.services.content import links
from kiosk_server.services.core import public_urls, qr_images, scope
from kiosk_server.services.screens import targeting

_CACHE_SIZE = 4096
LUNAR_DAYS = 60


def public_url_of(notice_id: int) -> str | None:
    """Return the public page of a notice for a QR code, or None without KIOSK_PUBLIC_URL.

    A server only reachable inside the commune network has no address a phone could open, so its
    screens do not advertise one.
    """
    return public_urls.public_url(f"/n/{notice_id}")


class ManifestCache:
    """Built manifests by (kiosk id, version): a version never changes meaning, so no invalidation."""

    def __init__(self, size: int = _CACHE_SIZE):
        self.size = size
        self.entries: OrderedDict[tuple[int, int], tuple[str, bytes]] = OrderedDict()
        self.lock = Lock()

    def get(self, key):
        with self.lock:
            hit = self.entries.get(key)
            if hit is not None:
                self.entries.move_to_end(key)
            return hit

    def put(self, key, entry) -> None:
        with self.lock:
            self.entries[key] = entry
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


def _cache() -> ManifestCache:
    # One cache per app (tests build many apps whose kiosk ids repeat).
    return current_app.extensions.setdefault("manifest_cache", ManifestCache())


def _item(notice: Notice, content: dict, media: dict[int, list[dict]], unit_names: dict[str, str],
          category_names: dict[str, str], qr_url_of=links.qr_url) -> dict:
    playables = [p for media_id in content["media_ids"] for p in media.get(media_id, [])]
    rules = schedule.rules_from_json(content["rules"])
    duration = durations.item_duration_s(content["duration_s"], content["title"] + " " + _text(content["body"]),
                                         playables)
    item = schedule.Item(
        id=f"n{notice.id}",
        priority=content["priority"],
        rules=rules,
        duration_s=duration,
        sort_key=(notice.approved_at.isoformat() if notice.approved_at else "", notice.id),
    )
    return {
        **schedule.item_to_json(item),
        "notice_id": notice.id,
        "version": notice.published_version,
        "title": content["title"],
        "body": content["body"],
        "category": content["category"],
        "category_name": category_names.get(content["category"], ""),
        "language": content["language"],
        "translations": content["translations"],
        "media": playables,
        # What each QR encodes: the target itself, or a counted /q/ link when KIOSK_PUBLIC_URL is set.
        "qr_url": qr_url_of(content["qr_url"]),
        "qr_target": content["qr_url"],
        "public_url": qr_url_of(public_url_of(notice.id)),
        "unit": {"code": notice.unit_code, "name": unit_names.get(notice.unit_code, "")},
    }


def notice_item(notice: Notice, content: dict, media: dict[int, list[dict]], unit_names: dict[str, str],
                category_names: dict[str, str], qr_url_of=links.qr_url) -> dict:
    """Return the manifest item of `notice` playing revision `content` (services/read_models/preview.py builds one too).

    `qr_url_of` turns a QR target into what the code encodes; the default counts scans through /q/.
    """
    return _item(notice, content, media, unit_names, category_names, qr_url_of)


def _text(body_html: str) -> str:
    from kiosk_server.domain.sanitise import plain_text

    return plain_text(body_html)


def build_manifest(kiosk: Kiosk, now: datetime | None = None) -> dict:
    """Return the manifest of `kiosk`: its identity, theme, and the items it may play."""
    chain = scope.ancestor_codes(kiosk.unit_code)
    notice_ids = targeting.notice_ids_for(kiosk, chain)
    content, chain_units = _content(chain, notice_ids, targeting.playlist_ids_for(kiosk, chain), now or utcnow())
    return {"version": kiosk.manifest_version, "kiosk": _identity(kiosk, chain_units), **content}


def _identity(kiosk: Kiosk, chain_units: list[dict]) -> dict:
    """The part of a manifest that is the screen's own (everything else is shared, see `manifest_bytes`)."""
    return {
        "id": kiosk.id,
        "name": kiosk.name,
        "theme": kiosk.theme,
        "unit": chain_units[0] if chain_units else {"code": kiosk.unit_code, "name": ""},
        "units": chain_units,
    }


def _content(chain: list[str], notice_ids: list[int], playlist_ids: list[int],
             now: datetime) -> tuple[dict, list[dict]]:
    """Return what screens with unit chain `chain`, notices and playlists play, and their units' names."""
    live = _published_notices(notice_ids, now)
    programmes = _published_playlists(playlist_ids, now)
    # A notice may reach this screen only through a playlist: it comes along, to play only there.
    brought = {i["notice_id"] for _, c in programmes for i in c["items"] if "notice_id" in i} - set(notice_ids)
    playlist_only = _published_notices(brought, now)
    live += playlist_only
    media_ids = {m for _, content in live for m in content["media_ids"]}
    media_ids |= {i["media_id"] for _, c in programmes for i in c["items"] if "media_id" in i}
    media: dict[int, list[dict]] = {}
    if media_ids:
        from kiosk_server.services.content import media as media_service

        media = media_service.playables_by_id(media_ids)
    wanted_units = set(chain) | {n.unit_code for n, _ in live} | {p.unit_code for p, _ in programmes}
    unit_names = dict(db.session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(wanted_units))).all())
    category_names = dict(db.session.execute(select(Category.code, Category.name)).all())
    items = sorted((_item(n, c, media, unit_names, category_names) for n, c in live), key=lambda i: i["id"])
    # A notice taken from an information source names it on screen ("Nguồn: …") instead of its unit.
    from kiosk_server.services.sources import sources

    source_names = sources.names_by_notice({n.id for n, _ in live})
    only_ids = {n.id for n, _ in playlist_only}
    for item in items:
        if item["notice_id"] in source_names:
            item["source"] = {"name": source_names[item["notice_id"]]}
        if item["notice_id"] in only_ids:
            item["playlist_only"] = True
    playlists = [playlist_entry(p, c, media, unit_names) for p, c in programmes]
    shown_links = [{"url": links.qr_url(link.url), "target": link.url, "caption": link.caption}
                   for link in links.links_for(chain)]
    content = {
        "generated_at": now.isoformat(),
        "items": items,
        # Playlists laid over the items by the rules of play (domain/play_order.py, player/play_order.js).
        "playlists": playlists,
        "alerts": alert_service.active_for_unit(chain[0], now) if chain else [],
        # Enough days that a screen cut off for two months still shows the right lunar date.
        "lunar": lunar.lunar_labels(now.astimezone(schedule.VN).date(), LUNAR_DAYS),
        "links": shown_links,
        # The signed image address of every QR this screen may show: the server draws nothing else.
        "qr_images": qr_images.images_for(
            [url for item in items for url in (item["qr_url"], item["public_url"])]
            + [link["url"] for link in shown_links]),
    }
    return content, [{"code": c, "name": unit_names.get(c, "")} for c in chain]


def _published_notices(notice_ids, now: datetime) -> list[tuple[Notice, dict]]:
    """Return (notice, published content) of those of `notice_ids` that are published and not ended."""
    return _published(Notice, NoticeRevision, NoticeRevision.notice_id, notice_ids, now)


def _published_playlists(playlist_ids, now: datetime) -> list[tuple[Playlist, dict]]:
    """Return (playlist, published content) of those of `playlist_ids` that are published and not ended."""
    return _published(Playlist, PlaylistRevision, PlaylistRevision.playlist_id, playlist_ids, now)


def _published(model, revision_model, owner_column, ids, now: datetime) -> list[tuple[Any, dict]]:
    """Return (row, published content) of the `model` rows with `ids` that are published and not ended, by id."""
    if not ids:
        return []
    rows = db.session.execute(
        select(model, revision_model)
        .join(revision_model, and_(owner_column == model.id, revision_model.version == model.published_version))
        .where(model.id.in_(ids)).order_by(model.id)
    ).all()
    return [(row, revision.content) for row, revision in rows if not _ended(revision.content, now)]


def playlist_entry(playlist, content: dict, media: dict[int, list[dict]], unit_names: dict[str, str]) -> dict:
    """Return a playlist as the manifest carries it: its rules of play, plus an item to play for each media item.

    A media item plays as an item of its own ("p3.1": playlist 3, place 1) and reports its plays as
    "m<media id>", so proof of play counts it by the media's content hash. A notice item names the
    notice's own item ("n12"), which plays and is counted as that notice. `playlist` may be a stand-in
    with id, unit_code, approved_at and published_version (services/read_models/preview.py).
    """
    entries: list[play_order.Entry] = []
    shown: list[dict] = []
    for position, item in enumerate(content["items"]):
        if "notice_id" in item:
            entries.append(play_order.Entry(notice=f"n{item['notice_id']}"))
            continue
        playables = media.get(item["media_id"])
        if not playables:
            continue  # deleted since, or a PDF without pages: nothing to show
        entry_id = f"p{playlist.id}.{position}"
        seconds = durations.item_duration_s(item.get("duration_s"), item.get("caption") or "", playables)
        entries.append(play_order.Entry(id=entry_id, duration_s=seconds))
        shown.append({
            **schedule.item_to_json(schedule.Item(id=entry_id, priority=schedule.NORMAL, rules=schedule.Rules(),
                                                  duration_s=seconds)),
            "play_item": f"m{item['media_id']}",
            "version": playlist.published_version,
            "title": item.get("caption") or content["name"],
            "body": "",
            "category_name": "",
            "language": "vi",
            "translations": [],
            "media": playables,
            "qr_url": None,
            "qr_target": None,
            "public_url": None,
            "unit": {"code": playlist.unit_code, "name": unit_names.get(playlist.unit_code, "")},
        })
    programme = play_order.Programme(
        id=f"p{playlist.id}", mode=content["mode"], priority=content["priority"],
        rules=schedule.rules_from_json(content["rules"]), entries=tuple(entries),
        sort_key=(playlist.approved_at.isoformat() if playlist.approved_at else "", playlist.id),
    )
    return {**play_order.programme_to_json(programme), "name": content["name"],
            "version": playlist.published_version, "items": shown}


def _ended(content: dict, now: datetime) -> bool:
    ends_at = content["rules"].get("ends_at")
    return bool(ends_at) and datetime.fromisoformat(ends_at) <= now


def manifest_bytes(kiosk: Kiosk) -> tuple[str, bytes]:
    """Return (etag, JSON body) of the kiosk's manifest, built once per version and cached in memory.

    After an alert or a province-wide notice every screen of the area fetches its new manifest
    within seconds, and they differ only in the screen's own identity: the rest is built and
    encoded once per (version, unit chain, notice and playlist sets) and spliced into each screen's body.
    """
    key = (kiosk.id, kiosk.manifest_version)
    cache = _cache()
    hit = cache.get(key)
    if hit is not None:
        return hit
    chain = scope.ancestor_codes(kiosk.unit_code)
    notice_ids = sorted(targeting.notice_ids_for(kiosk, chain))
    playlist_ids = sorted(targeting.playlist_ids_for(kiosk, chain))
    shared_key = ("shared", kiosk.manifest_version, tuple(chain), tuple(notice_ids), tuple(playlist_ids))
    shared = cache.get(shared_key)
    if shared is None:
        content, chain_units = _content(chain, notice_ids, playlist_ids, utcnow())
        shared = (_encode(content)[1:-1], chain_units)  # the object's members, without its braces
        cache.put(shared_key, shared)
    members, chain_units = shared
    own = _encode({"version": kiosk.manifest_version, "kiosk": _identity(kiosk, chain_units)})
    entry = (targeting.etag_for(kiosk), (own[:-1] + "," + members + "}").encode("utf-8"))
    cache.put(key, entry)
    return entry


def _encode(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
