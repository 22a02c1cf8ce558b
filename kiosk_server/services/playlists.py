"""Playlists (chương trình phát): create, edit with versions, and draft → submitted → published → withdrawn/expired.

Shaped like notices (services/notices.py): every saved edit writes an immutable revision, approval
points `published_version` at one, an edit of a published playlist makes a new draft head while the
approved revision keeps playing. Approval needs a second officer with scope over every target, and
goes through the one publish path (services/publish.py); every step is audited. Submitting or
approving an exclusive playlist that would share a screen and an instant with another exclusive one
is refused, naming the clash (`domain.play_order.first_overlap`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, or_, select

from kiosk_server.domain import durations, play_order, roles, sanitise, schedule
from kiosk_server.extensions import db
from kiosk_server.models import Kiosk, Media, Notice, NoticeRevision, Playlist, PlaylistRevision, User
from kiosk_server.models.base import utcnow
from kiosk_server.models.playlists import playlist_members
from kiosk_server.services import audit, publish, scope, targeting, workflow
from kiosk_server.services import media as media_service
from kiosk_server.services.errors import Conflict, Forbidden, StaleVersion, ValidationFailed
from kiosk_server.services.notices import ACTION_VERBS, STATUS_LABELS, check_targets, normalise_targets
from kiosk_server.services.playlist_input import read_playlist
from kiosk_server.services.schedule_input import check_rules

EDITABLE = ("draft", "submitted", "published", "withdrawn", "expired")
MODE_LABELS = {
    play_order.MIXED: _l("Xen kẽ với thông báo"),
    play_order.EXCLUSIVE: _l("Độc quyền màn hình"),
}


# --- reading ------------------------------------------------------------------------------------

def revision(playlist: Playlist, version: int) -> PlaylistRevision:
    """Return revision `version` of `playlist`."""
    return db.session.scalar(select(PlaylistRevision).where(
        PlaylistRevision.playlist_id == playlist.id, PlaylistRevision.version == version))


def head(playlist: Playlist) -> PlaylistRevision:
    """Return the latest revision (what editors see)."""
    return revision(playlist, playlist.version)


def published_content(playlist: Playlist) -> dict | None:
    """Return the content of the revision on screens, or None."""
    if playlist.published_version is None:
        return None
    return revision(playlist, playlist.published_version).content


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
        "id": playlist.id,
        "version": playlist.version,
        "status": playlist.status,
        "published_version": playlist.published_version,
        "unit_code": playlist.unit_code,
        "name": content["name"],
        "mode": content["mode"],
        "priority": content["priority"],
        "items": items,
        "loop_s": loop_seconds(items),
        "targets": content["targets"],
        **content["rules"],
        "author": playlist.author.email,
        "approved_by": playlist.approved_by.email if playlist.approved_by else None,
        "approved_at": playlist.approved_at.isoformat() if playlist.approved_at else None,
        "rejection_reason": playlist.rejection_reason,
        "created_at": playlist.created_at.isoformat(),
        "updated_at": playlist.updated_at.isoformat(),
    }


# --- checks -------------------------------------------------------------------------------------

def _require_editor(playlist: Playlist | None, actor: User, unit_code: str) -> None:
    if not roles.can(actor.role, "edit_content"):
        raise Forbidden(_l("Vai trò của bạn không được soạn chương trình phát."))
    scope.get_unit(unit_code)
    scope.require_scope(actor, unit_code)
    if playlist is not None:
        scope.require_scope(actor, playlist.unit_code)


def _check_references(fields: dict, actor: User) -> None:
    """Refuse targets, notices or media that do not exist, are outside the actor's scope, or are not published."""
    errors: dict[str, Any] = {}
    unit = scope.get_unit(fields["unit_code"])
    scope.require_scope(actor, unit.code)
    check_targets(fields["targets"], unit.code, actor, errors)
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


# --- writing ------------------------------------------------------------------------------------

def _content(fields: dict, rules: schedule.Rules) -> dict:
    return {
        "name": fields["name"],
        "unit_code": fields["unit_code"],
        "mode": fields["mode"],
        "priority": fields["priority"],
        "items": fields["items"],
        "targets": fields["targets"],
        "rules": schedule.rules_to_json(rules),
    }


def _fields_of(content: dict) -> dict:
    rules = schedule.rules_from_json(content["rules"])
    fields = {k: content[k] for k in ("name", "unit_code", "mode", "priority", "items")}
    fields["targets"] = {k: list(content["targets"][k]) for k in ("units", "groups", "kiosks")}
    fields.update(starts_at=rules.starts_at, ends_at=rules.ends_at, days=rules.days, hours=rules.hours)
    return fields


def _set_members(playlist_id: int, slot: str, items: list[dict]) -> None:
    db.session.execute(delete(playlist_members).where(playlist_members.c.playlist_id == playlist_id,
                                                      playlist_members.c.slot == slot))
    if items:
        db.session.execute(insert(playlist_members), [
            {"playlist_id": playlist_id, "slot": slot, "position": i, "notice_id": item.get("notice_id"),
             "media_id": item.get("media_id")} for i, item in enumerate(items)])


