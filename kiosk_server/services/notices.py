"""Notices: create, edit with versions, and the workflow draft → submitted → published → withdrawn/expired.

Every saved edit writes a new immutable revision. Publishing points `published_version` at one
revision; an edit of a published notice makes a new draft head while the approved revision keeps
playing, until the new head is approved in turn. Every step is audited and goes through
`services.publish` when it changes what screens play.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, select

from kiosk_server.domain import roles, schedule
from kiosk_server.extensions import db
from kiosk_server.models import Category, Kiosk, KioskGroup, Notice, NoticeRevision, Unit, User, notice_media
from kiosk_server.models.base import utcnow
from kiosk_server.services import audit, public_urls, publish, scope, workflow
from kiosk_server.services.errors import Conflict, Forbidden, NotFound, StaleVersion, ValidationFailed
from kiosk_server.services.notice_input import read_notice
from kiosk_server.services.schedule_input import check_rules

EDITABLE = ("draft", "submitted", "published", "withdrawn", "expired")


# --- reading ------------------------------------------------------------------------------------

def get_notice(notice_id: int) -> Notice:
    """Return the notice with `notice_id` or raise NotFound."""
    notice = db.session.get(Notice, notice_id)
    if notice is None:
        raise NotFound(_l("Không tìm thấy thông báo số %(id)s.", id=notice_id))
    return notice


def head(notice: Notice) -> NoticeRevision:
    """Return the latest revision (what editors see)."""
    return revision(notice, notice.version)


def revision(notice: Notice, version: int) -> NoticeRevision:
    """Return revision `version` of `notice`."""
    return db.session.scalar(
        select(NoticeRevision).where(NoticeRevision.notice_id == notice.id, NoticeRevision.version == version)
    )


def public_url(notice: Notice, base: str | None = None) -> str:
    """Return the URL of the notice's public page: under KIOSK_PUBLIC_URL, else `base` (the web's request)."""
    path = f"/n/{notice.id}"
    return public_urls.public_url(path, base) or path


def notice_json(notice: Notice, base: str | None = None) -> dict:
    """Return the notice as the API shows it: the head's content plus workflow facts (`base`: see public_url)."""
    content = head(notice).content
    return {
        "id": notice.id,
        "version": notice.version,
        "status": notice.status,
        "published_version": notice.published_version,
        "unit_code": notice.unit_code,
        **{k: content.get(k) for k in (
            "title", "body", "category", "priority", "language", "translations", "duration_s",
            "media_ids", "qr_url", "targets",
        )},
        **content["rules"],
        "author": notice.author.email,
        "approved_by": notice.approved_by.email if notice.approved_by else None,
        "approved_at": notice.approved_at.isoformat() if notice.approved_at else None,
        "rejection_reason": notice.rejection_reason,
        "created_at": notice.created_at.isoformat(),
        "updated_at": notice.updated_at.isoformat(),
        "public_url": public_url(notice, base),
        "source": _source_of(notice.id),
    }


def _source_of(notice_id: int) -> dict | None:
    from kiosk_server.services import sources  # sources writes notices through this module

    return sources.source_of_notice(notice_id)


# --- checks -------------------------------------------------------------------------------------

def _check_references(fields: dict, actor: User) -> None:
    """Refuse units, targets, media or a category that do not exist or lie outside the actor's scope."""
    errors: dict[str, Any] = {}
    unit = scope.get_unit(fields["unit_code"])
    scope.require_scope(actor, unit.code)
    category = db.session.get(Category, fields["category"])
    if category is None or not category.active:
        errors["category"] = _l("Chuyên mục “%(code)s” không có trong danh sách.", code=fields["category"])

    check_targets(fields["targets"], unit.code, actor, errors)
    if fields["media_ids"]:
        from kiosk_server.services import media as media_service
    for media_id in fields["media_ids"]:
        item = media_service.find_media(media_id)
        if item is None or not scope.in_scope(actor, item.unit_code):
            errors["media_ids"] = _l("Không có tệp media số %(id)s trong phạm vi của bạn.", id=media_id)
    if errors:
        raise ValidationFailed(_l("Thông báo chưa hợp lệ; xem lỗi của từng trường."), errors)


