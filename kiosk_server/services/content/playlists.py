"""Playlists (chương trình phát): what a playlist holds, what it may reference, and how the API shows it.

Creating, versioned editing and draft → submitted → published → withdrawn/expired are the one
workflow of every approvable kind (services/content/workflow.py), bound here to playlists by `PLAYLIST`.
What only playlists have: an empty one cannot be submitted, and submitting or approving an exclusive
playlist that would share a screen and an instant with another exclusive one is refused, naming the
clash (`domain.play_order.first_overlap`).
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
from kiosk_server.services.core.errors import Conflict, ValidationFailed
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


def describe_items(items: list[dict]) -> list[dict]:
    """Return the items with what an officer sees of each: title, kind, thumbnail, seconds, and whether it plays.

    A notice item plays while its notice is published; its seconds are the notice's own.
    """
    notice_ids = [i["notice_id"] for i in items if "notice_id" in i]
    media_ids = [i["media_id"] for i in items if "media_id" in i]
    notices = {n.id: n for n in db.session.scalars(select(Notice).where(Notice.id.in_(notice_ids)))} if notice_ids else {}
    media = {m.id: m for m in db.session.scalars(select(Media).where(Media.id.in_(media_ids)))} if media_ids else {}
    playables = media_service.playables_by_id(media_ids)
    notice_media = {}
    contents = {nid: notice_content(n) for nid, n in notices.items()}
    wanted = {m for c in contents.values() if c for m in c["media_ids"]}
    if wanted:
        notice_media = media_service.playables_by_id(wanted)
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
            out.append({**item, "kind": "notice", "title": notice.title if notice else "",
                        "status": notice.status if notice else "missing", "plays": content is not None,
                        "seconds": seconds, "thumbnail_url": None})
        else:
            found = media.get(item["media_id"])
            shown = playables.get(item["media_id"], [])
            out.append({**item, "kind": found.kind if found else "missing",
                        "title": item.get("caption") or (found.original_name if found else ""),
                        "plays": found is not None, "seconds": media_entry_seconds(item, shown) if found else None,
                        "thumbnail_url": media_service.media_url(found.poster_sha256) if found else None})
    return out


def loop_seconds(described: list[dict]) -> float:
    """Return the length of one loop of the items that play now (described by `describe_items`)."""
    return round(sum(i["seconds"] or 0 for i in described if i["plays"]), 1)


def playlist_json(playlist: Playlist) -> dict:
    """Return the playlist as the API shows it: the head's content plus workflow facts and the loop's length."""
    content = head(playlist).content
    items = describe_items(content["items"])
    return {
        **workflow.facts_json(playlist),
        "name": content["name"],
        "mode": content["mode"],
        "priority": content["priority"],
        "items": items,
        "loop_s": loop_seconds(items),
        "targets": content["targets"],
        **content["rules"],
    }


# --- checks -------------------------------------------------------------------------------------

def _check_references(fields: dict, actor: User) -> None:
    """Refuse targets, notices or media that do not exist, are outside the actor's scope, or are not published."""
    errors: dict[str, Any] = {}
    unit = scope.get_unit(fields["unit_code"])
    scope.require_scope(actor, unit.code)
    targeting.check_targets(fields["targets"], unit.code, actor, errors)
    for position, item in enumerate(fields["items"], start=1):
        if "notice_id" in item:
            notice = db.session.get(Notice, item["notice_id"])
            if notice is None or not scope.in_scope(actor, notice.unit_code):
                errors["items"] = _l("Mục %(n)d: không có thông báo số %(id)s trong phạm vi của bạn.",
                                     n=position, id=item["notice_id"])
            elif notice.published_version is None:
                errors["items"] = _l("Mục %(n)d: thông báo “%(title)s” chưa được phát hành; chỉ thêm được thông báo "
                                     "đã duyệt.", n=position, title=notice.title)
        else:
            found = media_service.find_media(item["media_id"])
            if found is None or not scope.in_scope(actor, found.unit_code):
                errors["items"] = _l("Mục %(n)d: không có tệp media số %(id)s trong phạm vi của bạn.",
                                     n=position, id=item["media_id"])
    if errors:
        raise ValidationFailed(_l("Chương trình phát chưa hợp lệ; xem lỗi của từng trường."), errors)


def _contents_in_force(playlist: Playlist) -> list[dict]:
    """Return the revisions of `playlist` that play or may soon play: the published one, a submitted head."""
    contents = []
    published = published_content(playlist)
    if published is not None:
        contents.append(published)
    if playlist.status == "submitted":
        contents.append(head(playlist).content)
    return contents


def _check_content(playlist: Playlist, content: dict, action: str, now: datetime) -> None:
    """Refuse to submit an empty playlist; refuse to submit or approve an exclusive one that clashes.

    Approval checks again: another exclusive playlist may have been approved since this one was submitted.
    """
    if action == "submit" and not content["items"]:
        raise ValidationFailed(_l("Chương trình phát chưa có mục nào; hãy thêm thông báo hoặc tệp media."),
                               {"items": _l("Cần ít nhất một mục.")})
    _refuse_exclusive_clash(playlist, content, now)


def _refuse_exclusive_clash(playlist: Playlist, content: dict, now: datetime) -> None:
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
            if when is None:
                continue
            kiosk = db.session.get(Kiosk, min(shared))
            at = format_datetime(when.astimezone(schedule.VN), "HH:mm dd/MM/yyyy")
            raise Conflict(
                _l("Trùng lịch với chương trình độc quyền “%(name)s” (số %(id)d) trên màn hình “%(screen)s” "
                   "từ %(at)s: hai chương trình độc quyền không thể cùng chiếm một màn hình. Hãy đổi giờ, "
                   "ngày hoặc nơi hiển thị.", name=theirs["name"], id=other.id, screen=kiosk.name, at=at),
                {"hours": _l("Trùng với “%(name)s” từ %(at)s.", name=theirs["name"], at=at)},
                code="exclusive_clash",
            )


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