def _write_head(playlist: Playlist, fields: dict, rules: schedule.Rules, actor: User) -> None:
    db.session.add(PlaylistRevision(playlist_id=playlist.id, version=playlist.version,
                                    content=_content(fields, rules), created_by_id=actor.id))
    playlist.name = fields["name"]
    playlist.mode = fields["mode"]
    playlist.priority = fields["priority"]
    playlist.starts_at = rules.starts_at
    playlist.ends_at = rules.ends_at
    playlist.updated_at = utcnow()
    db.session.flush()
    _set_members(playlist.id, "head", fields["items"])


def create_playlist(data: Any, actor: User) -> Playlist:
    """Create a draft playlist from the contract's body; return it (version 1)."""
    fields = read_playlist(data)
    rules = check_rules(fields)
    _require_editor(None, actor, fields["unit_code"])
    _check_references(fields, actor)
    fields["targets"] = normalise_targets(fields)
    playlist = Playlist(unit_code=fields["unit_code"], author_id=actor.id, status="draft", version=1,
                        name=fields["name"])
    db.session.add(playlist)
    db.session.flush()
    _write_head(playlist, fields, rules, actor)
    audit.record(actor, "playlist.create", "playlist", playlist.id, unit_code=playlist.unit_code,
                 after={"version": 1, "name": playlist.name, "status": "draft", "items": len(fields["items"])})
    db.session.commit()
    return playlist


def update_playlist(playlist: Playlist, data: Any, expected_version: int, actor: User) -> Playlist:
    """Apply a partial edit to the head, as a new version; StaleVersion if someone saved in between."""
    _require_editor(playlist, actor, playlist.unit_code)
    if expected_version != playlist.version:
        raise StaleVersion(
            _l("Chương trình phát đã được sửa thành phiên bản %(current)d trong lúc bạn sửa phiên bản %(yours)d; "
               "hãy tải lại để xem thay đổi.", current=playlist.version, yours=expected_version),
            {"version": playlist.version},
        )
    changes = read_playlist(data, partial=True)
    fields = _fields_of(head(playlist).content)
    fields.update(changes)
    rules = check_rules(fields)
    _require_editor(playlist, actor, fields["unit_code"])
    _check_references(fields, actor)
    if "targets" in changes:
        fields["targets"] = normalise_targets(fields)
    before = {"version": playlist.version, "status": playlist.status}
    playlist.version += 1
    # Any edit needs approval again; a published version keeps playing until then.
    playlist.status = "draft"
    playlist.rejection_reason = None
    _write_head(playlist, fields, rules, actor)
    audit.record(actor, "playlist.update", "playlist", playlist.id, unit_code=playlist.unit_code, before=before,
                 after={"version": playlist.version, "status": "draft", "changed": sorted(changes)})
    db.session.commit()
    return playlist


def _transition(playlist: Playlist, actor: User, allowed_from: tuple[str, ...], action: str) -> dict:
    scope.require_scope(actor, playlist.unit_code)
    if playlist.status not in allowed_from:
        raise Conflict(
            _l("Không thể %(action)s chương trình phát đang ở trạng thái “%(status)s”.",
               action=ACTION_VERBS[action], status=STATUS_LABELS.get(playlist.status, playlist.status)),
            code="invalid_transition",
        )
    return {"status": playlist.status, "version": playlist.version, "published_version": playlist.published_version}


def submit(playlist: Playlist, actor: User, now: datetime | None = None) -> Playlist:
    """Send the draft for approval; refused when empty or when it clashes with another exclusive playlist."""
    if not roles.can(actor.role, "edit_content"):
        raise Forbidden(_l("Vai trò của bạn không được gửi duyệt."))
    before = _transition(playlist, actor, ("draft",), "submit")
    content = head(playlist).content
    if not content["items"]:
        raise ValidationFailed(_l("Chương trình phát chưa có mục nào; hãy thêm thông báo hoặc tệp media."),
                               {"items": _l("Cần ít nhất một mục.")})
    _refuse_exclusive_clash(playlist, content, now or utcnow())
    playlist.status = "submitted"
    audit.record(actor, "playlist.submit", "playlist", playlist.id, unit_code=playlist.unit_code, before=before,
                 after={"status": "submitted", "version": playlist.version})
    db.session.commit()
    return playlist