def check_targets(targets: dict, unit_code: str, actor: User, errors: dict) -> None:
    """Note in `errors` the targets that do not exist; raise Forbidden for one outside the actor's scope.

    Groups may be named (names are unique within `unit_code`). Shared by notices and playlists.
    """
    found: dict[str, list] = {"units": [], "groups": [], "kiosks": []}
    for code in targets["units"]:
        if db.session.get(Unit, code) is None:
            errors["targets"] = _l("Không có đơn vị mã “%(code)s”.", code=code)
        else:
            found["units"].append(code)
    for ref in targets["groups"]:
        group = _find_group(ref, unit_code)
        if group is None:
            errors["targets"] = _l("Không có nhóm màn hình “%(ref)s”.", ref=ref)
        else:
            found["groups"].append(group.id)
    for kiosk_id in targets["kiosks"]:
        if db.session.get(Kiosk, kiosk_id) is None:
            errors["targets"] = _l("Không có màn hình số %(id)s.", id=kiosk_id)
        else:
            found["kiosks"].append(kiosk_id)
    scope.require_targets_in_scope(actor, found)


def _find_group(ref: int | str, unit_code: str) -> KioskGroup | None:
    if isinstance(ref, int):
        return db.session.get(KioskGroup, ref)
    # A group may be named instead of numbered; names are unique within a unit.
    return db.session.scalar(select(KioskGroup).where(KioskGroup.name == ref, KioskGroup.unit_code == unit_code))


def normalise_targets(fields: dict) -> dict:
    """Return targets with group names turned into ids and the own unit of `fields` when none is given."""
    targets = fields["targets"]
    groups = []
    for ref in targets["groups"]:
        group = _find_group(ref, fields["unit_code"])
        groups.append(group.id)
    clean = {"units": sorted(targets["units"]), "groups": sorted(set(groups)), "kiosks": sorted(targets["kiosks"])}
    if not any(clean.values()):
        clean["units"] = [fields["unit_code"]]
    return clean


def _require_editor(notice: Notice | None, actor: User, unit_code: str) -> None:
    if not roles.can(actor.role, "edit_content"):
        raise Forbidden(_l("Vai trò của bạn không được soạn thông báo."))
    scope.get_unit(unit_code)
    scope.require_scope(actor, unit_code)
    if notice is not None:
        scope.require_scope(actor, notice.unit_code)


# --- writing ------------------------------------------------------------------------------------

def _content(fields: dict, rules: schedule.Rules) -> dict:
    return {
        "title": fields["title"],
        "body": fields["body"],
        "unit_code": fields["unit_code"],
        "category": fields["category"],
        "priority": fields["priority"],
        "language": fields["language"],
        "translations": fields["translations"],
        "duration_s": fields["duration_s"],
        "media_ids": fields["media_ids"],
        "qr_url": fields["qr_url"],
        "targets": fields["targets"],
        "rules": schedule.rules_to_json(rules),
    }


def _fields_of(content: dict) -> dict:
    """Return the fields of a stored revision, in the shape `read_notice` produces."""
    rules = schedule.rules_from_json(content["rules"])
    fields = {k: content[k] for k in (
        "title", "body", "unit_code", "category", "priority", "language", "translations", "duration_s",
        "media_ids", "qr_url",
    )}
    fields["targets"] = {"units": content["targets"]["units"], "groups": content["targets"]["groups"],
                         "kiosks": content["targets"]["kiosks"]}
    fields.update(starts_at=rules.starts_at, ends_at=rules.ends_at, days=rules.days, hours=rules.hours)
    return fields


def _write_head(notice: Notice, fields: dict, rules: schedule.Rules, actor: User) -> NoticeRevision:
    content = _content(fields, rules)
    rev = NoticeRevision(notice=notice, version=notice.version, content=content, created_by_id=actor.id)
    db.session.add(rev)
    notice.title = fields["title"]
    notice.body = fields["body"]
    notice.category = fields["category"]
    notice.priority = fields["priority"]
    notice.language = fields["language"]
    notice.starts_at = rules.starts_at
    notice.ends_at = rules.ends_at
    notice.updated_at = utcnow()
    db.session.flush()
    _set_media(notice.id, "head", fields["media_ids"])
    return rev


def _set_media(notice_id: int, slot: str, media_ids: list[int]) -> None:
    db.session.execute(delete(notice_media).where(notice_media.c.notice_id == notice_id, notice_media.c.slot == slot))
    if media_ids:
        db.session.execute(
            insert(notice_media),
            [{"notice_id": notice_id, "slot": slot, "position": i, "media_id": m} for i, m in enumerate(media_ids)],
        )


