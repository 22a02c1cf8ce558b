"""One workflow for everything an officer approves: draft → submitted → published → withdrawn/expired.

Notices and playlists (and whatever is approvable next) are each described once by an `Approvable`:
its models, how a posted body becomes fields, what it references, what a revision holds, how it
reaches screens and its words. Everything else is written here once: versioned editing (every saved
edit is an immutable revision; approval points `published_version` at one, an edit of a published
record makes a new draft head while the approved one keeps playing), who may submit, approve,
reject and withdraw from which status, the expiry sweep, and the audit. The admin views ask
`offered_actions`, which runs the very checks the actions enforce, so a button is never shown for an
action that would be refused for who the officer is, nor hidden for one that would pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Table, delete, insert, select

from kiosk_server.domain import roles, schedule
from kiosk_server.extensions import db
from kiosk_server.models import User
from kiosk_server.models.base import utcnow
from kiosk_server.services.content.schedule_input import check_rules
from kiosk_server.services.core import audit, scope
from kiosk_server.services.core.errors import Conflict, Forbidden, ServiceError, StaleVersion, ValidationFailed
from kiosk_server.services.screens import publish, targeting

MAX_REASON = 2000
ACTIONS = ("submit", "approve", "reject", "withdraw")
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


@dataclass(frozen=True)
class Words:
    """What differs in the sentences an officer reads about one kind; the rest name it by `noun`."""

    noun: Any  # "thông báo": fills the shared refusals ("Chỉ cán bộ duyệt tin mới được duyệt %(noun)s.")
    expired: Any
    not_on_screens: Any


@dataclass(frozen=True)
class Approvable:
    """One kind of record that goes through the workflow. Only what truly differs per kind is here."""

    name: str  # the audit's action prefix and target type: "notice" → "notice.approve"
    model: type  # has the columns of models.approvable.ApprovableMixin
    revision_model: type  # one immutable row per saved version: <owner_key>, version, content, created_by_id
    owner_key: str  # the revision's (and the members table's) column naming its record
    read: Callable[..., dict]  # read(body, partial=False) → fields, or ValidationFailed
    check_references: Callable[[dict, User], None]  # refuse what the fields name that does not exist or is out of scope
    content_keys: tuple[str, ...]  # the fields a revision keeps, besides its targets and schedule rules
    head_columns: tuple[str, ...]  # fields copied onto the record so officers can filter and sort
    members: Table  # rows of what a version plays (slot "head" / "published"), so "is media M in use" is a query
    members_of: Callable[[dict], list[dict]]  # a revision's content → its member rows
    changed: Callable[..., Any]  # (record, old_targets, new_targets, reason) → a PublishEvent (services.publish)
    summary: Callable[[dict], dict]  # what the audit of a creation names, from the fields
    words: Words
    # (record, content, action, now, actor): the content judged for the officer acting (an approver publishes every item)
    check_content: Callable[[Any, dict, str, datetime, User], None] | None = None
    # Officers who wrote the record besides its author and editors (a notice a source brought: the source's
    # authors); none of them may approve it.
    authors: Callable[[Any], set[int]] | None = None


# --- reading ------------------------------------------------------------------------------------

def revision(kind: Approvable, record, version: int):
    """Return revision `version` of `record`."""
    model = kind.revision_model
    return db.session.scalar(select(model).where(getattr(model, kind.owner_key) == record.id, model.version == version))


def head(kind: Approvable, record):
    """Return the latest revision (what editors see)."""
    return revision(kind, record, record.version)


def published_content(kind: Approvable, record) -> dict | None:
    """Return the content of the revision on screens, or None."""
    if record.published_version is None:
        return None
    return revision(kind, record, record.published_version).content


def published_targets(kind: Approvable, record) -> dict | None:
    """Return where the revision on screens plays, or None."""
    content = published_content(kind, record)
    return content["targets"] if content else None


def facts_json(record) -> dict:
    """Return the workflow facts every approvable record shows in the API."""
    return {
        "id": record.id,
        "version": record.version,
        "status": record.status,
        "published_version": record.published_version,
        "unit_code": record.unit_code,
        "author": record.author.email,
        "approved_by": record.approved_by.email if record.approved_by else None,
        "approved_at": record.approved_at.isoformat() if record.approved_at else None,
        "rejection_reason": record.rejection_reason,
        "created_at": record.created_at.isoformat(),
        "updated_at": record.updated_at.isoformat(),
    }


# --- who may do what, when ------------------------------------------------------------------------

def require_editor(kind: Approvable, record, actor: User, unit_code: str) -> None:
    """Refuse an officer who may not write this kind, or not for `unit_code` (and the record's own unit)."""
    if not roles.can(actor.role, "edit_content"):
        raise Forbidden(_l("Vai trò của bạn không được soạn %(noun)s.") % {"noun": kind.words.noun})
    scope.get_unit(unit_code)
    scope.require_scope(actor, unit_code)
    if record is not None:
        scope.require_scope(actor, record.unit_code)


def require(kind: Approvable, record, actor: User, action: str) -> None:
    """Raise the refusal `action` by `actor` meets for who they are and where `record` stands; else return.

    What the content holds (an end already past, an empty playlist, a clash) is checked by the action itself.
    """
    noun = {"noun": kind.words.noun}
    if action == "submit":
        if not roles.can(actor.role, "edit_content"):
            raise Forbidden(_l("Vai trò của bạn không được gửi duyệt."))
        _require_status(kind, record, actor, ("draft",), action)
    elif action in ("approve", "reject"):
        if not roles.can(actor.role, "approve"):
            refusal = (_l("Chỉ cán bộ duyệt tin mới được duyệt %(noun)s.") if action == "approve"
                       else _l("Chỉ cán bộ duyệt tin mới được trả lại %(noun)s."))
            raise Forbidden(refusal % noun)
        _require_status(kind, record, actor, ("submitted",), action)
        if action == "approve":
            _require_may_publish(kind, record, actor)
    elif action == "withdraw":
        may = roles.can(actor.role, "approve") or (actor.id == record.author_id and roles.can(actor.role, "edit_content"))
        if not may:
            raise Forbidden(_l("Chỉ cán bộ duyệt tin hoặc người soạn mới được gỡ %(noun)s.") % noun)
        if record.published_version is None:
            raise Conflict(kind.words.not_on_screens, code="invalid_transition")
        _require_status(kind, record, actor, tuple(STATUS_LABELS), action)
        scope.require_targets_in_scope(actor, published_targets(kind, record))
    else:
        raise ValueError(action)


def _require_status(kind: Approvable, record, actor: User, allowed_from: tuple[str, ...], action: str) -> None:
    scope.require_scope(actor, record.unit_code)
    if record.status not in allowed_from:
        raise Conflict(
            _l("Không thể %(action)s %(noun)s đang ở trạng thái “%(status)s”.")
            % {"action": ACTION_VERBS[action], "noun": kind.words.noun,
               "status": STATUS_LABELS.get(record.status, record.status)},
            code="invalid_transition",
        )


def _require_may_publish(kind: Approvable, record, actor: User) -> None:
    """Approving publishes to the new targets and takes the old version off the old ones: scope over
    both, and the approver is neither who wrote it nor who last edited it."""
    rev = head(kind, record)
    scope.require_targets_in_scope(actor, rev.content["targets"], published_targets(kind, record))
    if actor.id in (record.author_id, rev.created_by_id) or (kind.authors and actor.id in kind.authors(record)):
        raise Forbidden(_l("Người duyệt phải là người khác với người soạn hoặc người sửa %(noun)s.")
                        % {"noun": kind.words.noun}, code="self_approval")


def offered_actions(kind: Approvable, record, actor: User) -> dict[str, ServiceError | None]:
    """Return the actions to show `actor` on `record`: None for a button, or the refusal to explain instead.

    An action refused for the officer's role, the record's status or scope is left out; a self-approval
    stays, with its refusal, so the page can say why the officer cannot approve their own work.
    """
    offered: dict[str, ServiceError | None] = {}
    for action in ACTIONS:
        try:
            require(kind, record, actor, action)
        except ServiceError as refusal:
            if refusal.code == "self_approval":
                offered[action] = refusal
        else:
            offered[action] = None
    return offered


def rejection_reason(reason: str | None) -> str:
    """Return the reason an author will read, or raise when it is missing or too long."""
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ValidationFailed(_l("Hãy ghi lý do trả lại (tối đa 2000 ký tự)."), {"reason": _l("Cần lý do.")})
    return reason


# --- versioned editing ----------------------------------------------------------------------------

def create(kind: Approvable, data: Any, actor: User):
    """Create a draft from the contract's body; return it (version 1)."""
    fields = kind.read(data)
    rules = check_rules(fields)
    require_editor(kind, None, actor, fields["unit_code"])
    kind.check_references(fields, actor)
    fields["targets"] = targeting.normalise_targets(fields)
    record = kind.model(unit_code=fields["unit_code"], author_id=actor.id, status="draft", version=1,
                        **{column: fields[column] for column in kind.head_columns})
    db.session.add(record)
    db.session.flush()
    _write_head(kind, record, fields, rules, actor)
    audit.record(actor, f"{kind.name}.create", kind.name, record.id, unit_code=record.unit_code,
                 after={"version": 1, "status": "draft", **kind.summary(fields)})
    db.session.commit()
    return record


def update(kind: Approvable, record, data: Any, expected_version: int, actor: User):
    """Apply a partial edit to the head, as a new version; StaleVersion if someone saved in between."""
    require_editor(kind, record, actor, record.unit_code)
    if expected_version != record.version:
        noun = str(kind.words.noun)
        raise StaleVersion(
            _l("%(Noun)s đã được sửa thành phiên bản %(current)d trong lúc bạn sửa phiên bản %(yours)d; "
               "hãy tải lại để xem thay đổi.")
            % {"Noun": noun[:1].upper() + noun[1:], "current": record.version, "yours": expected_version},
            {"version": record.version})
    changes = kind.read(data, partial=True)
    fields = _fields_of(kind, head(kind, record).content)
    fields.update(changes)
    rules = check_rules(fields)
    require_editor(kind, record, actor, fields["unit_code"])
    kind.check_references(fields, actor)
    if "targets" in changes:
        fields["targets"] = targeting.normalise_targets(fields)
    before = {"version": record.version, "status": record.status}
    record.version += 1
    # Any edit needs approval again; a published version keeps playing until then.
    record.status = "draft"
    record.rejection_reason = None
    _write_head(kind, record, fields, rules, actor)
    audit.record(actor, f"{kind.name}.update", kind.name, record.id, unit_code=record.unit_code, before=before,
                 after={"version": record.version, "status": "draft", "changed": sorted(changes)})
    db.session.commit()
    return record


def _fields_of(kind: Approvable, content: dict) -> dict:
    """Return the fields of a stored revision, in the shape `kind.read` produces."""
    rules = schedule.rules_from_json(content["rules"])
    fields = {key: content[key] for key in kind.content_keys}
    fields["targets"] = {key: list(content["targets"][key]) for key in ("units", "groups", "kiosks")}
    fields.update(starts_at=rules.starts_at, ends_at=rules.ends_at, days=rules.days, hours=rules.hours)
    return fields


def _write_head(kind: Approvable, record, fields: dict, rules: schedule.Rules, actor: User) -> None:
    content = {**{key: fields[key] for key in kind.content_keys}, "targets": fields["targets"],
               "rules": schedule.rules_to_json(rules)}
    db.session.add(kind.revision_model(**{kind.owner_key: record.id}, version=record.version, content=content,
                                       created_by_id=actor.id))
    for column in kind.head_columns:
        setattr(record, column, fields[column])
    record.starts_at = rules.starts_at
    record.ends_at = rules.ends_at
    record.updated_at = utcnow()
    db.session.flush()
    _store_members(kind, record.id, "head", content)


def _store_members(kind: Approvable, record_id: int, slot: str, content: dict | None) -> None:
    owner = kind.members.c[kind.owner_key]
    db.session.execute(delete(kind.members).where(owner == record_id, kind.members.c.slot == slot))
    rows = kind.members_of(content) if content else []
    if rows:
        db.session.execute(insert(kind.members), [
            {kind.owner_key: record_id, "slot": slot, "position": i, **row} for i, row in enumerate(rows)])


# --- the workflow's steps -------------------------------------------------------------------------

def _facts(record) -> dict:
    return {"status": record.status, "version": record.version, "published_version": record.published_version}


def _audit(kind: Approvable, actor, action: str, record, before: dict | None, after: dict) -> None:
    audit.record(actor, f"{kind.name}.{action}", kind.name, record.id, unit_code=record.unit_code,
                 before=before, after=after)


def submit(kind: Approvable, record, actor: User, now: datetime | None = None):
    """Send the draft for approval."""
    require(kind, record, actor, "submit")
    before = _facts(record)
    if kind.check_content:
        kind.check_content(record, head(kind, record).content, "submit", now or utcnow(), actor)
    record.status = "submitted"
    _audit(kind, actor, "submit", record, before, {"status": "submitted", "version": record.version})
    db.session.commit()
    return record


def approve(kind: Approvable, record, actor: User, now: datetime | None = None):
    """Approve the submitted head and publish it to its screens; the approver must not be its author."""
    require(kind, record, actor, "approve")
    before = _facts(record)
    now = now or utcnow()
    rev = head(kind, record)
    ends_at = schedule.rules_from_json(rev.content["rules"]).ends_at
    if ends_at is not None and ends_at <= now:
        raise ValidationFailed(kind.words.expired, {"ends_at": _l("Đã qua.")})
    if kind.check_content:
        kind.check_content(record, rev.content, "approve", now, actor)
    old_targets = published_targets(kind, record)
    record.status = "published"
    record.published_version = record.version
    record.approved_by_id = actor.id
    record.approved_at = utcnow()
    _store_members(kind, record.id, "published", rev.content)
    event = kind.changed(record, old_targets, rev.content["targets"], f"{kind.name}.approve")
    _audit(kind, actor, "approve", record, before,
           {"status": "published", "version": record.version, "screens": event.kiosk_count})
    db.session.commit()
    publish.announce(event)
    return record


def reject(kind: Approvable, record, reason: str, actor: User):
    """Send the submitted head back to draft with a reason the author will read."""
    require(kind, record, actor, "reject")
    before = _facts(record)
    reason = rejection_reason(reason)
    record.status = "draft"
    record.rejection_reason = reason
    _audit(kind, actor, "reject", record, before, {"status": "draft", "reason": reason})
    db.session.commit()
    return record


def withdraw(kind: Approvable, record, actor: User):
    """Take the record off every screen at once (an approver, or its author)."""
    require(kind, record, actor, "withdraw")
    before = _facts(record)
    old_targets = published_targets(kind, record)
    record.status = "withdrawn"
    record.published_version = None
    _store_members(kind, record.id, "published", None)
    event = kind.changed(record, old_targets, None, f"{kind.name}.withdraw")
    _audit(kind, actor, "withdraw", record, before, {"status": "withdrawn", "screens": event.kiosk_count})
    db.session.commit()
    publish.announce(event)
    return record


def expire_due(kind: Approvable, now: datetime | None = None) -> list[int]:
    """Mark published records whose end has passed as expired and update their screens; return their ids.

    Screens already drop them on time from their own clock; this keeps manifests and the officers'
    lists honest. Safe to run from several processes: each record is claimed by one conditional update.
    """
    now = now or utcnow()
    model = kind.model
    due = db.session.scalars(select(model.id).where(
        model.published_version.is_not(None), model.ends_at.is_not(None), model.ends_at <= now)).all()
    expired = []
    for record_id in due:
        record = db.session.get(model, record_id)
        content = published_content(kind, record)
        ends_at = schedule.rules_from_json(content["rules"]).ends_at
        if ends_at is None or ends_at > now:
            continue  # the head changed the end, but the published revision still runs
        claimed = db.session.execute(
            model.__table__.update()
            .where(model.id == record_id, model.published_version == record.published_version)
            .values(published_version=None, status="expired" if record.status == "published" else record.status)
        ).rowcount
        if not claimed:
            db.session.rollback()
            continue
        _store_members(kind, record_id, "published", None)
        event = kind.changed(record, content["targets"], None, f"{kind.name}.expire")
        _audit(kind, "system", "expire", record, None, {"screens": event.kiosk_count})
        db.session.commit()
        publish.announce(event)
        expired.append(record_id)
    return expired


def operations(kind: Approvable) -> tuple[Callable, ...]:
    """Return create, update, submit, approve, reject, withdraw and expire_due bound to `kind`.

    Each kind's module exposes them under its own names (`notices.approve(notice, actor)`), so callers
    read as before while the workflow stays written once.
    """

    def bound(step):
        def call(*args, **kwargs):
            return step(kind, *args, **kwargs)
        call.__name__ = step.__name__
        call.__doc__ = step.__doc__
        return call

    return tuple(bound(step) for step in (create, update, submit, approve, reject, withdraw, expire_due))
