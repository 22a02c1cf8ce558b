"""Playlists (chương trình phát): what a playlist holds, what it may reference, and how its items are described.

Creating, versioned editing and draft → submitted → published → withdrawn/expired are the one
workflow of every approvable kind (services/content/workflow.py), bound here to playlists by `PLAYLIST`.
What only playlists have: an empty one cannot be submitted, and submitting or approving an exclusive
playlist that would share a screen and an instant with another exclusive one is refused, naming the
clash (`domain.play_order.first_overlap`), and approving one holding an item the approver could not open.
How an officer (and the API) reads a playlist's items is read_models/playlist_items.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from kiosk_server.domain import durations, play_order, sanitise, schedule
from kiosk_server.extensions import db
from kiosk_server.models import Kiosk, Media, Notice, NoticeRevision, Playlist, PlaylistRevision, User
from kiosk_server.models.playlists import playlist_members
from kiosk_server.services.content import media as media_service
from kiosk_server.services.content import workflow
from kiosk_server.services.content.playlist_input import read_playlist
from kiosk_server.services.core import scope
from kiosk_server.services.core.errors import Conflict, Forbidden, ValidationFailed
from kiosk_server.services.screens import publish, targeting

MODE_LABELS = {
    play_order.MIXED: _l("Xen kẽ với thông báo"),
    play_order.EXCLUSIVE: _l("Độc quyền màn hình"),
}


# --- reading ------------------------------------------------------------------------------------

def revision(playlist: Playlist, version: int) -> PlaylistRevision:
    """Return revision `version` of `playlist`."""
    return workflow.revision(PLAYLIST, playlist, version)


def head(playlist: Playlist) -> PlaylistRevision:
    """Return the latest revision (what editors see)."""
    return workflow.head(PLAYLIST, playlist)


def published_content(playlist: Playlist) -> dict | None:
    """Return the content of the revision on screens, or None."""
    return workflow.published_content(PLAYLIST, playlist)


def notice_content(notice: Notice) -> dict | None:
    """Return the content of the notice's published revision, or None when it is not on screens."""
    if notice.published_version is None:
        return None
    return db.session.scalar(select(NoticeRevision.content).where(
        NoticeRevision.notice_id == notice.id, NoticeRevision.version == notice.published_version))


def media_entry_seconds(item: dict, playables: list[dict]) -> float:
    """Return how long a media item of a playlist stays on screen (the rule notices use, durations.py)."""
    return durations.item_duration_s(item.get("duration_s"), item.get("caption") or "", playables)


def describe_items(items: list[dict], notices: dict[int, Notice], media: dict[int, Media]) -> list[dict]:
    """Return the items with what an officer sees of each: title, kind, thumbnail, seconds, and whether it plays.

    `notices` and `media` are the rows the officer may see (read_models/playlist_items.py asks the scoped
    lookup for them): any other id, missing or another unit's, reads as "#id" and nothing else. A notice
    item plays while its notice is published; its seconds are the notice's own.
    """
    playables = media_service.playables_by_id(list(media))
    contents = {nid: notice_content(n) for nid, n in notices.items()}
    wanted = {m for c in contents.values() if c for m in c["media_ids"]}
    notice_media = media_service.playables_by_id(wanted) if wanted else {}
    out = []
    for item in items:
        if "notice_id" in item:
            notice = notices.get(item["notice_id"])
            content = contents.get(item["notice_id"])
            seconds = None
            if content is not None:
                shown = [p for m in content["media_ids"] for p in notice_media.get(m, [])]
                seconds = durations.item_duration_s(
                    content["duration_s"], content["title"] + " " + sanitise.plain_text(content["body"]), shown)
            out.append({**item, "kind": "notice", "title": notice.title if notice else f"#{item['notice_id']}",
                        "status": notice.status if notice else "missing", "plays": content is not None,
                        "seconds": seconds, "thumbnail_url": None})
        else:
            found = media.get(item["media_id"])
            shown = playables.get(item["media_id"], [])
            out.append({**item, "kind": found.kind if found else "missing",
                        "title": item.get("caption") or (found.original_name if found else f"#{item['media_id']}"),
                        "plays": found is not None, "seconds": media_entry_seconds(item, shown) if found else None,
                        "thumbnail_url": media_service.media_url(found.poster_sha256) if found else None})
    return out