def approve(playlist: Playlist, actor: User, now: datetime | None = None) -> Playlist:
    """Approve the submitted head and publish it to its screens; the approver must not be its author."""
    workflow.require_approver(actor, _l("Chỉ cán bộ duyệt tin mới được duyệt chương trình phát."))
    before = _transition(playlist, actor, ("submitted",), "approve")
    now = now or utcnow()
    rev = head(playlist)
    old_targets = _published_targets(playlist)
    workflow.require_may_publish(actor, (playlist.author_id, rev.created_by_id), rev.content["targets"], old_targets,
                                 _l("Người duyệt phải là người khác với người soạn hoặc người sửa chương trình phát."))
    ends_at = schedule.rules_from_json(rev.content["rules"]).ends_at
    if ends_at is not None and ends_at <= now:
        raise ValidationFailed(_l("Chương trình phát đã hết hạn; hãy sửa thời điểm kết thúc trước khi duyệt."),
                               {"ends_at": _l("Đã qua.")})
    # Another exclusive playlist may have been approved since this one was submitted.
    _refuse_exclusive_clash(playlist, rev.content, now)
    playlist.status = "published"
    playlist.published_version = playlist.version
    playlist.approved_by_id = actor.id
    playlist.approved_at = utcnow()
    _set_members(playlist.id, "published", rev.content["items"])
    event = publish.playlist_changed(playlist.id, old_targets, rev.content["targets"], reason="playlist.approve")
    audit.record(actor, "playlist.approve", "playlist", playlist.id, unit_code=playlist.unit_code, before=before,
                 after={"status": "published", "version": playlist.version, "screens": event.kiosk_count})
    db.session.commit()
    publish.announce(event)
    return playlist


def reject(playlist: Playlist, reason: str, actor: User) -> Playlist:
    """Send the submitted head back to draft with a reason the author will read."""
    workflow.require_approver(actor, _l("Chỉ cán bộ duyệt tin mới được trả lại chương trình phát."))
    before = _transition(playlist, actor, ("submitted",), "reject")
    reason = workflow.rejection_reason(reason)
    playlist.status = "draft"
    playlist.rejection_reason = reason
    audit.record(actor, "playlist.reject", "playlist", playlist.id, unit_code=playlist.unit_code, before=before,
                 after={"status": "draft", "reason": reason})
    db.session.commit()
    return playlist


def withdraw(playlist: Playlist, actor: User) -> Playlist:
    """Take the playlist off every screen at once (an approver, or its author)."""
    workflow.require_may_withdraw(actor, playlist.author_id,
                                  _l("Chỉ cán bộ duyệt tin hoặc người soạn mới được gỡ chương trình phát."))
    if playlist.published_version is None:
        raise Conflict(_l("Chương trình phát này không đang phát nên không cần gỡ."), code="invalid_transition")
    before = _transition(playlist, actor, EDITABLE, "withdraw")
    old_targets = _published_targets(playlist)
    scope.require_targets_in_scope(actor, old_targets)
    playlist.status = "withdrawn"
    playlist.published_version = None
    _set_members(playlist.id, "published", [])
    event = publish.playlist_changed(playlist.id, old_targets, None, reason="playlist.withdraw")
    audit.record(actor, "playlist.withdraw", "playlist", playlist.id, unit_code=playlist.unit_code, before=before,
                 after={"status": "withdrawn", "screens": event.kiosk_count})
    db.session.commit()
    publish.announce(event)
    return playlist


def expire_due(now: datetime | None = None) -> list[int]:
    """Mark published playlists whose end has passed as expired and update their screens; return their ids.

    Screens already drop them on time from their own clock; this keeps manifests and the officers'
    lists honest. Safe to run from several processes: each playlist is claimed by one conditional update.
    """
    now = now or utcnow()
    due = db.session.scalars(select(Playlist.id).where(
        Playlist.published_version.is_not(None), Playlist.ends_at.is_not(None), Playlist.ends_at <= now)).all()
    expired = []
    for playlist_id in due:
        playlist = db.session.get(Playlist, playlist_id)
        content = published_content(playlist)
        ends_at = schedule.rules_from_json(content["rules"]).ends_at
        if ends_at is None or ends_at > now:
            continue  # the head changed the end, but the published revision still runs
        old_targets = content["targets"]
        claimed = db.session.execute(
            Playlist.__table__.update()
            .where(Playlist.id == playlist_id, Playlist.published_version == playlist.published_version)
            .values(published_version=None, status="expired" if playlist.status == "published" else playlist.status)
        ).rowcount
        if not claimed:
            db.session.rollback()
            continue
        _set_members(playlist_id, "published", [])
        event = publish.playlist_changed(playlist_id, old_targets, None, reason="playlist.expire")
        audit.record("system", "playlist.expire", "playlist", playlist_id, unit_code=playlist.unit_code,
                     after={"screens": event.kiosk_count})
        db.session.commit()
        publish.announce(event)
        expired.append(playlist_id)
    return expired


def _published_targets(playlist: Playlist) -> dict | None:
    content = published_content(playlist)
    return content["targets"] if content else None


def playlists_using_media(media_id: int, limit: int = 3) -> list[str]:
    """Return the names of (at most `limit`) playlists whose head or published version plays media `media_id`."""
    return list(db.session.scalars(
        select(Playlist.name).join(playlist_members, playlist_members.c.playlist_id == Playlist.id)
        .where(playlist_members.c.media_id == media_id).distinct().order_by(Playlist.name).limit(limit)))
