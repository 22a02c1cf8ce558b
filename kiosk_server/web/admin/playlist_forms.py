"""The playlist editor's form, and the translation between it and the API's playlist body.

Like the notice editor's (both use editor_fields.py for targets and schedule), the form checks nothing but its
CSRF token: it builds the API's body and lets `services.playlists` judge every field. The items are
posted as rows (`items-N-kind`, `-ref`, `-duration`, `-caption`) in play order; the buttons that add,
move and remove a row work without scripts (the page is posted and drawn again), and
playlist-editor.js does the same in the page, with drag and drop.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, StringField

from kiosk_server.domain import play_order
from kiosk_server.extensions import db
from kiosk_server.models import Media, Notice, User
from kiosk_server.services.content import media as media_service
from kiosk_server.services.content import playlists
from kiosk_server.services.content.playlist_input import MAX_ITEMS
from kiosk_server.services.core import scope
from kiosk_server.services.read_models import lookup, playlist_items
from kiosk_server.web.admin import editor_fields as ef

PICKER_LISTED = 60

MODE_CHOICES = (
    (play_order.MIXED, _l("Xen kẽ với thông báo"),
     _l("Các mục phát theo thứ tự này thay cho thứ tự mặc định; tin ưu tiên vẫn phát trước, tin thường phát sau.")),
    (play_order.EXCLUSIVE, _l("Độc quyền màn hình"),
     _l("Trong khung giờ của chương trình chỉ chương trình này phát, như một buổi phát sóng; "
        "tin khẩn cấp và cảnh báo vẫn ngắt ngang.")),
)


class PlaylistForm(FlaskForm):
    version = HiddenField()
    name = StringField(_l("Tên chương trình"))
    unit_code = SelectField(_l("Đơn vị sở hữu"), choices=[], validate_choice=False)
    mode = RadioField(_l("Chế độ phát"), choices=[SelectChoice(c, label) for c, label, _ in MODE_CHOICES],
                      default=play_order.MIXED, validate_choice=False)
    priority = StringField(_l("Mức ưu tiên của chương trình"), default="0")
    target_units, target_groups, target_kiosks = ef.target_fields()
    starts_at = StringField(_l("Bắt đầu hiệu lực"))
    ends_at = StringField(_l("Kết thúc hiệu lực"))
    days = ef.day_field()


def posted(formdata) -> dict[str, list[dict]]:
    """Return the editor's rows as posted: hour ranges, and the items in order as {kind, ref, duration, caption}."""
    items = ef.posted_rows(formdata, "items", ("kind", "ref", "duration", "caption"), MAX_ITEMS + 1)
    return {"hours": ef.posted_hours(formdata),
            "items": [row for row in items if row["kind"] in ("notice", "media") and row["ref"]]}


def apply_button(rows: dict[str, list[dict]], formdata) -> bool:
    """Apply an add, move or remove button of the page without scripts to the item rows; return True if one was pressed."""
    rows = rows["items"]
    add, move, remove = formdata.get("add"), formdata.get("move"), formdata.get("remove")
    if add and ":" in add:
        kind, ref = add.split(":", 1)
        if kind in ("notice", "media") and ref.isdigit():
            rows.append({"kind": kind, "ref": ref, "duration": "", "caption": ""})
        return True
    if move and ":" in move:
        index, direction = move.split(":", 1)
        if index.isdigit():
            i = int(index)
            j = i - 1 if direction == "up" else i + 1
            if 0 <= i < len(rows) and 0 <= j < len(rows):
                rows[i], rows[j] = rows[j], rows[i]
        return True
    if remove is not None and remove.isdigit():
        if int(remove) < len(rows):
            del rows[int(remove)]
        return True
    return False