def loop_seconds(described: list[dict]) -> float:
    """Return the length of one loop of the items that play now (described by `describe_items`)."""
    return round(sum(i["seconds"] or 0 for i in described if i["plays"]), 1)


# --- checks -------------------------------------------------------------------------------------

def _check_references(fields: dict, actor: User) -> None:
    """Refuse targets, notices or media that do not exist, are outside the actor's scope, or are not published."""
    errors: dict[str, Any] = {}
    unit = scope.get_unit(fields["unit_code"])
    scope.require_scope(actor, unit.code)
    targeting.check_targets(fields["targets"], unit.code, actor, errors)
    for position, item in enumerate(fields["items"], start=1):
        refusal = _item_refusal(position, item, actor)
        if refusal is not None:
            errors["items"] = refusal[1]
    if errors:
        raise ValidationFailed(_l("Chương trình phát chưa hợp lệ; xem lỗi của từng trường."), errors)


def _item_refusal(position: int, item: dict, actor: User) -> tuple[str, Any] | None:
    """Return (code, reason) when `actor` may not put item `position` on screens, else None.

    An item is refused when the officer could not open it (the scoped lookup's rule for notices and
    media: its unit lies in their scope; a missing one reads the same) or when a notice is not published.
    """
    if "notice_id" in item:
        notice = db.session.get(Notice, item["notice_id"])
        if notice is None or not scope.in_scope(actor, notice.unit_code):
            return "out_of_scope", _l("Mục %(n)d: không có thông báo số %(id)s trong phạm vi của bạn.",
                                      n=position, id=item["notice_id"])
        if notice.published_version is None:
            return "item_not_published", _l(
                "Mục %(n)d: thông báo “%(title)s” chưa được phát hành; chỉ thêm được thông báo đã duyệt.",
                n=position, title=notice.title)
        return None
    found = media_service.find_media(item["media_id"])
    if found is None or not scope.in_scope(actor, found.unit_code):
        return "out_of_scope", _l("Mục %(n)d: không có tệp media số %(id)s trong phạm vi của bạn.",
                                  n=position, id=item["media_id"])
    return None


def _refuse_items_unseen(content: dict, actor: User) -> None:
    """Refuse to publish a playlist holding an item the approver could not open, or a notice no longer published.

    The approver publishes every item, so each is checked against them, not against whoever wrote the
    playlist: a province editor may build a commune's playlist of a sibling commune's notice.
    """
    for position, item in enumerate(content["items"], start=1):
        refusal = _item_refusal(position, item, actor)
        if refusal is not None:
            code, reason = refusal
            raise Forbidden(reason, {"items": reason}, code=code)


def _contents_in_force(playlist: Playlist) -> list[dict]:
    """Return the revisions of `playlist` that play or may soon play: the published one, a submitted head."""
    contents = []
    published = published_content(playlist)
    if published is not None:
        contents.append(published)
    if playlist.status == "submitted":
        contents.append(head(playlist).content)
    return contents


def _check_content(playlist: Playlist, content: dict, action: str, now: datetime, actor: User) -> None:
    """Refuse to submit an empty playlist; refuse to approve one holding an item the approver may not publish;
    refuse to submit or approve an exclusive one that clashes.

    Approval checks again: another exclusive playlist may have been approved since this one was submitted.
    """
    if action == "submit" and not content["items"]:
        raise ValidationFailed(_l("Chương trình phát chưa có mục nào; hãy thêm thông báo hoặc tệp media."),
                               {"items": _l("Cần ít nhất một mục.")})
    if action == "approve":
        _refuse_items_unseen(content, actor)
    _refuse_exclusive_clash(playlist, content, now, actor)