def create_notice(data: Any, actor: User) -> Notice:
    """Create a draft notice from the contract's body; return it (version 1)."""
    fields = read_notice(data)
    rules = check_rules(fields)
    _require_editor(None, actor, fields["unit_code"])
    _check_references(fields, actor)
    fields["targets"] = normalise_targets(fields)
    notice = Notice(unit_code=fields["unit_code"], author_id=actor.id, status="draft", version=1, title=fields["title"])
    db.session.add(notice)
    db.session.flush()
    _write_head(notice, fields, rules, actor)
    audit.record(actor, "notice.create", "notice", notice.id, unit_code=notice.unit_code,
                 after={"version": 1, "title": notice.title, "status": "draft"})
    db.session.commit()
    return notice


def update_notice(notice: Notice, data: Any, expected_version: int, actor: User) -> Notice:
    """Apply a partial edit to the head, as a new version; StaleVersion if someone saved in between."""
    _require_editor(notice, actor, notice.unit_code)
    if expected_version != notice.version:
        raise StaleVersion(
            _l("Thông báo đã được sửa thành phiên bản %(current)d trong lúc bạn sửa phiên bản %(yours)d; "
               "hãy tải lại để xem thay đổi.", current=notice.version, yours=expected_version),
            {"version": notice.version},
        )
    if notice.status not in EDITABLE:
        raise Conflict(_l("Không thể sửa thông báo ở trạng thái này."))
    changes = read_notice(data, partial=True)
    fields = _fields_of(head(notice).content)
    fields.update(changes)
    rules = check_rules(fields)
    _require_editor(notice, actor, fields["unit_code"])
    _check_references(fields, actor)
    if "targets" in changes:
        fields["targets"] = normalise_targets(fields)
    before = {"version": notice.version, "status": notice.status}
    notice.version += 1
    # Any edit needs approval again; a published version keeps playing until then.
    notice.status = "draft"
    notice.rejection_reason = None
    _write_head(notice, fields, rules, actor)
    audit.record(actor, "notice.update", "notice", notice.id, unit_code=notice.unit_code, before=before,
                 after={"version": notice.version, "status": notice.status, "changed": sorted(changes)})
    db.session.commit()
    return notice


def _transition(notice: Notice, actor: User, allowed_from: tuple[str, ...], action: str) -> dict:
    scope.require_scope(actor, notice.unit_code)
    if notice.status not in allowed_from:
        raise Conflict(
            _l("Không thể %(action)s thông báo đang ở trạng thái “%(status)s”.",
               action=ACTION_VERBS[action], status=STATUS_LABELS.get(notice.status, notice.status)),
            code="invalid_transition",
        )
    return {"status": notice.status, "version": notice.version, "published_version": notice.published_version}


def submit(notice: Notice, actor: User) -> Notice:
    """Send the draft for approval."""
    if not roles.can(actor.role, "edit_content"):
        raise Forbidden(_l("Vai trò của bạn không được gửi duyệt."))
    before = _transition(notice, actor, ("draft",), "submit")
    notice.status = "submitted"
    audit.record(actor, "notice.submit", "notice", notice.id, unit_code=notice.unit_code, before=before,
                 after={"status": "submitted", "version": notice.version})
    db.session.commit()
    return notice


def approve(notice: Notice, actor: User) -> Notice:
    """Approve the submitted head and publish it to its screens; the approver must not be its author."""
    workflow.require_approver(actor, _l("Chỉ cán bộ duyệt tin mới được duyệt thông báo."))
    before = _transition(notice, actor, ("submitted",), "approve")
    rev = head(notice)
    workflow.require_may_publish(actor, (notice.author_id, rev.created_by_id), rev.content["targets"],
                                 _published_targets(notice),
                                 _l("Người duyệt phải là người khác với người soạn hoặc người sửa thông báo."))
    if rev.content["rules"]["ends_at"] and schedule.rules_from_json(rev.content["rules"]).ends_at <= utcnow():
        raise ValidationFailed(_l("Thông báo đã hết hạn hiển thị; hãy sửa thời điểm kết thúc trước khi duyệt."),
                               {"ends_at": _l("Đã qua.")})
    old_targets = _published_targets(notice)
    notice.status = "published"
    notice.published_version = notice.version
    notice.approved_by_id = actor.id
    notice.approved_at = utcnow()
    _set_media(notice.id, "published", rev.content["media_ids"])
    event = publish.notice_changed(notice, old_targets, rev.content["targets"], reason="notice.approve")
    audit.record(actor, "notice.approve", "notice", notice.id, unit_code=notice.unit_code, before=before,
                 after={"status": "published", "version": notice.version, "screens": event.kiosk_count})
    db.session.commit()
    publish.announce(event)
    return notice