def items_body(rows: list[dict]) -> list:
    """Return the API's items for the posted rows; what cannot be read is handed on for the service to name."""
    items = []
    for row in rows:
        ref = int(row["ref"]) if row["ref"].isdigit() else row["ref"]
        if row["kind"] == "notice":
            items.append({"notice_id": ref})
        else:
            item = {"media_id": ref}
            duration = ef.read_number(row["duration"])
            if duration is not None:
                item["duration_s"] = duration
            if row["caption"]:
                item["caption"] = row["caption"]
            items.append(item)
    return items


def to_body(form: PlaylistForm, rows: dict[str, list[dict]]) -> tuple[dict, dict]:
    """Return the API's playlist body for what the officer entered, and the errors of reading its moments."""
    where_and_when, errors = ef.where_and_when(form, rows["hours"])
    priority = ef.read_number(form.priority.data)
    return {
        "name": form.name.data or "",
        "unit_code": form.unit_code.data or "",
        "mode": form.mode.data or play_order.MIXED,
        "priority": 0 if priority is None else priority,
        "items": items_body(rows["items"]),
        **where_and_when,
    }, errors


def fill(form: PlaylistForm, content: dict, version: int) -> dict[str, list[dict]]:
    """Put a stored revision's `content` into `form`; return its rows (hour ranges, items)."""
    hours = ef.fill_where_and_when(form, content, version)
    form.name.data = content["name"]
    form.mode.data = content["mode"]
    form.priority.data = str(content["priority"])
    items = []
    for item in content["items"]:
        if "notice_id" in item:
            items.append({"kind": "notice", "ref": str(item["notice_id"]), "duration": "", "caption": ""})
        else:
            duration = item.get("duration_s")
            items.append({"kind": "media", "ref": str(item["media_id"]),
                          "duration": "" if duration is None else f"{duration:g}", "caption": item.get("caption") or ""})
    return {"hours": hours, "items": items}


def shown_rows(rows: list[dict], user: User) -> list[dict]:
    """Return the item rows with what `user` sees of each (title, thumbnail, seconds), described through the scoped
    lookup: another unit's notice or file, whatever id was posted, reads as "#id"."""
    numbered = [r for r in rows if r["ref"].isdigit()]
    described = playlist_items.describe_items(items_body(numbered), user)
    out = []
    for row, item in zip(numbered, described, strict=True):
        out.append({**row, "title": item["title"] or f"#{row['ref']}", "kind_shown": item["kind"],
                    "thumb": item.get("thumbnail_url"), "seconds": item["seconds"], "plays": item["plays"]})
    return out


def notice_picker(user: User) -> list[dict]:
    """Return the published notices `user` may put in a playlist, newest first, with their seconds and thumbnail."""
    found = db.session.scalars(
        select(Notice).where(scope.scope_filter(user, Notice.unit_code), Notice.published_version.is_not(None))
        .order_by(Notice.approved_at.desc(), Notice.id.desc()).limit(PICKER_LISTED)).all()
    described = playlist_items.describe_items([{"notice_id": n.id} for n in found], user)
    out = []
    for notice, item in zip(found, described, strict=True):
        content = playlists.notice_content(notice) or {}
        first = (content.get("media_ids") or [None])[0]
        media = lookup.visible_rows(Media, [first], user).get(first) if first else None
        out.append({"id": notice.id, "title": notice.title, "unit": notice.unit.name, "seconds": item["seconds"],
                    "thumb": media_service.media_url(media.poster_sha256) if media else None})
    return out


def media_picker(user: User) -> list[dict]:
    """Return the media `user` may put in a playlist, newest first, with their thumbnail and seconds."""
    found = db.session.scalars(media_service.media_query(user).limit(PICKER_LISTED)).all()
    playable = media_service.playables_by_id([m.id for m in found])
    return [{"id": m.id, "name": m.original_name or f"#{m.id}", "kind": m.kind,
             "thumb": media_service.media_url(m.poster_sha256),
             "seconds": playlists.media_entry_seconds({}, playable.get(m.id, []))} for m in found]