def _refuse_exclusive_clash(playlist: Playlist, content: dict, now: datetime, actor: User) -> None:
    """Refuse `content` (an exclusive playlist) when another exclusive one would share a screen and an instant."""
    if content["mode"] != play_order.EXCLUSIVE:
        return
    mine = targeting.kiosks_for(content["targets"])
    if not mine:
        return
    rules = schedule.rules_from_json(content["rules"])
    others = db.session.scalars(select(Playlist).where(
        Playlist.id != playlist.id,
        or_(Playlist.published_version.is_not(None), Playlist.status == "submitted")).order_by(Playlist.id))
    for other in others:
        for theirs in _contents_in_force(other):
            if theirs["mode"] != play_order.EXCLUSIVE:
                continue
            shared = mine & targeting.kiosks_for(theirs["targets"])
            if not shared:
                continue
            when = play_order.first_overlap(rules, schedule.rules_from_json(theirs["rules"]), now)
            if when is not None:
                raise _clash(other, theirs["name"], shared, when, actor)


def _clash(other: Playlist, name: str, shared: set[int], when: datetime, actor: User) -> Conflict:
    """Return the refusal of a clash with `other` (named `name`) on the screens `shared` from `when`.

    The other playlist and the screen are named only to an officer who may open them (the scoped lookup's
    rule for playlists and screens: their unit lies in the officer's scope); anyone else reads that another
    exclusive playlist holds one of their screens, and when.
    """
    at = format_datetime(when.astimezone(schedule.VN), "HH:mm dd/MM/yyyy")
    screens = db.session.scalars(select(Kiosk).where(Kiosk.id.in_(shared)).order_by(Kiosk.id)).all()
    seen = next((kiosk for kiosk in screens if scope.in_scope(actor, kiosk.unit_code)), None)
    if scope.in_scope(actor, other.unit_code):
        what = _l("chương trình độc quyền “%(name)s” (số %(id)d)", name=name, id=other.id)
        hours = _l("Trùng với “%(name)s” từ %(at)s.", name=name, at=at)
    else:
        what = _l("một chương trình độc quyền khác")
        hours = _l("Trùng với một chương trình độc quyền khác từ %(at)s.", at=at)
    where = (_l("màn hình “%(screen)s”", screen=seen.name) if seen is not None
             else _l("một màn hình ngoài phạm vi của bạn"))
    return Conflict(
        _l("Trùng lịch với %(what)s trên %(where)s từ %(at)s: hai chương trình độc quyền không thể cùng chiếm "
           "một màn hình. Hãy đổi giờ, ngày hoặc nơi hiển thị.", what=what, where=where, at=at),
        {"hours": hours}, code="exclusive_clash")


# --- the kind -------------------------------------------------------------------------------------

PLAYLIST = workflow.Approvable(
    name="playlist", model=Playlist, revision_model=PlaylistRevision, owner_key="playlist_id",
    read=read_playlist, check_references=_check_references,
    content_keys=("name", "unit_code", "mode", "priority", "items"),
    head_columns=("name", "mode", "priority"),
    members=playlist_members,
    members_of=lambda content: [{"notice_id": i.get("notice_id"), "media_id": i.get("media_id")} for i in content["items"]],
    changed=lambda playlist, old, new, reason: publish.playlist_changed(playlist.id, old, new, reason=reason),
    summary=lambda fields: {"name": fields["name"], "items": len(fields["items"])},
    check_content=_check_content,
    words=workflow.Words(
        noun=_l("chương trình phát"),
        expired=_l("Chương trình phát đã hết hạn; hãy sửa thời điểm kết thúc trước khi duyệt."),
        not_on_screens=_l("Chương trình phát này không đang phát nên không cần gỡ."),
    ),
)
create_playlist, update_playlist, submit, approve, reject, withdraw, expire_due = workflow.operations(PLAYLIST)