def reject(notice: Notice, reason: str, actor: User) -> Notice:
    """Send the submitted head back to draft with a reason the author will read."""
    workflow.require_approver(actor, _l("Chỉ cán bộ duyệt tin mới được trả lại thông báo."))
    before = _transition(notice, actor, ("submitted",), "reject")
    reason = workflow.rejection_reason(reason)
    notice.status = "draft"
    notice.rejection_reason = reason
    audit.record(actor, "notice.reject", "notice", notice.id, unit_code=notice.unit_code, before=before,
                 after={"status": "draft", "reason": reason})
    db.session.commit()
    return notice


def withdraw(notice: Notice, actor: User) -> Notice:
    """Take the notice off every screen at once (an approver, or its author)."""
    workflow.require_may_withdraw(actor, notice.author_id, _l("Chỉ cán bộ duyệt tin hoặc người soạn mới được gỡ thông báo."))
    if notice.published_version is None:
        raise Conflict(_l("Thông báo này không đang hiển thị nên không cần gỡ."), code="invalid_transition")
    before = _transition(notice, actor, EDITABLE, "withdraw")
    old_targets = _published_targets(notice)
    scope.require_targets_in_scope(actor, old_targets)
    notice.status = "withdrawn"
    notice.published_version = None
    _set_media(notice.id, "published", [])
    event = publish.notice_changed(notice, old_targets, None, reason="notice.withdraw")
    audit.record(actor, "notice.withdraw", "notice", notice.id, unit_code=notice.unit_code, before=before,
                 after={"status": "withdrawn", "screens": event.kiosk_count})
    db.session.commit()
    publish.announce(event)
    return notice


def expire_due(now: datetime | None = None) -> list[int]:
    """Mark published notices whose end has passed as expired and update their screens; return their ids.

    Kiosks already drop them on time from their own clock; this keeps manifests and the officers'
    lists honest. Safe to run from several processes: each notice is claimed by one conditional update.
    """
    now = now or utcnow()
    due = db.session.scalars(
        select(Notice.id).where(Notice.published_version.is_not(None), Notice.ends_at.is_not(None),
                                Notice.ends_at <= now)
    ).all()
    expired = []
    for notice_id in due:
        notice = db.session.get(Notice, notice_id)
        published = revision(notice, notice.published_version)
        ends_at = schedule.rules_from_json(published.content["rules"]).ends_at
        if ends_at is None or ends_at > now:
            continue  # the head changed the end, but the published revision still runs
        old_targets = _published_targets(notice)
        claimed = db.session.execute(
            Notice.__table__.update()
            .where(Notice.id == notice_id, Notice.published_version == notice.published_version)
            .values(published_version=None, status="expired" if notice.status == "published" else notice.status)
        ).rowcount
        if not claimed:
            db.session.rollback()
            continue
        _set_media(notice_id, "published", [])
        event = publish.notice_changed(notice, old_targets, None, reason="notice.expire")
        audit.record("system", "notice.expire", "notice", notice_id, unit_code=notice.unit_code,
                     after={"screens": event.kiosk_count})
        db.session.commit()
        publish.announce(event)
        expired.append(notice_id)
    return expired


def _published_targets(notice: Notice) -> dict | None:
    if notice.published_version is None:
        return None
    return revision(notice, notice.published_version).content["targets"]


STATUS_LABELS = {
    "draft": _l("Bản nháp"),
    "submitted": _l("Chờ duyệt"),
    "published": _l("Đã phát hành"),
    "withdrawn": _l("Đã gỡ"),
    "expired": _l("Hết hạn"),
}
ACTION_VERBS = {
    "submit": _l("gửi duyệt"),
    "approve": _l("duyệt"),
    "reject": _l("trả lại"),
    "withdraw": _l("gỡ"),
}
