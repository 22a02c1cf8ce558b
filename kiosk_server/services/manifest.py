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

from flask import current_app
from sqlalchemy import and_, select

from kiosk_server.domain import durations, lunar, play_order, schedule
from kiosk_server.extensions import db
from kiosk_server.models import Category, Kiosk, Notice, NoticeRevision, Playlist, PlaylistRevision, Unit
from kiosk_server.models.base import utcnow
from kiosk_server.services import alerts as alert_service
from kiosk_server.services import links, public_urls, qr_images, scope, targeting

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
    """Return the manifest item of `notice` playing revision `content` (services/preview.py builds one too).

    `qr_url_of` turns a QR target into what the code encodes; the default counts scans through /q/.
    """
    return _item(notice, content, media, unit_names, category_names, qr_url_of)


def _text(body_html: str) -> str:
    from kiosk_server.domain.sanitise import plain_text

    return plain_text(body_html)


def build_manifest(kiosk: Kiosk, now: datetime | None = None) -> dict:
    """Return the manifest of `kiosk`: its identity, theme, and the items it may play."""
    now = now or utcnow()
    chain = scope.ancestor_codes(kiosk.unit_code)
    notice_ids = targeting.notice_ids_for(kiosk, chain)
    live = _published_notices(notice_ids, now)
    programmes = _published_playlists(targeting.playlist_ids_for(kiosk, chain), now)
    # A notice may reach this screen only through a playlist: it comes along, to play only there.
    brought = {i["notice_id"] for _, c in programmes for i in c["items"] if "notice_id" in i} - set(notice_ids)
    playlist_only = _published_notices(brought, now)
    live += playlist_only
    media_ids = {m for _, content in live for m in content["media_ids"]}
    media_ids |= {i["media_id"] for _, c in programmes for i in c["items"] if "media_id" in i}
    media: dict[int, list[dict]] = {}
    if media_ids:
        from kiosk_server.services import media as media_service

        media = media_service.playables_by_id(media_ids)
    wanted_units = set(chain) | {n.unit_code for n, _ in live} | {p.unit_code for p, _ in programmes}
    unit_names = dict(db.session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(wanted_units))).all())
    category_names = dict(db.session.execute(select(Category.code, Category.name)).all())
    items = sorted((_item(n, c, media, unit_names, category_names) for n, c in live), key=lambda i: i["id"])
    only_ids = {n.id for n, _ in playlist_only}
    for item in items:
        if item["notice_id"] in only_ids:
            item["playlist_only"] = True
    playlists = [playlist_entry(p, c, media, unit_names) for p, c in programmes]
    shown_links = [{"url": links.qr_url(link.url), "target": link.url, "caption": link.caption}
                   for link in links.links_for(chain)]
    return {
        "version": kiosk.manifest_version,
        "generated_at": now.isoformat(),
        "kiosk": {
            "id": kiosk.id,
            "name": kiosk.name,
            "theme": kiosk.theme,
            "unit": {"code": kiosk.unit_code, "name": unit_names.get(kiosk.unit_code, "")},
            "units": [{"code": c, "name": unit_names.get(c, "")} for c in chain],
        },
        "items": items,
        # Playlists laid over the items by the rules of play (domain/play_order.py, player/play_order.js).
        "playlists": playlists,
        "alerts": alert_service.active_for_kiosk(kiosk, now),
        # Enough days that a screen cut off for two months still shows the right lunar date.
        "lunar": lunar.lunar_labels(now.astimezone(schedule.VN).date(), LUNAR_DAYS),
        "links": shown_links,
        # The signed image address of every QR this screen may show: the server draws nothing else.
        "qr_images": qr_images.images_for(
            [url for item in items for url in (item["qr_url"], item["public_url"])]
            + [link["url"] for link in shown_links]),
    }


def _published_notices(notice_ids, now: datetime) -> list[tuple[Notice, dict]]:
    """Return (notice, published content) of those of `notice_ids` that are published and not ended."""
    if not notice_ids:
        return []
    rows = db.session.execute(
        select(Notice, NoticeRevision)
        .join(NoticeRevision, and_(NoticeRevision.notice_id == Notice.id,
                                   NoticeRevision.version == Notice.published_version))
        .where(Notice.id.in_(notice_ids))
    ).all()
    return [(n, r.content) for n, r in rows if not _ended(r.content, now)]


def _published_playlists(playlist_ids, now: datetime) -> list[tuple[Playlist, dict]]:
    """Return (playlist, published content) of those of `playlist_ids` that are published and not ended."""
    if not playlist_ids:
        return []
    rows = db.session.execute(
        select(Playlist, PlaylistRevision)
        .join(PlaylistRevision, and_(PlaylistRevision.playlist_id == Playlist.id,
                                     PlaylistRevision.version == Playlist.published_version))
        .where(Playlist.id.in_(playlist_ids)).order_by(Playlist.id)
    ).all()
    return [(p, r.content) for p, r in rows if not _ended(r.content, now)]


def playlist_entry(playlist, content: dict, media: dict[int, list[dict]], unit_names: dict[str, str]) -> dict:
    """Return a playlist as the manifest carries it: its rules of play, plus an item to play for each media item.

    A media item plays as an item of its own ("p3.1": playlist 3, place 1) and reports its plays as
    "m<media id>", so proof of play counts it by the media's content hash. A notice item names the
    notice's own item ("n12"), which plays and is counted as that notice. `playlist` may be a stand-in
    with id, unit_code, approved_at and published_version (services/preview.py).
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
    """Return (etag, JSON body) of the kiosk's manifest, built once per version and cached in memory."""
    key = (kiosk.id, kiosk.manifest_version)
    cache = _cache()
    hit = cache.get(key)
    if hit is not None:
        return hit
    body = json.dumps(build_manifest(kiosk), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    entry = (targeting.etag_for(kiosk), body)
    cache.put(key, entry)
    return entry
