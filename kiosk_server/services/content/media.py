"""The media library: uploads into the content-addressed store, listing, deletion, what kiosks play.

An upload is staged in the store while it is hashed, checked and converted (media_probe), and only
then renamed into place and recorded, with its audit entry, in one commit. A refused upload leaves
no file and no row; the same file twice in a unit is one row, and one object across units. A disk
too full for the upload refuses it with InsufficientStorage (507), with nothing left behind either.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, Text, cast, distinct, func, or_, select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from kiosk_server.extensions import db
from kiosk_server.models import Media, Unit, User
from kiosk_server.models.media import KINDS
from kiosk_server.models.notices import Notice, notice_media
from kiosk_server.models.playlists import Playlist, playlist_members
from kiosk_server.services.content.media_probe import Limits, Probed, probe
from kiosk_server.services.core import audit, scope
from kiosk_server.services.core.errors import Conflict, InsufficientStorage, ValidationFailed
from kiosk_server.storage import MediaStore, StagedObject, StoreFull, media_store

URL_PREFIX = "/media/"
MAX_NAME = 255


def media_url(sha256: str | None) -> str | None:
    """Return the relative URL that serves a stored object, or None."""
    return f"{URL_PREFIX}{sha256}" if sha256 else None


# --- reading ----------------------------------------------------------------------------------

def media_json(media: Media) -> dict[str, Any]:
    """Return the API's view of a media file: the contract's fields plus poster, pages and origin."""
    return {
        "id": media.id,
        "sha256": media.sha256,
        "kind": media.kind,
        "mime": media.mime,
        "width": media.width,
        "height": media.height,
        "duration_s": media.duration_s,
        "url": media_url(media.sha256),
        "poster_url": media_url(media.poster_sha256),
        "pages": [{**page, "url": media_url(page["sha256"])} for page in media.pages] if media.pages else None,
        "original_name": media.original_name,
        "size_bytes": media.size_bytes,
        "unit_code": media.unit_code,
        "created_at": media.created_at.isoformat() if media.created_at else None,
    }


def playables(media: Media) -> list[dict[str, Any]]:
    """Return what a kiosk plays for `media`: one image, one video, or one image per PDF page."""
    if media.kind == "video":
        return [{
            "kind": "video", "url": media_url(media.sha256), "sha256": media.sha256, "mime": media.mime,
            "duration_s": media.duration_s, "poster_url": media_url(media.poster_sha256),
            "width": media.width, "height": media.height,
        }]
    if media.kind == "pdf":
        return [
            # "page" tells the player and the display-time rule that this is a document page.
            {"kind": "image", "url": media_url(p["sha256"]), "sha256": p["sha256"], "width": p["width"],
             "height": p["height"], "page": number, "pages": len(media.pages)}
            for number, p in enumerate(media.pages or [], start=1)
        ]
    return [{"kind": "image", "url": media_url(media.sha256), "sha256": media.sha256, "width": media.width,
             "height": media.height}]


def playables_by_id(media_ids) -> dict[int, list[dict[str, Any]]]:
    """Return `playables` for each of `media_ids` that exists, keyed by id (one query)."""
    ids = list(media_ids)
    if not ids:
        return {}
    return {m.id: playables(m) for m in db.session.scalars(select(Media).where(Media.id.in_(ids)))}


def find_media(media_id: int) -> Media | None:
    """Return the media with `media_id`, or None."""
    return db.session.get(Media, media_id)




def media_query(actor: User, unit_code: str | None = None, kind: str | None = None) -> Select:
    """Return a query of the media the officer may see, newest first, optionally of one unit and kind."""
    query = select(Media).where(scope.scope_filter(actor, Media.unit_code))
    if unit_code:
        scope.get_unit(unit_code, field="unit")
        scope.require_scope(actor, unit_code, field="unit")
        query = query.where(Media.unit_code == unit_code)
    if kind:
        if kind not in KINDS:
            raise ValidationFailed(
                _l("Loại media phải là image, video hoặc pdf."), {"kind": _l("Giá trị không nằm trong danh sách cho phép.")}
            )
        query = query.where(Media.kind == kind)
    return query.order_by(Media.created_at.desc(), Media.id.desc())


def usage_counts(media_ids: list[int]) -> dict[int, int]:
    """Return, for each id, how many notices use that media (ids not in use are left out)."""
    if not media_ids:
        return {}
    rows = db.session.execute(
        select(notice_media.c.media_id, func.count(distinct(notice_media.c.notice_id)))
        .where(notice_media.c.media_id.in_(media_ids))
        .group_by(notice_media.c.media_id)
    )
    return dict(rows.all())


def object_mime(sha256: str) -> str | None:
    """Return the recorded type of a stored object that is a Media file itself, or None."""
    return db.session.scalar(select(Media.mime).where(Media.sha256 == sha256).limit(1))


# --- upload -----------------------------------------------------------------------------------

@dataclass
class _Prepared:
    """An upload checked and converted, its objects staged in the store but not yet visible."""

    probed: Probed
    main: StagedObject
    poster: StagedObject | None = None
    pages: list[StagedObject] = field(default_factory=list)
    staged: list[StagedObject] = field(default_factory=list)  # everything to commit or discard

    def to_commit(self) -> list[StagedObject]:
        return [self.main, *([self.poster] if self.poster else []), *self.pages]


def ingest_upload(file_storage: FileStorage | None, unit_code: str | None, actor: User | str | None) -> Media:
    """Store an uploaded image, video or PDF for `unit_code` (default: the officer's unit); return its row.

    The same file uploaded again in the same unit returns the existing row. Refusals raise a
    ServiceError on the field `file` (or `unit_code`) and leave nothing in the store or database.
    """
    if file_storage is None or not file_storage.filename:  # a form sent with no file chosen has no name
        raise ValidationFailed(_l("Hãy chọn một tệp để tải lên."), {"file": _l("Chưa chọn tệp.")},
                               code="file_missing")
    unit = _owner_unit(unit_code, actor)
    store = media_store()
    limits = Limits.from_config(current_app.config)
    full = _l("Ổ lưu trữ media đã đầy, không đủ chỗ cho tệp này: hãy xóa tệp cũ không còn dùng hoặc báo quản trị "
              "viên hệ thống.")
    with refused_when_full(store, full, "file"):
        prepared = run_decoder(_prepare, store, file_storage.stream, limits)
        try:
            return _record(store, prepared, unit, _clean_name(file_storage.filename), actor)
        finally:
            for staged in prepared.staged:
                store.discard(staged)


@contextmanager
def refused_when_full(store: MediaStore, message: Any, field_name: str) -> Iterator[None]:
    """Turn the store's full disk inside the block into InsufficientStorage on `field_name`, logged for the operator."""
    try:
        yield
    except StoreFull as error:
        free = store.free_bytes()
        current_app.logger.error("upload refused, disk full: %s (%s bytes free)", error.strerror or error,
                                 "unknown" if free is None else free)
        raise InsufficientStorage(message, {field_name: _l("Không đủ chỗ lưu trữ.")}) from None


def _owner_unit(unit_code: str | None, actor: User | str | None) -> Unit:
    if not unit_code and isinstance(actor, User):
        unit_code = actor.unit_code
    if not unit_code:
        raise ValidationFailed(
            _l("Hãy chọn đơn vị sở hữu tệp."), {"unit_code": _l("Trường này là bắt buộc.")}
        )
    unit = scope.get_unit(unit_code)
    if isinstance(actor, User):
        scope.require_scope(actor, unit.code)
    return unit


def _clean_name(name: str | None) -> str:
    """Return the file's own name: no folders, no control characters, at most 255 characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable()).strip()[:MAX_NAME]


def _prepare(store: MediaStore, stream: IO[bytes], limits: Limits) -> _Prepared:
    """Stage the upload, check it and stage what is stored for it (runs off the event loop)."""
    upload = store.stage(stream)
    staged = [upload]
    try:
        probed = probe(upload.path, limits)
        main = upload
        if probed.replacement is not None:  # images: the clean re-encode, never the upload itself
            main = store.stage_bytes(probed.replacement.data)
            staged.append(main)
        poster = store.stage_bytes(probed.poster.data) if probed.poster else None
        if poster:
            staged.append(poster)
        pages = []
        for page in probed.pages:
            pages.append(store.stage_bytes(page.data))
            staged.append(pages[-1])
    except BaseException:
        for item in staged:
            store.discard(item)
        raise
    return _Prepared(probed, main, poster, pages, staged)


def _record(store: MediaStore, prepared: _Prepared, unit: Unit, name: str, actor: User | str | None) -> Media:
    """Put the staged objects in place and write the row and its audit entry in one commit."""
    probed = prepared.probed
    created: list[str] = []
    try:
        for staged in prepared.to_commit():  # one by one: a full disk midway drops those already in place
            if store.commit(staged):
                created.append(staged.sha256)
        existing = _find(unit.code, prepared.main.sha256)
        if existing is not None:
            audit.record(actor, "media.upload", "media", existing.id, unit_code=unit.code,
                         after={**_audit_facts(existing), "again": True})
            db.session.commit()
            return existing
        media = Media(
            unit_code=unit.code, sha256=prepared.main.sha256, kind=probed.kind, mime=probed.mime,
            width=probed.width, height=probed.height, duration_s=probed.duration_s,
            size_bytes=prepared.main.size, original_name=name,
            created_by_id=actor.id if isinstance(actor, User) else None,
            poster_sha256=prepared.poster.sha256 if prepared.poster else None,
            pages=[
                {"sha256": staged.sha256, "width": page.width, "height": page.height}
                for staged, page in zip(prepared.pages, probed.pages, strict=True)
            ] or None,
        )
        db.session.add(media)
        db.session.flush()
        audit.record(actor, "media.upload", "media", media.id, unit_code=unit.code,
                     after={**_audit_facts(media), **probed.details})
        db.session.commit()
        return media
    except IntegrityError:
        # The same file, uploaded in the same unit at the same moment: the other request's row wins.
        db.session.rollback()
        existing = _find(unit.code, prepared.main.sha256)
        if existing is None:
            _drop_unreferenced(store, created)
            raise
        return existing
    except BaseException:
        db.session.rollback()
        _drop_unreferenced(store, created)
        raise


def _find(unit_code: str, sha256: str) -> Media | None:
    return db.session.scalar(select(Media).where(Media.unit_code == unit_code, Media.sha256 == sha256))


def _audit_facts(media: Media) -> dict[str, Any]:
    return {
        "sha256": media.sha256, "kind": media.kind, "mime": media.mime, "size_bytes": media.size_bytes,
        "original_name": media.original_name, "width": media.width, "height": media.height,
        "duration_s": media.duration_s,
    }


# --- deletion ---------------------------------------------------------------------------------

def notices_using(media: Media, limit: int = 3) -> list[str]:
    """Return the titles of (at most `limit`) notices that use `media`."""
    return list(db.session.scalars(
        select(Notice.title).join(notice_media, notice_media.c.notice_id == Notice.id)
        .where(notice_media.c.media_id == media.id).distinct().order_by(Notice.title).limit(limit)
    ))


def playlists_using(media: Media, limit: int = 3) -> list[str]:
    """Return the names of (at most `limit`) playlists whose head or published version plays `media`."""
    return list(db.session.scalars(
        select(Playlist.name).join(playlist_members, playlist_members.c.playlist_id == Playlist.id)
        .where(playlist_members.c.media_id == media.id).distinct().order_by(Playlist.name).limit(limit)))


def delete_media(media: Media, actor: User | str | None) -> None:
    """Delete a media row and the objects no other row uses; refused (Conflict) while a notice uses it."""
    if isinstance(actor, User):
        scope.require_scope(actor, media.unit_code, field="id")
    in_use = usage_counts([media.id]).get(media.id, 0)
    if in_use:
        titles = "; ".join(f"“{t}”" for t in notices_using(media))
        raise Conflict(
            _l("Không xóa được: tệp đang được dùng trong %(n)d thông báo (%(titles)s). Hãy bỏ tệp khỏi các "
               "thông báo đó trước.", n=in_use, titles=titles),
            {"id": _l("Tệp đang được sử dụng.")},
            code="media_in_use",
        )
    programmes = playlists_using(media)
    if programmes:
        raise Conflict(
            _l("Không xóa được: tệp đang có trong chương trình phát %(names)s. Hãy bỏ tệp khỏi các chương trình "
               "đó trước.", names="; ".join(f"“{n}”" for n in programmes)),
            {"id": _l("Tệp đang được sử dụng.")},
            code="media_in_use",
        )
    names = media.object_names()
    facts = _audit_facts(media)
    media_id, unit_code = media.id, media.unit_code
    db.session.delete(media)
    audit.record(actor, "media.delete", "media", media_id, unit_code=unit_code, before=facts)
    db.session.commit()
    _drop_unreferenced(media_store(), names)


def _drop_unreferenced(store: MediaStore, names) -> None:
    """Delete the objects among `names` that no Media row uses any more (another unit's may)."""
    for name in names:
        used = db.session.scalar(
            select(Media.id).where(or_(
                Media.sha256 == name, Media.poster_sha256 == name, cast(Media.pages, Text).contains(name)
            )).limit(1)
        )
        if used is None:
            store.delete(name)


# --- running the decoders ---------------------------------------------------------------------

_serial = threading.Lock()


@functools.cache
def _gevent_worker():
    """Return a one-thread gevent pool when the server runs under gevent, else None."""
    try:
        from gevent import monkey
        from gevent.threadpool import ThreadPool
    except ImportError:
        return None
    return ThreadPool(1) if monkey.is_module_patched("threading") else None


def run_decoder(fn, *args):
    """Return fn(*args), run so that a long decode cannot stall the server's other connections.

    Under gevent the work runs in a native thread of its own (Pillow, FFmpeg and PDFium release the
    GIL while they decode), so kiosks' websockets keep being served. One thread, and a lock under
    plain threads, because PDFium must never be entered from two threads at once.
    """
    worker = _gevent_worker()
    if worker is not None:
        return worker.apply(fn, args)
    with _serial:
        return fn(*args)
